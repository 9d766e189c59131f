import {
  type BlockWrite,
  blockKey,
  blockOps,
  checkBlockWrite,
  CommitQueue,
  commitKey,
  decodeStateKey,
  decodeTxLocation,
  type Head,
  nodeDataKey,
  stateKeyBytes,
  stateRange,
  type Store,
  StoreClosedError,
  type StoreOp,
  type TxLocation,
  txKey,
} from './store.js';

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
