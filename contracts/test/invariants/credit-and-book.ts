/** The records the market derives: each account's credit and the order book. */
import { bucketOf } from '../../state/book.js';
import { MarketState } from '../../state/market-state.js';
import { canon, check } from './check.js';
import type { Actor } from './signing.js';
import { allLoans, openOrders } from './state-queries.js';

/** Each credit record of `accounts` follows from the loans in the ledger. */
export function checkCredit(state: MarketState, accounts: readonly Actor[]): void {
  const loans = allLoans(state);
  for (const { key } of accounts) {
    const mine = loans.filter((l) => l.borrower === key.account);
    const expected = {
      loansTaken: mine.length,
      loansRepaid: mine.filter((l) => l.status === 'repaid').length,
      repaidOnTime: mine.filter((l) => l.status === 'repaid' && l.lateInstallments === 0).length,
      latePayments: mine.reduce((sum, l) => sum + l.lateInstallments, 0),
      defaults: mine.filter((l) => l.status === 'defaulted').length,
    };
    check(canon(state.credit(key.account)) === canon(expected), () => `credit of ${key.account.slice(0, 8)} is ${canon(state.credit(key.account))}, the loans say ${canon(expected)}`);
  }
}

/** The book the state keeps equals the book a state rebuilt from its records derives. */
export function checkBook(state: MarketState): void {
  const rebuilt = MarketState.fromRecords(state.entries());
  const buckets = new Set(openOrders(state).map((o) => bucketOf(o)));
  for (const bucket of buckets) {
    for (const side of ['lend', 'borrow'] as const) {
      const live = state.book.ranked(bucket, side);
      check(canon(live) === canon(rebuilt.book.ranked(bucket, side)), () => `book ${bucket}/${side} differs from its rebuild`);
      const open = openOrders(state).filter((o) => o.side === side && bucketOf(o) === bucket);
      check(live.length === open.length, () => `book ${bucket}/${side} lists ${live.length} orders, state has ${open.length}`);
    }
  }
}
