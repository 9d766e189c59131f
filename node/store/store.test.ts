import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLevelStore } from './level-store.js';
import { openLmdbStore } from './lmdb-store.js';
import { type MemoryStoreData, openMemoryStore } from './memory-store.js';
import {
  blockKey,
  type BlockWrite,
  commitKey,
  HeightMismatchError,
  InvalidStoreInputError,
  MAX_KEY_BYTES,
  nodeDataKey,
  stateKeyBytes,
  stateRange,
  SNAPSHOT_BASE_KEY,
  type Store,
  StoreClosedError,
  type TxLocation,
  txKey,
} from './store.js';

/** One store implementation under test: opens (or reopens) the store kept in `dir`. */
interface StoreFactory {
  readonly name: string;
  open(dir: string): Promise<Store>;
}

const memoryData = new Map<string, MemoryStoreData>();
const factories: StoreFactory[] = [
  { name: 'lmdb', open: (dir) => openLmdbStore(dir) },
  { name: 'classic-level', open: (dir) => openLevelStore(dir) },
  {
    name: 'memory',
    open: (dir) => {
      const data = memoryData.get(dir) ?? new Map();
      memoryData.set(dir, data);
      return openMemoryStore(data);
    },
  },
];

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const hashOf = (height: number): Uint8Array => new Uint8Array(32).fill(height % 256);
const txIdOf = (height: number, index: number): string => (height * 1000 + index).toString(16).padStart(64, '0');

/** A block at `height` with two txs, a state key `h/<height>` and the given extra changes. */
function blockWrite(height: number, extra: Partial<BlockWrite> = {}): BlockWrite {
  return {
    height,
    hash: hashOf(height),
    block: utf8(`block ${height}`),
    commit: utf8(`commit ${height}`),
    txs: [
      [txIdOf(height, 0), { height, index: 0 }],
      [txIdOf(height, 1), { height, index: 1 }],
    ],
    stateChanges: new Map([[`h/${height}`, utf8(`state ${height}`)]]),
    nodeData: new Map([[`n/${height}`, utf8(`node ${height}`)]]),
    ...extra,
  };
}

async function stateOf(store: Store, prefix?: string): Promise<Array<[string, string]>> {
  const entries: Array<[string, string]> = [];
  for await (const [key, value] of store.iterateState(prefix)) entries.push([key, new TextDecoder().decode(value)]);
  return entries;
}

/** Everything `blockWrite(height)` wrote is absent. */
async function expectNothingOf(store: Store, height: number): Promise<void> {
  expect(await store.getBlock(height)).toBeUndefined();
  expect(await store.getCommit(height)).toBeUndefined();
  expect(await store.getTx(txIdOf(height, 0))).toBeUndefined();
  expect(await store.getState(`h/${height}`)).toBeUndefined();
  expect(await store.getNodeData(`n/${height}`)).toBeUndefined();
}

describe('store key layout', () => {
  const before = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) < 0;

  it('orders block keys by height, past every byte boundary', () => {
    for (const [low, high] of [[1, 2], [255, 256], [65_535, 65_536], [2 ** 32 - 1, 2 ** 32], [2 ** 40, Number.MAX_SAFE_INTEGER]]) {
      expect(before(blockKey(low!), blockKey(high!))).toBe(true);
      expect(before(commitKey(low!), commitKey(high!))).toBe(true);
    }
  });

  it('keeps namespaces apart whatever the key', () => {
    const keys = [blockKey(Number.MAX_SAFE_INTEGER), commitKey(1), txKey('ff'.repeat(64)), stateKeyBytes('\u{10ffff}'), nodeDataKey('')];
    for (let i = 1; i < keys.length; i += 1) expect(before(keys[i - 1]!, keys[i]!)).toBe(true);
    const { start, end } = stateRange();
    expect(before(stateKeyBytes('\u{10ffff}'.repeat(100)), end)).toBe(true);
    expect(before(end, nodeDataKey('')) || Buffer.compare(end, nodeDataKey('')) === 0).toBe(true);
    expect(Buffer.compare(start, stateKeyBytes(''))).toBe(0);
  });

  it('refuses heights that are not positive safe integers', () => {
    for (const height of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) {
      expect(() => blockKey(height)).toThrow(InvalidStoreInputError);
    }
  });
});

describe.each(factories)('store compliance: $name', (factory) => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), `lendnet-store-${factory.name}-`));
    store = await factory.open(dir);
  });

  afterEach(async () => {
    await store.close();
    memoryData.delete(dir);
    await rm(dir, { recursive: true, force: true });
  });

  it('an empty store has no head and no records', async () => {
    expect(await store.head()).toBeUndefined();
    await expectNothingOf(store, 1);
    expect(await stateOf(store)).toEqual([]);
  });

  it('reads back every part of a committed block', async () => {
    await store.commitBlock(blockWrite(1));
    await store.commitBlock(blockWrite(2));
    expect(await store.head()).toEqual({ height: 2, hash: hashOf(2) });
    expect(await store.getBlock(1)).toEqual(utf8('block 1'));
    expect(await store.getCommit(2)).toEqual(utf8('commit 2'));
    expect(await store.getTx(txIdOf(2, 1))).toEqual<TxLocation>({ height: 2, index: 1 });
    expect(await store.getTx(txIdOf(2, 1).toUpperCase())).toEqual<TxLocation>({ height: 2, index: 1 });
    expect(await store.getState('h/1')).toEqual(utf8('state 1'));
    expect(await store.getNodeData('n/2')).toEqual(utf8('node 2'));
    expect(await store.getBlock(3)).toBeUndefined();
  });

  it('keeps state and node data in separate namespaces', async () => {
    await store.commitBlock(
      blockWrite(1, { stateChanges: new Map([['k', utf8('state')]]), nodeData: new Map([['k', utf8('node')]]) }),
    );
    expect(await store.getState('k')).toEqual(utf8('state'));
    expect(await store.getNodeData('k')).toEqual(utf8('node'));
    expect(await stateOf(store)).toEqual([['k', 'state']]);
  });

  it('refuses a height that is not head + 1 and writes nothing of it', async () => {
    await expect(store.commitBlock(blockWrite(2))).rejects.toMatchObject({ name: 'HeightMismatchError', expected: 1, actual: 2 });
    await store.commitBlock(blockWrite(1));
    await expect(store.commitBlock(blockWrite(1))).rejects.toBeInstanceOf(HeightMismatchError);
    await expect(store.commitBlock(blockWrite(3))).rejects.toBeInstanceOf(HeightMismatchError);
    await expectNothingOf(store, 3);
    expect((await store.head())?.height).toBe(1);
  });

  it('a block whose changes throw midway leaves nothing behind', async () => {
    await store.commitBlock(blockWrite(1));
    function* failing(): Generator<readonly [string, Uint8Array | undefined]> {
      yield ['h/2', utf8('state 2')];
      yield ['h/1', undefined];
      throw new Error('encoder failed');
    }
    await expect(store.commitBlock(blockWrite(2, { stateChanges: failing() }))).rejects.toThrow('encoder failed');
    await expectNothingOf(store, 2);
    expect(await store.getState('h/1')).toEqual(utf8('state 1'));
    expect(await store.head()).toEqual({ height: 1, hash: hashOf(1) });
    // The store is still usable at the same height.
    await store.commitBlock(blockWrite(2));
    expect(await store.getState('h/2')).toEqual(utf8('state 2'));
  });

  it.each([
    ['a key past the limit', { stateChanges: new Map([['h/2', utf8('x')], ['k'.repeat(MAX_KEY_BYTES + 1), utf8('x')]]) }],
    ['a tx id that is not hex', { txs: [[txIdOf(1, 0), { height: 1, index: 0 }], [`ab${'zz'.repeat(31)}`, { height: 1, index: 1 }]] }],
    ['a tx id of odd length', { txs: [['abc', { height: 1, index: 0 }]] }],
    ['a value that is not bytes', { nodeData: new Map([['n/2', 'text' as unknown as Uint8Array]]) }],
  ] as Array<[string, Partial<BlockWrite>]>)('a block with %s is refused whole', async (_, extra) => {
    await expect(store.commitBlock(blockWrite(1, extra))).rejects.toBeInstanceOf(InvalidStoreInputError);
    await expectNothingOf(store, 1);
    expect(await store.head()).toBeUndefined();
  });

  it('starts from a snapshot: its records, header and commit, then blocks from the height above', async () => {
    const records = new Map([['a', utf8('one')], ['b', utf8('two')]]);
    await store.startFromSnapshot({ height: 40, hash: hashOf(40), header: utf8('header 40'), commit: utf8('commit 40'), records, nodeData: [['n/changes', utf8('changes')]] });
    expect(await store.head()).toEqual({ height: 40, hash: hashOf(40) });
    expect(await store.getNodeData('n/changes')).toEqual(utf8('changes'));
    expect(await stateOf(store)).toEqual([['a', 'one'], ['b', 'two']]);
    expect(await store.getNodeData(SNAPSHOT_BASE_KEY)).toEqual(utf8('header 40'));
    expect(await store.getCommit(40)).toEqual(utf8('commit 40'));
    expect(await store.getBlock(40)).toBeUndefined();
    await expect(store.commitBlock(blockWrite(1))).rejects.toBeInstanceOf(HeightMismatchError);
    await store.commitBlock(blockWrite(41));
    expect((await store.head())?.height).toBe(41);
    await expect(store.startFromSnapshot({ height: 50, hash: hashOf(50), header: utf8('h'), commit: utf8('c'), records: [] })).rejects.toBeInstanceOf(HeightMismatchError);
  });

  it('a snapshot whose records throw midway leaves the store empty', async () => {
    function* failing(): Generator<readonly [string, Uint8Array]> {
      yield ['a', utf8('one')];
      throw new Error('chunk failed');
    }
    await expect(store.startFromSnapshot({ height: 9, hash: hashOf(9), header: utf8('h'), commit: utf8('c'), records: failing() })).rejects.toThrow('chunk failed');
    expect(await store.head()).toBeUndefined();
    expect(await stateOf(store)).toEqual([]);
    expect(await store.getNodeData(SNAPSHOT_BASE_KEY)).toBeUndefined();
  });

  it('deletes state and node data; within a block the later change wins', async () => {
    await store.commitBlock(
      blockWrite(1, { stateChanges: new Map([['a', utf8('1')], ['b', utf8('1')], ['c', utf8('1')]]) }),
    );
    await store.commitBlock(
      blockWrite(2, {
        stateChanges: [
          ['a', undefined],
          ['b', utf8('2')],
          ['b', undefined],
          ['c', undefined],
          ['c', utf8('2')],
          ['never', undefined],
        ],
        nodeData: new Map([['n/1', undefined]]),
      }),
    );
    expect(await store.getState('a')).toBeUndefined();
    expect(await store.getState('b')).toBeUndefined();
    expect(await store.getNodeData('n/1')).toBeUndefined();
    expect(await stateOf(store)).toEqual([['c', '2']]);
  });

  it('iterates state in key byte order, filtered by prefix', async () => {
    const keys = ['loan/2', 'account/b', 'loan/10', 'account/a', 'accounts', 'ä', 'z', 'account/é', ''];
    await store.commitBlock(
      blockWrite(1, { stateChanges: new Map(keys.map((key) => [key, utf8(key)])), nodeData: new Map([['account/0', utf8('n')]]) }),
    );
    const byBytes = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect((await stateOf(store)).map(([key]) => key)).toEqual(byBytes);
    expect(await stateOf(store, 'account/')).toEqual([
      ['account/a', 'account/a'],
      ['account/b', 'account/b'],
      ['account/é', 'account/é'],
    ]);
    expect(await stateOf(store, 'nothing/')).toEqual([]);
  });

  it('applies commits in call order without waiting between them', async () => {
    const results = await Promise.allSettled([1, 3, 2, 3].map((height) => store.commitBlock(blockWrite(height))));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((await store.head())?.height).toBe(3);
  });

  it('keeps everything across close and reopen', async () => {
    for (let height = 1; height <= 3; height += 1) await store.commitBlock(blockWrite(height));
    await store.commitBlock(blockWrite(4, { stateChanges: new Map([['h/1', undefined]]) }));
    const before = await stateOf(store);
    await store.close();
    store = await factory.open(dir);
    expect(await store.head()).toEqual({ height: 4, hash: hashOf(4) });
    expect(await stateOf(store)).toEqual(before);
    expect(await store.getState('h/1')).toBeUndefined();
    expect(await store.getBlock(2)).toEqual(utf8('block 2'));
    expect(await store.getTx(txIdOf(3, 1))).toEqual({ height: 3, index: 1 });
    await expect(store.commitBlock(blockWrite(4))).rejects.toBeInstanceOf(HeightMismatchError);
    await store.commitBlock(blockWrite(5));
  });

  it('refuses calls after close but finishes the commits queued before it', async () => {
    const queued = store.commitBlock(blockWrite(1));
    await store.close();
    await queued;
    await expect(store.commitBlock(blockWrite(2))).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.getState('h/1')).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.head()).rejects.toBeInstanceOf(StoreClosedError);
    store = await factory.open(dir);
    expect((await store.head())?.height).toBe(1);
  });

  it('round-trips large and empty values', async () => {
    const block = new Uint8Array(5_000_000);
    for (let i = 0; i < block.length; i += 1) block[i] = (i * 31) % 251;
    const big = new Uint8Array(1_000_000).fill(7, 1000);
    await store.commitBlock(blockWrite(1, { block, stateChanges: new Map([['big', big], ['empty', new Uint8Array()]]) }));
    // Buffer.equals, because a deep equal of 5 MB element by element takes seconds.
    expect(Buffer.from(block).equals((await store.getBlock(1)) ?? new Uint8Array())).toBe(true);
    expect(Buffer.from(big).equals((await store.getState('big')) ?? new Uint8Array())).toBe(true);
    expect(await store.getState('empty')).toEqual(new Uint8Array());
    expect(await stateOf(store)).toHaveLength(2);
  });

  it('does not share buffers with its callers', async () => {
    const value = utf8('original');
    await store.commitBlock(blockWrite(1, { stateChanges: new Map([['a', value], ['b', utf8('other')]]) }));
    value.fill(0);
    const first = await store.getState('a');
    await store.getState('b');
    expect(first).toEqual(utf8('original'));
    first?.fill(0);
    expect(await store.getState('a')).toEqual(utf8('original'));
  });

  it('holds the same state as a map after random blocks', async () => {
    const change = fc.tuple(
      fc.constantFrom('acct/', 'loan/', 'order/', 'ü/'),
      fc.string({ maxLength: 6 }),
      fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }),
    );
    let height = 0;
    const model = new Map<string, Uint8Array>();
    await fc.assert(
      fc.asyncProperty(fc.array(change, { maxLength: 30 }), async (changes) => {
        height += 1;
        const stateChanges = changes.map(([prefix, key, value]) => [prefix + key, value] as const);
        await store.commitBlock(blockWrite(height, { stateChanges }));
        for (const [key, value] of stateChanges) {
          if (value === undefined) model.delete(key);
          else model.set(key, value);
        }
        const stored: Array<readonly [string, Uint8Array]> = [];
        for await (const entry of store.iterateState()) stored.push(entry);
        const expected = [...model.entries()].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        expect(stored).toEqual(expected);
      }),
      { numRuns: 25, seed: 20240601 },
    );
  });
});
