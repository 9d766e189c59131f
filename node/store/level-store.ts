import { ClassicLevel } from 'classic-level';
import { KeyValueStore } from './key-value-store.js';
import { decodeHead, type Head, headKey, type Store, type StoreOp } from './store.js';

/** Options of the classic-level store. */
export interface LevelStoreOptions {
  /**
   * fsync the write-ahead log before a commit resolves (default true). Without it a commit
   * still survives kill -9 (the log write is in the OS page cache), but not a power loss.
   */
  readonly sync?: boolean;
  /** LevelDB's memtable size in bytes (LevelDB's default 4 MiB: about four blocks of 1,000 txs). */
  readonly writeBufferSize?: number;
  /** LevelDB's block cache in bytes (default 8 MiB). */
  readonly cacheSize?: number;
}

// classic-level hands back Buffers even with the 'view' encoding; callers get plain Uint8Arrays.
function view(buffer: Uint8Array): Uint8Array;
function view(buffer: Uint8Array | undefined): Uint8Array | undefined;
function view(buffer: Uint8Array | undefined): Uint8Array | undefined {
  return buffer === undefined ? undefined : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

class LevelStore extends KeyValueStore {
  constructor(
    private readonly db: ClassicLevel<Uint8Array, Uint8Array>,
    private readonly sync: boolean,
    head: Head | undefined,
  ) {
    super(head);
  }

  protected async writeAtomically(ops: Iterable<StoreOp>): Promise<void> {
    // A chained batch: 18–25 ms a block of 5,000 ops here against 54–68 ms for db.batch(array),
    // which clones and checks every op. Nothing reaches the database before write(); a throw
    // while filling it closes it unwritten.
    const batch = this.db.batch();
    try {
      for (const [key, value] of ops) {
        if (value === undefined) batch.del(key);
        else batch.put(key, value);
      }
    } catch (error) {
      await batch.close();
      throw error;
    }
    await batch.write({ sync: this.sync });
  }

  // getSync: 4-9 times the rate of an awaited get() for a point read here (60-150k/s against 17k/s).
  protected readKey(key: Uint8Array): Uint8Array | undefined {
    return view(this.db.getSync(key));
  }

  protected async *scan(start: Uint8Array, end: Uint8Array): AsyncIterable<readonly [Uint8Array, Uint8Array]> {
    for await (const [key, value] of this.db.iterator({ gte: start, lt: end })) yield [key, view(value)];
  }

  protected closeEngine(): Promise<void> {
    return this.db.close();
  }
}

/** Opens (creating if needed) a classic-level store in directory `dir`. */
export async function openLevelStore(dir: string, options: LevelStoreOptions = {}): Promise<Store> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
    keyEncoding: 'view',
    valueEncoding: 'view',
    ...(options.writeBufferSize === undefined ? {} : { writeBufferSize: options.writeBufferSize }),
    ...(options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize }),
  });
  await db.open();
  const stored = await db.get(headKey);
  return new LevelStore(db, options.sync ?? true, stored && decodeHead(stored));
}
