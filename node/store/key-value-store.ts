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
  HeightMismatchError,
  InvalidStoreInputError,
  nodeDataKey,
  stateKeyBytes,
  stateRange,
  type Store,
  StoreClosedError,
  type SnapshotWrite,
  snapshotOps,
  type StoreOp,
  type TxLocation,
  txKey,
} from './store.js';

/** How many bytes of records one batch of an import writes. */
const IMPORT_BATCH_BYTES = 4 << 20;

/**
 * The Store on any ordered key-value engine: key layout, height checks, commit ordering and
 * the closed state live here; an engine supplies an atomic durable write, a point read, a
 * range scan and its own close.
 */
export abstract class KeyValueStore implements Store {
  private readonly queue = new CommitQueue();
  private closed = false;

  protected constructor(private current: Head | undefined) {}

  /** Writes every op or none, durably, before resolving; a throw from `ops` must write nothing. */
  protected abstract writeAtomically(ops: Iterable<StoreOp>): Promise<void>;
  protected abstract readKey(key: Uint8Array): Uint8Array | undefined;
  protected abstract scan(start: Uint8Array, end: Uint8Array): AsyncIterable<readonly [Uint8Array, Uint8Array]> | Iterable<readonly [Uint8Array, Uint8Array]>;
  protected abstract closeEngine(): Promise<void>;

  commitBlock(write: BlockWrite): Promise<void> {
    // Refused when called after close(); commits queued before it still run.
    if (this.closed) return Promise.reject(new StoreClosedError());
    return this.queue.run(async () => {
      checkBlockWrite(write, this.current);
      await this.writeAtomically(blockOps(write));
      this.current = { height: write.height, hash: Uint8Array.from(write.hash) };
    });
  }

  startFromSnapshot(write: SnapshotWrite): Promise<void> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    return this.queue.run(async () => {
      if (this.current) throw new HeightMismatchError(this.current.height + 1, write.height);
      // One batch: a crash or a refusal part way leaves the store empty, never half a state.
      await this.writeAtomically(snapshotOps(write));
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
    for await (const [key, value] of this.scan(start, end)) yield [decodeStateKey(key), value];
  }

  async getNodeData(key: string): Promise<Uint8Array | undefined> {
    return this.read(nodeDataKey(key));
  }

  /**
   * Every stored record, raw, in key byte order. LevelDB and LMDB read them from one snapshot
   * taken at the first step, so blocks committed meanwhile are not seen: what a backup copies.
   */
  async *snapshotRecords(): AsyncIterable<readonly [Uint8Array, Uint8Array]> {
    this.checkOpen();
    yield* this.scan(Uint8Array.of(0x00), Uint8Array.of(0xff));
  }

  /**
   * Writes raw records (a backup's) into this store, which must be empty, in batches of about
   * 4 MB; the head record goes last, so the store has no head until every record is in.
   * Resolves with the head written, if the records held one.
   */
  importRecords(records: AsyncIterable<readonly [Uint8Array, Uint8Array]>): Promise<Head | undefined> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    return this.queue.run(async () => {
      if (this.current) throw new InvalidStoreInputError('Records can only be imported into an empty store');
      let head: Uint8Array | undefined;
      let batch: StoreOp[] = [];
      let size = 0;
      for await (const [key, value] of records) {
        if (Buffer.compare(key, headKey) === 0) {
          head = value;
          continue;
        }
        batch.push([key, value]);
        size += key.length + value.length;
        if (size >= IMPORT_BATCH_BYTES) {
          await this.writeAtomically(batch);
          batch = [];
          size = 0;
        }
      }
      if (head) batch.push([headKey, head]);
      await this.writeAtomically(batch);
      this.current = head && decodeHead(head);
      return this.current && { height: this.current.height, hash: Uint8Array.from(this.current.hash) };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.drain();
    await this.closeEngine();
  }

  private read(key: Uint8Array): Uint8Array | undefined {
    this.checkOpen();
    return this.readKey(key);
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }
}
