/**
 * What a ledger node needs from the network of operator nodes: two gossip topics of its chain
 * and block sync. The libp2p host (node/p2p) provides it between processes; the in-process
 * hub (memory-network.ts) provides it between nodes in one process.
 */

/** What a node makes of a gossip message: relay it, drop it and penalise the sender, or drop it quietly. */
export type Verdict = 'accept' | 'reject' | 'ignore';

export type GossipTopic = 'txs' | 'consensus';

/** A committed block with its commit certificate, as stored (canonical bytes). */
export interface BlockWithCommit {
  readonly block: Uint8Array;
  readonly commit: Uint8Array;
}

/** A peer's head, as it answers a status request. */
export interface PeerStatus {
  readonly peer: string;
  readonly height: number;
  readonly hash: string;
}

/** The most blocks one sync request asks for. */
export const MAX_BLOCKS_PER_REQUEST = 64;

export interface NodeNetwork {
  /** This node's id on the network. */
  readonly self: string;
  publish(topic: GossipTopic, bytes: Uint8Array): void;
  /** Calls `handler` for each message from a peer (never for this node's own); its verdict decides whether the message is relayed. */
  subscribe(topic: GossipTopic, handler: (bytes: Uint8Array, from: string) => Verdict | Promise<Verdict>): () => void;
  /**
   * Committed blocks `from`..`to` (at most MAX_BLOCKS_PER_REQUEST) with their commits, from
   * one peer that has them, in height order; fewer (or none) if no peer has more.
   */
  requestBlocks(from: number, to: number): Promise<BlockWithCommit[]>;
  /** How this node answers others' block requests. */
  serveBlocks(handler: (from: number, to: number) => Promise<BlockWithCommit[]>): void;
  /** The heads of the connected peers that answer a status request. */
  requestStatuses(): Promise<PeerStatus[]>;
  /** How this node answers others' status requests: its head. */
  serveStatus(handler: () => { readonly height: number; readonly hash: string }): void;
  /**
   * One request of the state snapshot protocol (snapshot-protocol.ts) to one peer: the request's
   * bytes out, the answer's bytes back, undecoded. Throws if the peer gives no answer.
   */
  requestSnapshot(peer: string, request: Uint8Array): Promise<Uint8Array>;
  /** How this node answers others' snapshot requests; a throw refuses the request. */
  serveSnapshots(handler: (request: Uint8Array, from: string) => Promise<Uint8Array>): void;
  /** Counts a strike against a peer that answered a request with invalid data (as a rejected gossip message does). */
  penalise(peer: string): void;
  /** The peers connected now. */
  peers(): string[];
}
