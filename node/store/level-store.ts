import { ClassicLevel } from 'classic-level';
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

class LevelStore implements Store {
  private readonly queue = new CommitQueue();
  private closed = false;

  constructor(
    private readonly db: ClassicLevel<Uint8Array, Uint8Array>,
    private readonly sync: boolean,
    private current: Head | undefined,
  ) {}

  commitBlock(write: BlockWrite): Promise<void> {
    // Refused when called after close(); commits queued before it still run.
    if (this.closed) return Promise.reject(new StoreClosedError());
    return this.queue.run(async () => {
      checkBlockWrite(write, this.current);
      // A chained batch: 18–25 ms a block of 5,000 ops here against 54–68 ms for
      // db.batch(array), whose per-op objects abstract-level checks and copies. Nothing lands
      // before write(); a throw while filling it closes it unwritten.
      const batch = this.db.batch();
      try {
        for (const [key, value] of blockOps(write)) {
          if (value === undefined) batch.del(key);
          else batch.put(key, value);
        }
      } catch (error) {
        await batch.close();
        throw error;
      }
      await batch.write({ sync: this.sync });
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
    const { start, end } = stateRange(prefix);
    for await (const [key, value] of this.db.iterator({ gte: start, lt: end })) yield [decodeStateKey(key), view(value)];
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

  // getSync: 4-9 times the rate of an awaited get() for a point read here (60-150k/s against 17k/s).
  private read(key: Uint8Array): Uint8Array | undefined {
    this.checkOpen();
    return view(this.db.getSync(key));
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError();
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
