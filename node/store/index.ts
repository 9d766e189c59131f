/**
 * The node's store: classic-level (LevelDB), every block one `batch().write({ sync: true })`,
 * with a 32 MiB memtable and a 64 MiB block cache.
 *
 * Why, from `npx tsx bench/run.ts store` (three runs on this 2-core VM; blocks of 1,000 txs:
 * 300 KB of block bytes, 1,000 tx index entries, 3,000 state changes of 150 bytes, over a state
 * of 200,000–260,000 keys; every commit awaited and durable against power loss):
 *
 * | store                          | blocks/s  | state keys/s | commit p50 / p99 ms | point reads/s | scan entries/s |
 * |--------------------------------|-----------|--------------|---------------------|---------------|----------------|
 * | classic-level, chosen options  | 53–72     | 158k–216k    | 12–17 / 58–91       | 114k–125k     | 161k–233k      |
 * | classic-level, defaults        | 64–72     | 193k–214k    | 11 / 156–209        | 110k–144k     | 175k–242k      |
 * | lmdb, commit + `db.flushed`    | 13.6–15.7 | 41k–47k      | 64–74 / 97–118      | 215k–303k     | 228k–360k      |
 *
 * LevelDB commits a block 4–5 times faster. LMDB's B-tree copies every page a random key
 * lands on: ~12 MB of page writes per block (3,000 random 4 KB pages), which this disk saw as
 * 66–88 MB (`write_bytes`), against ~2 MB for LevelDB's log and compactions. LMDB reads twice
 * as fast, but the node keeps the market state in memory (`MarketState.fromRecords` at
 * start-up), so store point reads are off the hot path, and 110k/s serves blocks and tx
 * lookups. The commit is on consensus's path every height, so write speed decides. The larger
 * memtable cuts the compaction stalls in the tail (p99 58–91 ms against 156–209 ms).
 *
 * Durability: `sync: true` fsyncs LevelDB's log before the write resolves; LevelDB applies a
 * batch whole or not at all on recovery (crash.test.ts: 20 kill -9s). lmdb would be as safe
 * (overlappingSync, awaiting `db.flushed`; also in crash.test.ts) and stays here for tests and
 * the bench; its three durability modes measure alike, since the page writes, not the fsync,
 * dominate.
 */
import { type LevelStoreOptions, openLevelStore } from './level-store.js';
import type { Store } from './store.js';

export * from './store.js';
export { openLmdbStore, type LmdbDurability, type LmdbStoreOptions } from './lmdb-store.js';
export { openLevelStore, type LevelStoreOptions } from './level-store.js';
export { openMemoryStore, type MemoryStoreData } from './memory-store.js';

/** The classic-level settings the node runs with. */
export const CHOSEN_LEVEL_OPTIONS: LevelStoreOptions = { sync: true, writeBufferSize: 32 << 20, cacheSize: 64 << 20 };

/** Opens (creating if needed) the node's store in directory `dir`. */
export function openStore(dir: string): Promise<Store> {
  return openLevelStore(dir, CHOSEN_LEVEL_OPTIONS);
}
