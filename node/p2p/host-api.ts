/** The p2p host's public face: what it is given, what it offers and how its calls fail. */

/** The two kinds of gossip a chain has; each is one topic, `lendnet/<chainId>/<kind>/1`. */
export type GossipKind = 'txs' | 'consensus';

export const GOSSIP_KINDS: readonly GossipKind[] = ['txs', 'consensus'];

/**
 * A consumer's verdict on a gossip message, as gossipsub understands it:
 * - `accept`: valid; delivered and relayed to the mesh.
 * - `ignore`: not for us now (stale, a duplicate in another form, a state it cannot judge);
 *   neither delivered nor relayed, and the peer is not blamed.
 * - `reject`: invalid; neither delivered nor relayed, and the peer that sent it is penalised.
 */
export type GossipVerdict = 'accept' | 'reject' | 'ignore';

/** One gossip message as the consumer sees it. */
export interface GossipMessage {
  readonly kind: GossipKind;
  readonly data: Uint8Array;
  /** The peer the message came from (a relay, or the author itself). */
  readonly from: string;
  /** The peer that signed the message (gossipsub StrictSign). */
  readonly origin: string;
}

/**
 * Judges a new gossip message before it is relayed. Called once per message id (identical
 * bytes on the same topic are one message), never for messages this host published. A
 * validator that throws counts as `ignore`.
 */
export type GossipValidator = (
  data: Uint8Array,
  from: string,
  message: GossipMessage,
) => GossipVerdict | Promise<GossipVerdict>;

/** Receives a gossip message its validator accepted. */
export type GossipDeliver = (message: GossipMessage) => void;

/** What a publish did. */
export interface PublishResult {
  /** Peers the message was sent to (0 when no peer is subscribed: the message is then lost). */
  readonly recipients: number;
  /** True when identical bytes were already seen on this topic recently: nothing was sent. */
  readonly duplicate: boolean;
}

/** Answers one request of a named protocol; what it throws reaches the requester only as a code. */
export type RequestHandler = (request: Uint8Array, from: string) => Promise<Uint8Array>;

export interface RequestOptions {
  /** Whole-call deadline: dial, send, the remote handler and the response. Default `limits.requestTimeoutMs`. */
  readonly timeoutMs?: number;
  /** A larger response fails with RESPONSE_TOO_LARGE. Default `limits.maxResponseBytes`. */
  readonly maxResponseBytes?: number;
}

/** Sizes and counts the host enforces. */
export interface P2pLimits {
  /** Largest gossip payload per kind; larger ones are refused on publish and rejected on receipt. Default txs 1 MiB, consensus 256 KiB. */
  readonly maxMessageBytes?: Partial<Record<GossipKind, number>>;
  /** Largest request this host sends or accepts. Default 64 KiB. */
  readonly maxRequestBytes?: number;
  /** Largest response this host sends or accepts. Default 4 MiB. */
  readonly maxResponseBytes?: number;
  /** Connections kept open (libp2p's connection manager prunes past it). Default 50. */
  readonly maxPeers?: number;
  /** Inbound requests of one protocol handled at once, all peers together; more are answered BUSY. Default 32. */
  readonly maxConcurrentRequests?: number;
  /** Default deadline for request(), and how long a handler side waits for a request frame. Default 10 s. */
  readonly requestTimeoutMs?: number;
}

/** When a peer is banned for sending rejected gossip. */
export interface PenaltyOptions {
  /** Rejected messages within `windowMs` that get a peer banned. Default 5. */
  readonly rejectThreshold?: number;
  /** Default 60 s. */
  readonly windowMs?: number;
  /** How long a banned peer is disconnected and refused. Default 10 minutes. */
  readonly banMs?: number;
}

/** How bootstrap and persistent peers are redialled. */
export interface RedialOptions {
  /** First delay after a disconnection or a failed dial. Default 250 ms. */
  readonly initialDelayMs?: number;
  /** The delay doubles after each failure up to this. Default 10 s. */
  readonly maxDelayMs?: number;
}

/** The subset of pino's logger the host uses. */
export interface P2pLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface P2pHostOptions {
  /** Scopes every topic and protocol: hosts of different chains never exchange messages. */
  readonly chainId: string;
  /** 32-byte ed25519 seed: the host's libp2p identity, so its peer id survives restarts. */
  readonly privateKeySeed: Uint8Array;
  /** Multiaddrs to listen on, e.g. `/ip4/127.0.0.1/tcp/26656` (`tcp/0` picks a free port). */
  readonly listen: readonly string[];
  /** Peers dialled at start and redialled whenever not connected; each ends in `/p2p/<peerId>`. */
  readonly bootstrap?: readonly string[];
  readonly limits?: P2pLimits;
  readonly penalties?: PenaltyOptions;
  readonly redial?: RedialOptions;
  readonly logger?: P2pLogger;
}

/** Gossip counters of one kind. */
export interface GossipCounters {
  /** Messages accepted by the validator (each delivered once). */
  messagesIn: number;
  /** Messages this host published. */
  messagesOut: number;
  rejected: number;
  ignored: number;
  /** Payload bytes of accepted messages. */
  bytesIn: number;
  /** Payload bytes published (once per message, not per recipient). */
  bytesOut: number;
}

/** Request/response counters (payload bytes: the frames' contents). */
export interface RequestCounters {
  /** Requests answered by a handler (successfully or not). */
  served: number;
  /** Inbound requests refused before a handler ran (banned, busy, too large, unreadable). */
  refused: number;
  sent: number;
  /** Outbound requests that ended in a P2pRequestError. */
  failed: number;
  bytesIn: number;
  bytesOut: number;
}

/** Counters since the host was created, for metrics. */
export interface P2pCounters {
  readonly peers: number;
  readonly gossip: Readonly<Record<GossipKind, Readonly<GossipCounters>>>;
  readonly requests: Readonly<RequestCounters>;
  /** Peers banned for rejected gossip. */
  readonly bans: number;
  /** Connections (inbound or outbound) and dials refused because the peer is banned. */
  readonly refusedConnections: number;
  /** Dials made by the redialer (successful or not). */
  readonly redials: number;
}

/** Events a host emits; each listener gets the remote peer id. */
export interface P2pEvents {
  /** The first connection to a peer opened. */
  'peer:connect': string;
  /** The last connection to a peer closed. */
  'peer:disconnect': string;
  /** A peer was banned (and is being disconnected). */
  'peer:banned': string;
}

/** A running libp2p host of one chain. */
export interface P2pHost {
  readonly peerId: string;
  readonly chainId: string;
  /** The addresses this host listens on, each with `/p2p/<peerId>`: what other hosts put in `bootstrap`. */
  multiaddrs(): string[];
  /** Starts listening, dials the bootstrap peers. */
  start(): Promise<void>;
  /** Cancels redials and requests, closes every connection; resolves once they are closed. */
  stop(): Promise<void>;
  /** Connected peer ids. */
  peers(): string[];
  /** Peers this host relays `kind` to (its gossipsub mesh for the topic). */
  meshPeers(kind: GossipKind): string[];
  /** Peers known to be subscribed to `kind`. */
  subscribers(kind: GossipKind): string[];
  /**
   * Opens a connection (the peer is not redialled later: see addPersistentPeer) and resolves to
   * the peer's id once this side's handshake is done. A peer that has banned this host completes
   * the handshake and then closes the connection, so the promise may resolve all the same.
   */
  connect(multiaddr: string): Promise<string>;
  /** Keeps a connection to this peer: dials it now and whenever it is not connected. */
  addPersistentPeer(multiaddr: string): void;

  /** Signs and sends `data` to the peers subscribed to `kind`. Throws GossipPublishError. */
  publish(kind: GossipKind, data: Uint8Array): Promise<PublishResult>;
  /**
   * Subscribes to `kind`: each new message goes to `validator` before it is relayed; accepted
   * ones then go to `deliver`. One validator per kind; registering again replaces it.
   */
  onMessage(kind: GossipKind, validator: GossipValidator, deliver?: GossipDeliver): void;

  /** Serves `/lendnet/<chainId>/<name>/1`. */
  handle(name: string, handler: RequestHandler): Promise<void>;
  /** One request, one response. Throws P2pRequestError. */
  request(peerId: string, name: string, request: Uint8Array, options?: RequestOptions): Promise<Uint8Array>;

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof P2pEvents>(event: E, listener: (peerId: P2pEvents[E]) => void): () => void;
  isBanned(peerId: string): boolean;
  /** Counts a strike against a peer that answered a request with invalid data, as a rejected gossip message counts; enough strikes ban it. */
  strike(peerId: string): void;
  /** The peer's gossipsub score as this host sees it (negative after rejected messages). */
  gossipScore(peerId: string): number;
  counters(): P2pCounters;
}
