/** What borrowers pay is what lenders get, and each loan's `totalPaid` sums its repayments. */
import type { MarketEvent } from '../../events.js';
import type { MarketState } from '../../state/market-state.js';
import type { Loan } from '../../state/records.js';
import { canon, check } from './check.js';
import { allLoans } from './state-queries.js';

type Paid = Loan['totalPaid'];
/** What each loan's repayment events have paid so far in a run. */
export type PaidByLoan = Map<number, Paid>;

const NOTHING_PAID: Paid = { lateFees: 0n, interest: 0n, principal: 0n };
const PARTS = [['lateFees', 'late fees'], ['interest', 'interest'], ['principal', 'principal']] as const;

/** The state's canonical text and its balances, taken before and after a transaction. */
export interface Snapshot {
  readonly canonical: string;
  readonly balances: Map<string, bigint>;
}

export function snapshot(state: MarketState): Snapshot {
  const entries = state.entries();
  const balances = new Map<string, bigint>();
  for (const [key, value] of entries) if (key.startsWith('balance/')) balances.set(key, value as bigint);
  return { canonical: canon(entries), balances };
}

/**
 * What the borrower paid is what the lenders got: per repayment event the lenders' parts
 * sum to the event's late fees, interest and principal, and the balances of the loan's
 * asset moved by exactly those amounts (payer down by the total, each lender up by its part).
 */
export function checkRepayments(state: MarketState, events: readonly MarketEvent[], before: Snapshot, after: Snapshot, paidByLoan: PaidByLoan): void {
  const expected = new Map<string, bigint>();
  const assets = new Set<string>();
  const add = (account: string, asset: string, delta: bigint) => {
    const key = `balance/${account}/${asset}`;
    expected.set(key, (expected.get(key) ?? 0n) + delta);
  };
  for (const event of events) {
    if (event.type !== 'repayment') continue;
    const loan = state.loan(event.loanId) as Loan;
    assets.add(loan.asset);
    for (const part of [event.lateFees, event.interest, event.principal, event.interestWaived]) check(part >= 0n, () => `repayment on loan ${loan.id} has a negative part`);
    for (const [part, name] of PARTS) {
      const lenders = event.lenders.reduce((sum, p) => sum + p[part], 0n);
      check(lenders === event[part], () => `loan ${loan.id}: lenders' ${name} ≠ paid ${name}`);
    }
    add(event.payer, loan.asset, -(event.lateFees + event.interest + event.principal));
    for (const p of event.lenders) {
      check(p.lateFees >= 0n && p.interest >= 0n && p.principal >= 0n, () => `loan ${loan.id}: negative lender part`);
      add(p.lender, loan.asset, p.lateFees + p.interest + p.principal);
    }
    const sofar = paidByLoan.get(loan.id) ?? NOTHING_PAID;
    paidByLoan.set(loan.id, { lateFees: sofar.lateFees + event.lateFees, interest: sofar.interest + event.interest, principal: sofar.principal + event.principal });
  }
  if (assets.size === 0) return;
  const keys = new Set([...before.balances.keys(), ...after.balances.keys(), ...expected.keys()]);
  for (const key of keys) {
    if (!assets.has(key.slice(key.lastIndexOf('/') + 1))) continue;
    const actual = (after.balances.get(key) ?? 0n) - (before.balances.get(key) ?? 0n);
    check(actual === (expected.get(key) ?? 0n), () => `${key} moved by ${actual}, the repayments say ${expected.get(key) ?? 0n}`);
  }
}

/** Each loan's `totalPaid` is the sum of its repayment events. */
export function checkTotals(state: MarketState, paidByLoan: PaidByLoan): void {
  for (const loan of allLoans(state)) {
    const paid = paidByLoan.get(loan.id) ?? NOTHING_PAID;
    check(canon(paid) === canon(loan.totalPaid), () => `loan ${loan.id} totalPaid ${canon(loan.totalPaid)} but its repayments sum to ${canon(paid)}`);
  }
}
