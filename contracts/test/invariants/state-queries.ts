/** Reads of the market state the generator and the checks share. */
import type { MarketState } from '../../state/market-state.js';
import type { Loan, Order } from '../../state/records.js';

/** The records with ids 1 to `next` − 1 that `read` still finds. */
function existing<T>(next: number, read: (id: number) => T | undefined): T[] {
  const out: T[] = [];
  for (let id = 1; id < next; id++) {
    const record = read(id);
    if (record) out.push(record);
  }
  return out;
}

export function openOrders(state: MarketState): Order[] {
  return existing(state.counters().nextOrderId, (id) => state.order(id));
}

export function allLoans(state: MarketState): Loan[] {
  return existing(state.counters().nextLoanId, (id) => state.loan(id));
}

export function loansById(state: MarketState): Map<number, Loan> {
  return new Map(allLoans(state).map((l) => [l.id, l]));
}
