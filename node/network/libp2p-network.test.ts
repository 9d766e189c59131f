import { afterEach, describe, expect, it } from 'vitest';
import { decodeBlocks, decodeStatus, encodeBlocks, encodeStatus, type Libp2pNetwork, MAX_BLOCKS_RESPONSE_BYTES, startLibp2pNetwork } from './libp2p-network.js';
import { MAX_BLOCKS_PER_REQUEST } from './network.js';

const CHAIN = 'lendnet-libp2p-network-test';
const started: Libp2pNetwork[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((network) => network.stop()));
});

async function pair(): Promise<[Libp2pNetwork, Libp2pNetwork]> {
  const [a, b] = await Promise.all(
    [1, 2].map(async (n) => {
      const network = await startLibp2pNetwork({ chainId: CHAIN, seed: new Uint8Array(32).fill(n + 40), listen: ['/ip4/127.0.0.1/tcp/0'], peers: [] });
      started.push(network);
      return network;
    }),
  );
  a!.host.addPersistentPeer(b!.host.multiaddrs()[0]!);
  const deadline = Date.now() + 15_000;
  while (!(a!.peers().includes(b!.self) && b!.host.subscribers('txs').includes(a!.self) && a!.host.subscribers('txs').includes(b!.self))) {
    if (Date.now() > deadline) throw new Error('the two hosts did not meet');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return [a!, b!];
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('the node network over libp2p', () => {
  it('carries gossip, block requests and status requests between two hosts', async () => {
    const [a, b] = await pair();
    const heard: string[] = [];
    a.subscribe('txs', (data) => {
      heard.push(new TextDecoder().decode(data));
      return 'accept';
    });
    b.publish('txs', bytes('a batch'));
    const deadline = Date.now() + 10_000;
    while (heard.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(heard).toEqual(['a batch']);

    const asked: [number, number][] = [];
    b.serveBlocks(async (from, to) => {
      asked.push([from, to]);
      return [3, 4, 5].map((h) => ({ block: bytes(`block ${h}`), commit: bytes(`commit ${h}`) }));
    });
    const blocks = await a.requestBlocks(3, 10);
    expect(asked).toEqual([[3, 10]]);
    expect(blocks.map((b) => [new TextDecoder().decode(b.block), new TextDecoder().decode(b.commit)])).toEqual([
      ['block 3', 'commit 3'],
      ['block 4', 'commit 4'],
      ['block 5', 'commit 5'],
    ]);
    // A request is capped at MAX_BLOCKS_PER_REQUEST heights.
    await a.requestBlocks(1, 1_000_000);
    expect(asked[1]).toEqual([1, MAX_BLOCKS_PER_REQUEST]);

    b.serveStatus(() => ({ height: 7, hash: 'ab'.repeat(32) }));
    expect(await a.requestStatuses()).toEqual([{ peer: b.self, height: 7, hash: 'ab'.repeat(32) }]);
  });

  it('carries snapshot requests; a request outside the protocol is refused with its code and counts against the sender', async () => {
    const [a, b] = await pair();
    b.serveSnapshots(async (request, from) => {
      if (new TextDecoder().decode(request) !== '{"kind":"offer"}') {
        b.penalise(from);
        throw new Error('not a snapshot request');
      }
      return bytes('{"chunks":"1","height":"9","records":"3"}');
    });
    expect(new TextDecoder().decode(await a.requestSnapshot(b.self, bytes('{"kind":"offer"}')))).toBe('{"chunks":"1","height":"9","records":"3"}');
    await expect(a.requestSnapshot(b.self, bytes('garbage'))).rejects.toMatchObject({ name: 'P2pRequestError', code: 'HANDLER_FAILED', remote: true });
    // Five strikes within a minute ban the peer; its next request is refused.
    for (let i = 0; i < 4; i++) await a.requestSnapshot(b.self, bytes('garbage')).catch(() => undefined);
    expect(b.host.isBanned(a.self)).toBe(true);
  });

  it('a peer that serves no blocks or no status gives nothing, not an error', async () => {
    const [a] = await pair();
    expect(await a.requestBlocks(1, 5)).toEqual([]);
    expect(await a.requestStatuses()).toEqual([]);
  });
});

describe('the blocks and status answers', () => {
  it('round trip, and fit as many blocks as the byte limit allows (at least one)', () => {
    const entries = [1, 2, 3].map((h) => ({ block: bytes(`block ${h}`), commit: bytes(`commit ${h}`) }));
    expect(decodeBlocks(encodeBlocks(entries))).toEqual(entries);
    // The first block alone leaves no room for the next.
    const big = { block: new Uint8Array(MAX_BLOCKS_RESPONSE_BYTES - 20), commit: bytes('c') };
    const answer = encodeBlocks([big, ...entries]);
    expect(answer.length).toBeLessThanOrEqual(MAX_BLOCKS_RESPONSE_BYTES);
    expect(decodeBlocks(answer).map((b) => b.block.length)).toEqual([big.block.length]);
    // One block over the limit still goes alone, so a node is never stuck behind it.
    const huge = { block: new Uint8Array(MAX_BLOCKS_RESPONSE_BYTES + 10), commit: bytes('c') };
    expect(decodeBlocks(encodeBlocks([huge, ...entries])).map((b) => b.block.length)).toEqual([huge.block.length]);
    expect(decodeStatus(encodeStatus({ height: 12, hash: 'cd'.repeat(32) }))).toEqual({ height: 12, hash: 'cd'.repeat(32) });
  });

  it('refuse malformed answers with a RangeError', () => {
    const good = encodeBlocks([{ block: bytes('b'), commit: bytes('c') }]);
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      good.subarray(0, good.length - 1),
      Uint8Array.from([...good, 0]),
      Uint8Array.of(MAX_BLOCKS_PER_REQUEST + 1, 0, 0, 0),
      Uint8Array.of(1, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f),
    ];
    for (const answer of cases) expect(() => decodeBlocks(answer)).toThrow(RangeError);
    for (const text of ['', '{}', '{"hash":"ab","height":"1"}', `{"height":"1","hash":"${'ab'.repeat(32)}"}`, `{"hash":"${'ab'.repeat(32)}","height":"01"}`, `{"hash":"${'AB'.repeat(32)}","height":"1"}`]) {
      expect(() => decodeStatus(bytes(text))).toThrow(RangeError);
    }
    expect(() => decodeStatus(Uint8Array.of(0xff, 0xfe))).toThrow(RangeError);
  });
});
