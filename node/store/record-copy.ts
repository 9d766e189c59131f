import { KeyValueStore } from './key-value-store.js';
import type { Head, Store } from './store.js';

/** A store whose records can be copied out whole and into an empty store: what backup and restore use. */
export interface RecordCopy {
  /** Every record, raw, in key byte order, from one snapshot (LevelDB and LMDB). */
  snapshotRecords(): AsyncIterable<readonly [Uint8Array, Uint8Array]>;
  /** Writes raw records into an empty store, the head last; resolves with the head written. */
  importRecords(records: AsyncIterable<readonly [Uint8Array, Uint8Array]>): Promise<Head | undefined>;
}

/** The store's record copy, or undefined for a store that cannot give one (a read-only view). */
export function recordCopyOf(store: Store): RecordCopy | undefined {
  return store instanceof KeyValueStore ? store : undefined;
}
