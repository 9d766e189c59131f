/**
 * Times at which an order or a loan may need an end-of-block rule (expiry, lateness,
 * default), as a min-heap. Entries are hints: whoever pops one checks it against the record
 * in state, so an entry made stale by a later write is simply skipped. Pop order is by
 * (time, kind, id), which depends on state alone, so every node applies the rules in the
 * same order.
 */
export interface Timer {
  readonly time: number;
  readonly kind: 'order' | 'loan';
  readonly id: number;
}

export class TimerQueue {
  private heap: Timer[] = [];

  push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!before(heap[i] as Timer, heap[parent] as Timer)) break;
      [heap[i], heap[parent]] = [heap[parent] as Timer, heap[i] as Timer];
      i = parent;
    }
  }

  /** Removes and returns the earliest timer due at or before `now`. */
  popDue(now: number): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (!top || top.time > now) return undefined;
    const last = heap.pop() as Timer;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left] as Timer, heap[smallest] as Timer)) smallest = left;
        if (right < heap.length && before(heap[right] as Timer, heap[smallest] as Timer)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest] as Timer, heap[i] as Timer];
        i = smallest;
      }
    }
    return top;
  }

  get size(): number {
    return this.heap.length;
  }

  clear(): void {
    this.heap = [];
  }

  /** An independent copy (timers are immutable, so only the heap array is copied). */
  clone(): TimerQueue {
    const copy = new TimerQueue();
    copy.heap = this.heap.slice();
    return copy;
  }
}

function before(a: Timer, b: Timer): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.kind !== b.kind) return a.kind === 'order';
  return a.id < b.id;
}
