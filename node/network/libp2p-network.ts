import { canonicalBytes } from '../../contracts/codec/canonical.js';
import { createP2pHost, P2pRequestError, type P2pHost, type P2pLogger } from '../p2p/host.js';
import { MAX_CONSENSUS_MESSAGE_BYTES } from '../consensus/messages.js';
import { MAX_TX_GOSSIP_BYTES } from '../ledger/tx-gossip.js';
import { MAX_SNAPSHOT_CHUNK_BYTES, SNAPSHOT_PROTOCOL } from './snapshot-protocol.js';
import { type BlockWithCommit, type GossipTopic, MAX_BLOCKS_PER_REQUEST, type NodeNetwork, type PeerStatus, type Verdict } from './network.js';

/**
 * NodeNetwork over the libp2p host (node/p2p): the chain's two gossip topics, block sync as the
 * request/response protocol `/lendnet/<chainId>/blocks/1`, peers' heads as `status/1`, and
 * state snapshots as `snapshot/1` (snapshot-protocol.ts).
 *
 * A blocks request is the canonical JSON `{"from":"n","to":"n"}`; the answer is a u32 count,
 * then per block a u32 length and the block's canonical bytes, a u32 length and its commit's,
 * little-endian: as many consecutive blocks from `from` as fit in MAX_BLOCKS_RESPONSE_BYTES.
 * What a peer answers is decoded strictly here and verified by the node (each commit against
 * the validator set, each block by re-execution) before anything is stored.
 */

export const BLOCKS_PROTOCOL = 'blocks';
/** `/lendnet/<chainId>/status/1`: the answer is the canonical JSON `{"hash":"…","height":"n"}` of the peer's head. */
export const STATUS_PROTOCOL = 'status';
/** Bytes of one blocks answer at most (the host's response limit is set a little above). */
export const MAX_BLOCKS_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface Libp2pNetworkOptions {
  readonly chainId: string;
  /** 32 bytes: the node's libp2p identity (its peer id follows from it). */
  readonly seed: Uint8Array;
  /** Multiaddrs to listen on, e.g. /ip4/127.0.0.1/tcp/26656. */
  readonly listen: readonly string[];
  /** Peers to dial and keep dialling, as multiaddrs ending in /p2p/<peerId>. */
  readonly peers: readonly string[];
  /** Connections kept open at most (the p2p host's default when absent). */
  readonly maxPeers?: number;
  readonly logger?: P2pLogger;
}

export interface Libp2pNetwork extends NodeNetwork {
  readonly host: P2pHost;
  stop(): Promise<void>;
}

/** Starts a libp2p host and returns it as the node's network. */
export async function startLibp2pNetwork(options: Libp2pNetworkOptions): Promise<Libp2pNetwork> {
  const host = await createP2pHost({
    chainId: options.chainId,
    privateKeySeed: options.seed,
    listen: [...options.listen],
    bootstrap: [...options.peers],
    limits: {
      maxMessageBytes: { txs: MAX_TX_GOSSIP_BYTES, consensus: MAX_CONSENSUS_MESSAGE_BYTES },
      maxResponseBytes: MAX_BLOCKS_RESPONSE_BYTES + 1024,
      ...(options.maxPeers !== undefined ? { maxPeers: options.maxPeers } : {}),
    },
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const handlers: Record<GossipTopic, Set<(bytes: Uint8Array, from: string) => Verdict | Promise<Verdict>>> = { txs: new Set(), consensus: new Set() };
  for (const topic of ['txs', 'consensus'] as const) {
    host.onMessage(topic, async (data, from) => {
      // Relayed if one consumer finds it useful; the peer is penalised if one finds it invalid.
      const results = await Promise.all([...handlers[topic]].map((handler) => handler(data, from)));
      if (results.includes('reject')) return 'reject';
      return results.includes('accept') ? 'accept' : 'ignore';
    });
  }
  let serve: ((from: number, to: number) => Promise<BlockWithCommit[]>) | undefined;
  let status: (() => { readonly height: number; readonly hash: string }) | undefined;
  let snapshots: ((request: Uint8Array, from: string) => Promise<Uint8Array>) | undefined;
  await host.handle(SNAPSHOT_PROTOCOL, async (request, from) => {
    if (!snapshots) throw new Error('no snapshots served yet');
    return snapshots(request, from);
  });
  await host.handle(STATUS_PROTOCOL, async () => {
    if (!status) throw new Error('no status yet');
    return encodeStatus(status());
  });
  await host.handle(BLOCKS_PROTOCOL, async (request) => {
    const { from, to } = decodeBlocksRequest(request);
    const blocks = serve ? await serve(from, to) : [];
    return encodeBlocks(blocks);
  });
  await host.start();

  return {
    host,
    self: host.peerId,
    publish(topic, bytes) {
      host.publish(topic, bytes).catch((error: unknown) => options.logger?.warn({ err: error, topic }, 'p2p: publish failed'));
    },
    subscribe(topic, handler) {
      handlers[topic].add(handler);
      return () => handlers[topic].delete(handler);
    },
    async requestBlocks(from, to) {
      const last = Math.min(to, from + MAX_BLOCKS_PER_REQUEST - 1);
      const request = canonicalBytes({ from, to: last });
      // Peers in random order, so one slow peer does not hold every node back.
      const peers = host.peers().sort(() => Math.random() - 0.5);
      for (const peer of peers) {
        try {
          const blocks = decodeBlocks(await host.request(peer, BLOCKS_PROTOCOL, request, { maxResponseBytes: MAX_BLOCKS_RESPONSE_BYTES + 1024 }));
          if (blocks.length > 0) return blocks;
        } catch (error) {
          if (!(error instanceof P2pRequestError) && !(error instanceof RangeError)) throw error;
          options.logger?.debug({ err: error, peer }, 'p2p: blocks request failed');
        }
      }
      return [];
    },
    serveBlocks(handler) {
      serve = handler;
    },
    async requestStatuses() {
      const answers = await Promise.all(
        host.peers().map(async (peer): Promise<PeerStatus | undefined> => {
          try {
            return { peer, ...decodeStatus(await host.request(peer, STATUS_PROTOCOL, new Uint8Array(0), { timeoutMs: 2_000, maxResponseBytes: 256 })) };
          } catch (error) {
            if (!(error instanceof P2pRequestError) && !(error instanceof RangeError)) throw error;
            return undefined;
          }
        }),
      );
      return answers.filter((answer): answer is PeerStatus => answer !== undefined);
    },
    serveStatus(handler) {
      status = handler;
    },
    requestSnapshot: (peer, request) => host.request(peer, SNAPSHOT_PROTOCOL, request, { maxResponseBytes: MAX_SNAPSHOT_CHUNK_BYTES }),
    serveSnapshots(handler) {
      snapshots = handler;
    },
    penalise: (peer) => host.strike(peer),
    peers: () => host.peers(),
    stop: () => host.stop(),
  };
}

function decodeBlocksRequest(bytes: Uint8Array): { from: number; to: number } {
  // Every valid request is ASCII; latin1 decodes any bytes, and the pattern refuses the rest.
  const text = new TextDecoder('latin1').decode(bytes);
  const match = /^\{"from":"([1-9][0-9]{0,15})","to":"([1-9][0-9]{0,15})"\}$/.exec(text);
  if (!match) throw new RangeError('a blocks request is {"from":"n","to":"n"}');
  const from = Number(match[1]);
  const to = Number(match[2]);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from) throw new RangeError('a blocks request names a range of heights');
  return { from, to: Math.min(to, from + MAX_BLOCKS_PER_REQUEST - 1) };
}

/** As many of `blocks` as fit in MAX_BLOCKS_RESPONSE_BYTES (at least one, which may be alone over it). */
export function encodeBlocks(blocks: readonly BlockWithCommit[]): Uint8Array {
  const taken: BlockWithCommit[] = [];
  let total = 4;
  for (const entry of blocks) {
    const size = 8 + entry.block.length + entry.commit.length;
    if (taken.length > 0 && total + size > MAX_BLOCKS_RESPONSE_BYTES) break;
    taken.push(entry);
    total += size;
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, taken.length, true);
  let at = 4;
  for (const { block, commit } of taken) {
    view.setUint32(at, block.length, true);
    out.set(block, at + 4);
    at += 4 + block.length;
    view.setUint32(at, commit.length, true);
    out.set(commit, at + 4);
    at += 4 + commit.length;
  }
  return out;
}

/** Decodes a blocks answer; a RangeError on any malformation. */
export function decodeBlocks(bytes: Uint8Array): BlockWithCommit[] {
  if (bytes.length < 4) throw new RangeError('a blocks answer starts with its count');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  if (count > MAX_BLOCKS_PER_REQUEST) throw new RangeError(`a blocks answer holds at most ${MAX_BLOCKS_PER_REQUEST} blocks`);
  const out: BlockWithCommit[] = [];
  let at = 4;
  const take = (): Uint8Array => {
    if (at + 4 > bytes.length) throw new RangeError('a length runs past the end of the blocks answer');
    const length = view.getUint32(at, true);
    if (at + 4 + length > bytes.length) throw new RangeError('a block runs past the end of the blocks answer');
    const part = bytes.slice(at + 4, at + 4 + length);
    at += 4 + length;
    return part;
  };
  for (let i = 0; i < count; i++) out.push({ block: take(), commit: take() });
  if (at !== bytes.length) throw new RangeError('trailing bytes after the last block');
  return out;
}

export function encodeStatus(head: { readonly height: number; readonly hash: string }): Uint8Array {
  return canonicalBytes({ hash: head.hash, height: head.height });
}

/** Decodes a status answer; a RangeError unless it is exactly `{"hash":"<64 hex>","height":"n"}`. */
export function decodeStatus(bytes: Uint8Array): { readonly height: number; readonly hash: string } {
  const text = new TextDecoder('latin1').decode(bytes);
  const match = /^\{"hash":"([0-9a-f]{64})","height":"(0|[1-9][0-9]{0,15})"\}$/.exec(text);
  if (!match || !Number.isSafeInteger(Number(match[2]))) throw new RangeError('a status answer is {"hash":"<64 hex>","height":"n"}');
  return { hash: match[1]!, height: Number(match[2]) };
}
