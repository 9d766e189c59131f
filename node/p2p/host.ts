import './polyfill.js';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import { type GossipSub, gossipsub } from '@libp2p/gossipsub';
import { defaultPeerScoreThresholds } from '@libp2p/gossipsub/score';
import { type Identify, identify } from '@libp2p/identify';
import type { Libp2p } from '@libp2p/interface';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import { type Ping, ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { GossipPublishError } from './errors.js';
import { ChainGossip, gossipsubOptions, topicOf } from './gossip.js';
import type { GossipKind, P2pCounters, P2pEvents, P2pHost, P2pHostOptions } from './host-api.js';
import { PeerPenalties, positiveInteger } from './penalties.js';
import { Redialer } from './redial.js';
import { RequestResponse, type RequestResponseLimits } from './request-response.js';

export * from './errors.js';
export * from './host-api.js';
export { topicOf };

/**
 * The node's libp2p host: TCP, Noise, Yamux, Identify, Ping and gossipsub, nothing else. It
 * finds peers only through its bootstrap list, addPersistentPeer() and connect(): no mDNS, no
 * DHT, and gossipsub's peer exchange is refused, so it never dials an address it was not given.
 *
 * The pieces, wired here:
 * - gossip.ts: the chain's two topics, validation before relay, delivery, scoring.
 * - request-response.ts: `/lendnet/<chainId>/<name>/1`, one frame each way.
 * - penalties.ts: strikes for rejected gossip, bans, the connection gater that enforces them.
 * - redial.ts: bootstrap and persistent peers, redialled with backoff.
 *
 * A host is started once; stop() is final.
 */

const DEFAULT_MAX_MESSAGE_BYTES: Readonly<Record<GossipKind, number>> = { txs: 1 << 20, consensus: 256 << 10 };
const DEFAULT_LIMITS: RequestResponseLimits = {
  maxRequestBytes: 64 << 10,
  maxResponseBytes: 4 << 20,
  maxConcurrentRequests: 32,
  requestTimeoutMs: 10_000,
};
const DEFAULT_MAX_PEERS = 50;
const SEED_BYTES = 32;
const CHAIN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

type Libp2pNode = Libp2p<{ identify: Identify; ping: Ping; pubsub: GossipSub }>;
type Listeners = { [E in keyof P2pEvents]: Set<(peerId: P2pEvents[E]) => void> };

/** The peer id at the end of a multiaddr (`.../p2p/<peerId>`). */
export function peerIdOfMultiaddr(address: string): string {
  const component = multiaddr(address)
    .getComponents()
    .filter((part) => part.name === 'p2p')
    .pop();
  if (component?.value === undefined) throw new RangeError(`Multiaddr has no /p2p/<peerId>: ${address}`);
  return peerIdFromString(component.value).toString();
}

/** The peer id a seed gives, without creating a host. */
export async function peerIdOfSeed(seed: Uint8Array): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', checkedSeed(seed))).toString();
}

function checkedSeed(seed: Uint8Array): Uint8Array {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) {
    throw new RangeError(`privateKeySeed must be ${SEED_BYTES} bytes`);
  }
  return seed;
}

/** Creates a host (not started: call start()). */
export async function createP2pHost(options: P2pHostOptions): Promise<P2pHost> {
  const { chainId, logger } = options;
  if (!CHAIN_ID.test(chainId)) throw new RangeError(`Invalid chainId: ${JSON.stringify(chainId)}`);
  const privateKey = await generateKeyPairFromSeed('Ed25519', checkedSeed(options.privateKeySeed));
  const limits = options.limits ?? {};
  const maxMessageBytes: Record<GossipKind, number> = {
    txs: positiveInteger(limits.maxMessageBytes?.txs ?? DEFAULT_MAX_MESSAGE_BYTES.txs, 'maxMessageBytes.txs'),
    consensus: positiveInteger(
      limits.maxMessageBytes?.consensus ?? DEFAULT_MAX_MESSAGE_BYTES.consensus,
      'maxMessageBytes.consensus',
    ),
  };
  const requestLimits: RequestResponseLimits = {
    maxRequestBytes: positiveInteger(limits.maxRequestBytes ?? DEFAULT_LIMITS.maxRequestBytes, 'maxRequestBytes'),
    maxResponseBytes: positiveInteger(limits.maxResponseBytes ?? DEFAULT_LIMITS.maxResponseBytes, 'maxResponseBytes'),
    maxConcurrentRequests: positiveInteger(
      limits.maxConcurrentRequests ?? DEFAULT_LIMITS.maxConcurrentRequests,
      'maxConcurrentRequests',
    ),
    requestTimeoutMs: positiveInteger(limits.requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs, 'requestTimeoutMs'),
  };
  const penalties = new PeerPenalties(options.penalties);

  const node: Libp2pNode = await createLibp2p({
    start: false,
    privateKey,
    addresses: { listen: [...options.listen] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: penalties.connectionGater(),
    connectionManager: {
      maxConnections: positiveInteger(limits.maxPeers ?? DEFAULT_MAX_PEERS, 'maxPeers'),
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        ...gossipsubOptions(chainId, penalties.rejectThreshold, maxMessageBytes),
        // Peer exchange would have us dial addresses a peer hands us: never.
        scoreThresholds: { ...defaultPeerScoreThresholds, acceptPXThreshold: Number.POSITIVE_INFINITY },
      }),
    },
  });
  const peerId = node.peerId.toString();

  const listeners: Listeners = { 'peer:connect': new Set(), 'peer:disconnect': new Set(), 'peer:banned': new Set() };
  const emit = <E extends keyof P2pEvents>(event: E, value: P2pEvents[E]): void => {
    for (const listener of listeners[event]) {
      try {
        listener(value);
      } catch (error) {
        logger?.warn({ err: error, event }, 'p2p: event listener threw');
      }
    }
  };

  const ban = (banned: string, why: string): void => {
    logger?.warn({ peer: banned, banMs: penalties.banMs }, `p2p: peer banned for ${why}`);
    emit('peer:banned', banned);
    node.hangUp(peerIdFromString(banned)).catch((error: unknown) => {
      logger?.debug({ err: error, peer: banned }, 'p2p: hang-up on banned peer failed');
    });
  };
  const gossip = new ChainGossip({
    pubsub: node.services.pubsub,
    chainId,
    maxMessageBytes,
    penalties,
    logger,
    onBan: (banned) => ban(banned, 'rejected gossip'),
  });
  const requests = new RequestResponse({
    node,
    chainId,
    limits: requestLimits,
    logger,
    // Gossipsub ignores a graylisted peer's messages; its requests are not served either.
    isRefused: (from) => penalties.isBanned(from) || gossip.score(from) < defaultPeerScoreThresholds.graylistThreshold,
  });
  let redials = 0;
  const redialer = new Redialer({
    dial: async (address, signal) => {
      await node.dial(multiaddr(address), { signal });
    },
    isConnected: (remote) => node.getConnections(peerIdFromString(remote)).length > 0,
    banRemainingMs: (remote) => penalties.banRemainingMs(remote),
    initialDelayMs: options.redial?.initialDelayMs,
    maxDelayMs: options.redial?.maxDelayMs,
    onDial: () => {
      redials += 1;
    },
    logger,
  });
  for (const address of options.bootstrap ?? []) {
    const remote = peerIdOfMultiaddr(address);
    if (remote !== peerId) redialer.add(remote, address);
  }

  node.addEventListener('peer:connect', (event) => {
    const remote = event.detail.toString();
    redialer.connected(remote);
    logger?.debug({ peer: remote }, 'p2p: peer connected');
    emit('peer:connect', remote);
  });
  node.addEventListener('peer:disconnect', (event) => {
    const remote = event.detail.toString();
    redialer.disconnected(remote);
    logger?.debug({ peer: remote }, 'p2p: peer disconnected');
    emit('peer:disconnect', remote);
  });

  let state: 'new' | 'started' | 'stopped' = 'new';
  let stopping: Promise<void> | undefined;

  return {
    peerId,
    chainId,
    multiaddrs: () => node.getMultiaddrs().map((address) => address.toString()),
    async start() {
      if (state !== 'new') throw new Error(`p2p host cannot start: it is ${state}`);
      state = 'started';
      try {
        await node.start();
      } catch (error) {
        state = 'stopped';
        await node.stop();
        throw error;
      }
      gossip.start();
      requests.start();
      redialer.start();
      logger?.info({ peerId, chainId, listen: node.getMultiaddrs().map(String) }, 'p2p: host started');
    },
    stop() {
      stopping ??= (async () => {
        state = 'stopped';
        redialer.stop();
        requests.stop();
        gossip.stop();
        await node.stop();
        logger?.info({ peerId }, 'p2p: host stopped');
      })();
      return stopping;
    },
    peers: () => node.getPeers().map((remote) => remote.toString()),
    meshPeers: (kind) => gossip.meshPeers(kind),
    subscribers: (kind) => gossip.subscribers(kind),
    async connect(address) {
      const connection = await node.dial(multiaddr(address));
      return connection.remotePeer.toString();
    },
    addPersistentPeer(address) {
      const remote = peerIdOfMultiaddr(address);
      if (remote !== peerId) redialer.add(remote, address);
    },
    async publish(kind, data) {
      if (state !== 'started') throw new GossipPublishError('STOPPED', gossip.topic(kind));
      return gossip.publish(kind, data);
    },
    onMessage: (kind, validator, deliver) => gossip.onMessage(kind, validator, deliver),
    handle: (name, handler) => requests.handle(name, handler),
    request: (remote, name, request, requestOptions) => requests.request(remote, name, request, requestOptions),
    on(event, listener) {
      listeners[event].add(listener);
      return () => {
        listeners[event].delete(listener);
      };
    },
    isBanned: (remote) => penalties.isBanned(remote),
    strike(remote) {
      if (penalties.strike(remote)) ban(remote, 'invalid answers');
    },
    gossipScore: (remote) => gossip.score(remote),
    counters(): P2pCounters {
      return {
        peers: node.getPeers().length,
        gossip: { txs: { ...gossip.counters.txs }, consensus: { ...gossip.counters.consensus } },
        requests: { ...requests.counters },
        bans: penalties.totalBans,
        refusedConnections: penalties.totalRefusals,
        redials,
      };
    },
  };
}
