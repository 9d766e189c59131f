/** Counts of what the runs applied, refused and emitted, to show that the mix exercises the market. */
import type { MarketEvent } from '../../events.js';
import { verifierCallCount } from './signing.js';

export interface Stats {
  runs: number;
  steps: number;
  applied: Map<string, number>;
  refused: Map<string, number>;
  events: Map<string, number>;
}

export const stats: Stats = { runs: 0, steps: 0, applied: new Map(), refused: new Map(), events: new Map() };

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export function countEvents(events: readonly MarketEvent[]): void {
  for (const event of events) bump(stats.events, event.type);
}

/** An applied transaction, its events, and the rarer shapes of them worth seeing in the counts. */
export function countApplied(type: string, events: readonly MarketEvent[]): void {
  bump(stats.applied, type);
  for (const event of events) {
    bump(stats.events, event.type);
    if (event.type === 'loanOriginated' && event.loan.shares.length > 1) bump(stats.events, 'loanOriginated(several lenders)');
    if (event.type === 'repayment' && event.prepay) bump(stats.events, 'repayment(prepay)');
  }
}

export function countRefused(type: string, code: string): void {
  bump(stats.refused, `${type}:${code}`);
}

function top(counts: Map<string, number>): string {
  return [...counts.entries()].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k}=${v}`).join(' ');
}

export function statsReport(seed: number, seconds: number): string {
  return (
    `invariants: seed ${seed}, ${stats.runs} runs, ${stats.steps} txs in ${seconds.toFixed(1)} s (verifier calls ${verifierCallCount()})\n` +
    `  applied: ${top(stats.applied)}\n  events: ${top(stats.events)}\n  refused: ${top(stats.refused)}`
  );
}
