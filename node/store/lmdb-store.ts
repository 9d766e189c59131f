import { open, type RootDatabase } from 'lmdb';
import { KeyValueStore } from './key-value-store.js';
import { decodeHead, type Head, headKey, type Store, type StoreOp } from './store.js';

/**
 * When an lmdb commit counts as done:
 * - `flushed`: overlapping sync, and the commit waits for LMDB's fsync of that transaction
 *   (`db.flushed`): survives kill -9 and power loss.
 * - `committed`: overlapping sync, done when the transaction is committed and visible; the
 *   data is in the OS page cache and lmdb-js reopens at the latest committed transaction while
 *   the boot id is unchanged: survives kill -9, not power loss.
 * - `sync`: no overlapping sync; LMDB fsyncs inside the commit, holding the write lock.
 */
export type LmdbDurability = 'flushed' | 'committed' | 'sync';

/** Options of the lmdb store. */
export interface LmdbStoreOptions {
  readonly durability?: LmdbDurability;
}

function view(buffer: Uint8Array | undefined): Uint8Array | undefined {
  return buffer === undefined ? undefined : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

class LmdbStore extends KeyValueStore {
  constructor(
    private readonly db: RootDatabase<Uint8Array, Uint8Array>,
    private readonly durability: LmdbDurability,
    head: Head | undefined,
  ) {
    super(head);
  }

  protected async writeAtomically(ops: Iterable<StoreOp>): Promise<void> {
    // A child transaction, because a plain `transaction()` commits the writes a throwing
    // callback made before it threw; a child transaction is aborted instead.
    await this.db.childTransaction(() => {
      for (const [key, value] of ops) {
        if (value === undefined) this.db.removeSync(key);
        else this.db.putSync(key, value);
      }
    });
    if (this.durability === 'flushed') await this.db.flushed;
  }

  protected readKey(key: Uint8Array): Uint8Array | undefined {
    return view(this.db.get(key));
  }

  protected *scan(start: Uint8Array, end: Uint8Array): Iterable<readonly [Uint8Array, Uint8Array]> {
    for (const { key, value } of this.db.getRange({ start, end })) yield [key, view(value) ?? new Uint8Array()];
  }

  protected closeEngine(): Promise<void> {
    return this.db.close();
  }
}

/** Opens (creating if needed) an lmdb store in directory `dir`. */
export async function openLmdbStore(dir: string, options: LmdbStoreOptions = {}): Promise<Store> {
  const durability = options.durability ?? 'flushed';
  const db = open<Uint8Array, Uint8Array>(dir, {
    encoding: 'binary',
    keyEncoding: 'binary',
    overlappingSync: durability !== 'sync',
    // Stated, not left to defaults: both would trade away crash safety or abortable transactions.
    noSync: false,
    useWritemap: false,
  });
  const stored = db.get(headKey);
  return new LmdbStore(db, durability, stored && decodeHead(stored));
}
