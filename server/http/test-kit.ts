import type { NetworkFigures } from '../../node/ledger/node-health.js';
import type { IndexView, NodeView } from './sources.js';

/** A node and an index that tests move by hand. */
export class FakeChain implements NodeView, IndexView {
  readonly chainId = 'lendnet-test';
  height = 0;
  time = 1_700_000_000;
  mempoolSize = 0;
  indexed = 0;
  failure: unknown = undefined;
  network: NetworkFigures | undefined = undefined;
  private readonly listeners = new Set<(block: { readonly height: number; readonly txIds: readonly string[] }) => void>();

  status() {
    return { height: this.height, time: this.time, mempoolSize: this.mempoolSize };
  }

  networkStatus() {
    return this.network;
  }

  subscribe(listener: (block: { readonly height: number; readonly txIds: readonly string[] }) => void) {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Commits a block of `txs` transactions, one second after the last. */
  commit(txs: number): void {
    this.height += 1;
    this.time += 1;
    const block = { height: this.height, txIds: Array.from({ length: txs }, (_, i) => `tx-${this.height}-${i}`) };
    for (const listener of this.listeners) listener(block);
  }

  listenerCount(): number {
    return this.listeners.size;
  }

  indexedHeight() {
    return this.indexed;
  }

  lag() {
    return Math.max(0, this.height - this.indexed);
  }

  failed() {
    return this.failure;
  }
}

/** The value of an unlabelled sample in Prometheus text. */
export function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no sample ${name} in the metrics`);
  return Number(line.slice(name.length + 1));
}
