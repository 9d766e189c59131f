import { KeyValueStore } from './key-value-store.js';
import { decodeHead, headKey, type Store, type StoreOp } from './store.js';

/**
 * What a memory store keeps: stored key (as a latin1 string, so string order is byte order)
 * → value. Hand the same one to a second `openMemoryStore` to "reopen" the store.
 */
export type MemoryStoreData = Map<string, Uint8Array>;

const asString = (key: Uint8Array): string => Buffer.from(key).toString('latin1');
const asBytes = (key: string): Uint8Array => Uint8Array.from(Buffer.from(key, 'latin1'));

class MemoryStore extends KeyValueStore {
  constructor(private readonly data: MemoryStoreData) {
    const stored = data.get(asString(headKey));
    super(stored && decodeHead(stored));
  }

  protected async writeAtomically(ops: Iterable<StoreOp>): Promise<void> {
    // Every op is taken before any is applied, so a throw midway writes nothing.
    for (const [key, value] of [...ops]) {
      if (value === undefined) this.data.delete(asString(key));
      else this.data.set(asString(key), Uint8Array.from(value));
    }
  }

  protected readKey(key: Uint8Array): Uint8Array | undefined {
    const value = this.data.get(asString(key));
    return value && Uint8Array.from(value);
  }

  protected *scan(start: Uint8Array, end: Uint8Array): Iterable<readonly [Uint8Array, Uint8Array]> {
    const [low, high] = [asString(start), asString(end)];
    for (const key of [...this.data.keys()].filter((k) => k >= low && k < high).sort()) {
      const value = this.data.get(key);
      if (value !== undefined) yield [asBytes(key), Uint8Array.from(value)];
    }
  }

  protected async closeEngine(): Promise<void> {}
}

/** A store held in memory, for tests; pass the `data` of an earlier one to see what it committed. */
export async function openMemoryStore(data: MemoryStoreData = new Map()): Promise<Store> {
  return new MemoryStore(data);
}
