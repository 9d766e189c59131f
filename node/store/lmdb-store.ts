import { open, type RootDatabase } from 'lmdb';
import {
  type BlockWrite,
  blockKey,
  blockOps,
  checkBlockWrite,
  CommitQueue,
  commitKey,
  decodeHead,
  decodeStateKey,
  decodeTxLocation,
  type Head,
  headKey,
  nodeDataKey,
  stateKeyBytes,
  stateRange,
  type Store,
  StoreClosedError,
  type TxLocation,
  txKey,
} from './store.js';

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

class LmdbStore implements Store {
  private readonly queue = new CommitQueue();
  private closed = false;

  constructor(
    private readonly db: RootDatabase<Uint8Array, Uint8Array>,
    private readonly durability: LmdbDurability,
    private current: Head | undefined,
  ) {}

  commitBlock(write: BlockWrite): Promise<void> {
    // Refused when called after close(); commits queued before it still run.
    if (this.closed) return Promise.reject(new StoreClosedError());
    return this.queue.run(async () => {
      checkBlockWrite(write, this.current);
      // A child transaction, because a plain `transaction()` commits the writes a throwing
      // callback made before it threw; a child transaction is aborted instead.
      await this.db.childTransaction(() => {
        for (const [key, value] of blockOps(write)) {
          if (value === undefined) this.db.removeSync(key);
          else this.db.putSync(key, value);
        }
      });
      if (this.durability === 'flushed') await this.db.flushed;
      this.current = { height: write.height, hash: Uint8Array.from(write.hash) };
    });
  }

  async head(): Promise<Head | undefined> {
    this.checkOpen();
    return this.current && { height: this.current.height, hash: Uint8Array.from(this.current.hash) };
  }

  async getBlock(height: number): Promise<Uint8Array | undefined> {
    return this.read(blockKey(height));
  }

  async getCommit(height: number): Promise<Uint8Array | undefined> {
    return this.read(commitKey(height));
  }

  async getTx(id: string): Promise<TxLocation | undefined> {
    const stored = this.read(txKey(id));
    return stored && decodeTxLocation(stored);
  }

  async getState(key: string): Promise<Uint8Array | undefined> {
    return this.read(stateKeyBytes(key));
  }

  async *iterateState(prefix?: string): AsyncIterable<readonly [string, Uint8Array]> {
    this.checkOpen();
    for (const { key, value } of this.db.getRange(stateRange(prefix))) {
      yield [decodeStateKey(key), view(value) ?? new Uint8Array()];
    }
  }

  async getNodeData(key: string): Promise<Uint8Array | undefined> {
    return this.read(nodeDataKey(key));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.drain();
    await this.db.close();
  }

  private read(key: Uint8Array): Uint8Array | undefined {
    this.checkOpen();
    return view(this.db.get(key));
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError();
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
