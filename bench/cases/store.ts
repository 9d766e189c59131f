import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHOSEN_LEVEL_OPTIONS } from '../../node/store/index.js';
import { openLevelStore } from '../../node/store/level-store.js';
import { openLmdbStore } from '../../node/store/lmdb-store.js';
import type { BlockWrite, Store, TxLocation } from '../../node/store/store.js';
import { rounded, type BenchCase, type BenchFigure } from '../harness.js';

/**
 * The store's block write rate and point-read rate, lmdb against classic-level, on realistic
 * blocks: 1,000 txs (≈300 KB of block bytes), 1,000 tx index entries and 3,000 state changes
 * of ≈150 bytes (two thirds updates of existing keys, one third new keys), over a state seeded
 * with 200,000 keys. Every commit is awaited, so the figures include whatever sync each setting
 * does before a commit resolves. Each variant writes the same number of blocks, so the reads
 * and the scan run over states of the same size.
 */

const TXS_PER_BLOCK = 1_000;
const BLOCK_BYTES = 300_000;
const STATE_CHANGES = 3_000;
const NEW_KEYS_PER_BLOCK = 1_000;
const VALUE_BYTES = 150;
const SEED_KEYS = 200_000;
const BLOCKS = 60;
const READ_MS = 1_500;

interface Variant {
  readonly name: string;
  readonly note: string;
  open(dir: string): Promise<Store>;
}

const variants: Variant[] = [
  {
    name: 'lmdb flushed',
    note: 'overlappingSync, commit then await db.flushed: survives kill -9 and power loss',
    open: (dir) => openLmdbStore(dir, { durability: 'flushed' }),
  },
  {
    name: 'lmdb committed',
    note: 'overlappingSync, resolve at commit: survives kill -9, not power loss',
    open: (dir) => openLmdbStore(dir, { durability: 'committed' }),
  },
  {
    name: 'lmdb sync',
    note: 'overlappingSync off: fsync inside the commit',
    open: (dir) => openLmdbStore(dir, { durability: 'sync' }),
  },
  {
    name: 'classic-level sync',
    note: 'batch with { sync: true }, LevelDB defaults: survives kill -9 and power loss',
    open: (dir) => openLevelStore(dir, { sync: true }),
  },
  {
    name: 'classic-level sync, 32 MiB memtable, 64 MiB cache (chosen)',
    note: 'batch with { sync: true }, writeBufferSize 32 MiB, cacheSize 64 MiB: openStore()',
    open: (dir) => openLevelStore(dir, CHOSEN_LEVEL_OPTIONS),
  },
  {
    name: 'classic-level no sync',
    note: 'batch without sync: survives kill -9, not power loss',
    open: (dir) => openLevelStore(dir, { sync: false }),
  },
];

/** Generates blocks over a growing set of state keys, from a pool of random bytes. */
class BlockMaker {
  private readonly pool = randomBytes(4_000_000);
  private readonly keys: string[] = [];
  private height = 0;

  stateKeys(): readonly string[] {
    return this.keys;
  }

  /** The next block: `newKeys` new state keys, the rest of its state changes update existing keys. */
  next(newKeys = NEW_KEYS_PER_BLOCK): BlockWrite {
    this.height += 1;
    const height = this.height;
    const ids = randomBytes(32 * Math.max(TXS_PER_BLOCK, newKeys)).toString('hex');
    const txs: Array<[string, TxLocation]> = [];
    for (let index = 0; index < TXS_PER_BLOCK; index += 1) txs.push([ids.slice(index * 64, index * 64 + 64), { height, index }]);
    const stateChanges = new Map<string, Uint8Array>();
    for (let i = 0; i < newKeys; i += 1) {
      const key = `acct/${height.toString(36)}-${i.toString(36)}-${ids.slice(i * 64, i * 64 + 24)}`;
      this.keys.push(key);
      stateChanges.set(key, this.slice(VALUE_BYTES));
    }
    const size = Math.max(STATE_CHANGES, newKeys);
    while (stateChanges.size < size) stateChanges.set(this.randomKey(), this.slice(VALUE_BYTES));
    return { height, hash: randomBytes(32), block: this.slice(BLOCK_BYTES), commit: this.slice(2_000), txs, stateChanges };
  }

  randomKey(): string {
    return this.keys[Math.floor(Math.random() * this.keys.length)] ?? '';
  }

  private slice(length: number): Uint8Array {
    const start = Math.floor(Math.random() * (this.pool.length - length));
    return this.pool.subarray(start, start + length);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

async function measure(variant: Variant): Promise<BenchFigure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'lendnet-bench-store-'));
  try {
    const store = await variant.open(dir);
    const maker = new BlockMaker();
    // A first block, not timed, gives the updates of later blocks keys to pick from.
    await store.commitBlock(maker.next(SEED_KEYS));
    const latencies: number[] = [];
    let storeMs = 0;
    for (let block = 0; block < BLOCKS; block += 1) {
      const write = maker.next();
      const before = performance.now();
      await store.commitBlock(write);
      const took = performance.now() - before;
      latencies.push(took);
      storeMs += took;
    }
    const blocksPerSecond = (latencies.length * 1000) / storeMs;
    latencies.sort((a, b) => a - b);

    let reads = 0;
    const readStarted = performance.now();
    while (performance.now() - readStarted < READ_MS) {
      for (let i = 0; i < 1_000; i += 1) {
        if ((await store.getState(maker.randomKey())) === undefined) throw new Error('a written state key is missing');
      }
      reads += 1_000;
    }
    const readsPerSecond = (reads * 1000) / (performance.now() - readStarted);

    const scanStarted = performance.now();
    let scanned = 0;
    for await (const entry of store.iterateState()) if (entry[1].length > 0) scanned += 1;
    const scanPerSecond = (scanned * 1000) / (performance.now() - scanStarted);
    await store.close();

    const tag = `${variant.name}`;
    return [
      {
        name: `${tag}: block commits`,
        value: rounded(blocksPerSecond, 1),
        unit: 'blocks/s',
        note: `${variant.note}; ${latencies.length} blocks, commit ms p50 ${rounded(percentile(latencies, 0.5), 1)} p99 ${rounded(percentile(latencies, 0.99), 1)}`,
      },
      { name: `${tag}: state keys written`, value: rounded(blocksPerSecond * STATE_CHANGES), unit: 'keys/s' },
      {
        name: `${tag}: state point reads (awaited getState, random keys)`,
        value: rounded(readsPerSecond),
        unit: 'reads/s',
        note: `${maker.stateKeys().length} keys in state`,
      },
      { name: `${tag}: iterateState (start-up scan)`, value: rounded(scanPerSecond), unit: 'entries/s' },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const bench: BenchCase = {
  name: 'store',
  async run(): Promise<BenchFigure[]> {
    const figures: BenchFigure[] = [];
    for (const variant of variants) figures.push(...(await measure(variant)));
    return figures;
  },
};

export default bench;
