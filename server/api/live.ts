import { LruMap } from '../../contracts/lru-map.js';
import type { SubmitResult } from '../../node/ledger/ledger-node.js';
import type { Projector } from '../index/projector.js';

/**
 * Ticks once at the start and then each time the index advances, until one of the signals
 * aborts. Notifications that arrive while the consumer is busy collapse into one tick, so a
 * slow subscriber catches up with one query rather than a queue of them.
 */
export async function* indexTicks(projector: Projector, signals: readonly (AbortSignal | undefined)[]): AsyncGenerator<void> {
  let pending = true;
  let wake: (() => void) | undefined;
  const notify = () => {
    pending = true;
    wake?.();
  };
  const aborted = () => signals.some((signal) => signal?.aborted === true);
  const off = projector.onIndexed(notify);
  for (const signal of signals) signal?.addEventListener('abort', notify);
  try {
    while (!aborted()) {
      if (!pending) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (pending) resolve();
        });
        wake = undefined;
      }
      if (aborted()) return;
      pending = false;
      yield;
    }
  } finally {
    off();
    for (const signal of signals) signal?.removeEventListener('abort', notify);
  }
}

/** Resolves true once the index holds `height`, false after `timeoutMs` or an abort. */
export function waitIndexed(projector: Projector, height: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  if (projector.indexedHeight() >= height) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (indexed: boolean) => {
      off();
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(indexed);
    };
    const onAbort = () => done(false);
    const off = projector.onIndexed((indexed) => {
      if (indexed >= height) done(true);
    });
    const timer = setTimeout(() => done(projector.indexedHeight() >= height), timeoutMs);
    signal?.addEventListener('abort', onAbort);
    // The block may have been indexed between the first check and the listener.
    if (projector.indexedHeight() >= height) done(true);
  });
}

/** The most outcomes of recent submissions remembered for `tx.status`. */
const REMEMBERED = 10_000;

/**
 * Transactions submitted through this API: those waiting for their block, and the outcome of
 * recent ones, so `tx.status` can say pending or refused for a transaction the chain does not hold.
 */
export class Submissions {
  private readonly waiting = new Map<string, number>();
  private readonly outcomes = new LruMap<string, SubmitResult>(REMEMBERED);

  /** Follows a submission in flight; resolves with its result as the node gives it. */
  track(id: string, result: Promise<SubmitResult>): Promise<SubmitResult> {
    this.waiting.set(id, (this.waiting.get(id) ?? 0) + 1);
    const settle = () => {
      const left = (this.waiting.get(id) ?? 1) - 1;
      if (left > 0) this.waiting.set(id, left);
      else this.waiting.delete(id);
    };
    return result.then(
      (outcome) => {
        settle();
        this.remember(id, outcome);
        return outcome;
      },
      (error: unknown) => {
        settle();
        throw error;
      },
    );
  }

  isPending(id: string): boolean {
    return this.waiting.has(id);
  }

  pendingCount(): number {
    return this.waiting.size;
  }

  outcome(id: string): SubmitResult | undefined {
    return this.outcomes.peek(id);
  }

  private remember(id: string, outcome: SubmitResult): void {
    // ALREADY_KNOWN says nothing new about a transaction still waiting.
    if (outcome.status === 'refused' && outcome.code === 'ALREADY_KNOWN') return;
    this.outcomes.set(id, outcome);
  }
}
