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
  type StoreOp,
  type TxLocation,
  txKey,
} from './store.js';

/**
 * What a memory store keeps: stored key (as a latin1 string, so string order is byte order)
 * → value. Hand the same one to a second `openMemoryStore` to "reopen" the store.
 */
export type MemoryStoreData = Map<string, Uint8Array>;

const asString = (key: Uint8Array): string => Buffer.from(key).toString('latin1');
const asBytes = (key: string): Uint8Array => Uint8Array.from(Buffer.from(key, 'latin1'));

class MemoryStore implements Store {
  private readonly queue = new CommitQueue();
  private closed = false;
  private current: Head | undefined;

  constructor(private readonly data: MemoryStoreData) {
    const stored = data.get(asString(headKey));
    this.current = stored && decodeHead(stored);
  }

  commitBlock(write: BlockWrite): Promise<void> {
    // Refused when called after close(); commits queued before it still run.
    if (this.closed) return Promise.reject(new StoreClosedError());
    return this.queue.run(async () => {
      checkBlockWrite(write, this.current);
      const ops: StoreOp[] = [...blockOps(write)];
      for (const [key, value] of ops) {
        if (value === undefined) this.data.delete(asString(key));
        else this.data.set(asString(key), Uint8Array.from(value));
      }
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
    const [low, high] = [asString(start), asString(end)];
    const keys = [...this.data.keys()].filter((key) => key >= low && key < high).sort();
    for (const key of keys) {
      const value = this.data.get(key);
      if (value !== undefined) yield [decodeStateKey(asBytes(key)), Uint8Array.from(value)];
    }
  }

  async getNodeData(key: string): Promise<Uint8Array | undefined> {
    return this.read(nodeDataKey(key));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.drain();
  }

  private read(key: Uint8Array): Uint8Array | undefined {
    this.checkOpen();
    const value = this.data.get(asString(key));
    return value && Uint8Array.from(value);
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }
}

/** A store held in memory, for tests; pass the `data` of an earlier one to see what it committed. */
export async function openMemoryStore(data: MemoryStoreData = new Map()): Promise<Store> {
  return new MemoryStore(data);
}
