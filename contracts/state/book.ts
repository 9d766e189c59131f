import type { Order } from './records.js';

/**
 * The order book's priority lists, derived from the open orders in state and kept equal to
 * them on every write. Offers rank by lowest APR, requests by highest APR; then oldest
 * (lowest id) first. Only orders with the same bucket (asset, term, schedule, installments)
 * can ever match, so each bucket has its own lists.
 */
export class OrderBook {
  private readonly buckets = new Map<string, { lend: BookEntry[]; borrow: BookEntry[] }>();

  /** Applies one order write: `before` is the stored order replaced, `after` the new one. */
  update(before: Order | undefined, after: Order | undefined): void {
    if (before && (!after || after.remaining === 0n)) this.remove(before);
    if (after && after.remaining > 0n && (!before || before.remaining === 0n)) this.insert(after);
  }

  /** Order ids of one side of a bucket, best first. */
  ranked(bucket: string, side: Order['side']): readonly number[] {
    const lists = this.buckets.get(bucket);
    return lists ? lists[side].map((entry) => entry.id) : [];
  }

  clear(): void {
    this.buckets.clear();
  }

  /** An independent copy (entries are immutable, so the lists are copied, not the entries). */
  clone(): OrderBook {
    const copy = new OrderBook();
    for (const [key, { lend, borrow }] of this.buckets) copy.buckets.set(key, { lend: lend.slice(), borrow: borrow.slice() });
    return copy;
  }

  private insert(order: Order): void {
    const key = bucketOf(order);
    let lists = this.buckets.get(key);
    if (!lists) {
      lists = { lend: [], borrow: [] };
      this.buckets.set(key, lists);
    }
    const list = lists[order.side];
    const entry = entryOf(order);
    const at = searchIndex(list, entry);
    if (list[at]?.id !== entry.id) list.splice(at, 0, entry);
  }

  private remove(order: Order): void {
    const key = bucketOf(order);
    const lists = this.buckets.get(key);
    if (!lists) return;
    const list = lists[order.side];
    const entry = entryOf(order);
    const at = searchIndex(list, entry);
    if (list[at]?.id === entry.id) list.splice(at, 1);
    if (lists.lend.length === 0 && lists.borrow.length === 0) this.buckets.delete(key);
  }
}

interface BookEntry {
  /** Sort key: APR for offers, negated APR for requests, so lower always ranks first. */
  readonly rank: number;
  readonly id: number;
}

export function bucketOf(terms: { asset: string; term: number; schedule: string; installments: number }): string {
  return `${terms.asset}|${terms.term}|${terms.schedule}|${terms.installments}`;
}

function entryOf(order: Order): BookEntry {
  return { rank: order.side === 'lend' ? order.aprBps : -order.maxAprBps, id: order.id };
}

/** First position whose entry does not rank before `entry`. */
function searchIndex(list: readonly BookEntry[], entry: BookEntry): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const other = list[mid] as BookEntry;
    if (other.rank < entry.rank || (other.rank === entry.rank && other.id < entry.id)) low = mid + 1;
    else high = mid;
  }
  return low;
}
