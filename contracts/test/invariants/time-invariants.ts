/** The time-driven rules: late installments, defaults and expiries happen when due, and only then. */
import type { MarketEvent } from '../../events.js';
import type { MarketState } from '../../state/market-state.js';
import type { Loan } from '../../state/records.js';
import { check } from './check.js';
import { allLoans, openOrders } from './state-queries.js';

/**
 * The time-driven rules fired only when due and only on money owed: an installment made late
 * had something unpaid and was past due plus grace; a defaulted loan's first unpaid
 * installment was past due plus the default period. `before` is each loan as it was.
 */
export function checkTimeEvents(state: MarketState, before: ReadonlyMap<number, Loan>, events: readonly MarketEvent[], time: number): void {
  const { gracePeriod, defaultPeriod } = state.params();
  for (const event of events) {
    if (event.type !== 'installmentLate' && event.type !== 'loanDefaulted') continue;
    const loan = before.get(event.loanId);
    check(loan !== undefined && loan.status === 'active', () => `${event.type} on loan ${event.loanId}, which was not active`);
    const index = event.type === 'installmentLate' ? event.installment : loan.paidInstallments;
    const installment = loan.plan[index];
    check(installment !== undefined && index >= loan.paidInstallments, () => `${event.type} on loan ${loan.id} names installment ${index}, already paid`);
    const paid = index === loan.paidInstallments ? loan.paidInterest + loan.paidPrincipal : 0n;
    check(installment.interest + installment.principal > paid, () => `${event.type} on loan ${loan.id} for installment ${index}, which owes nothing`);
    const at = installment.due + (event.type === 'installmentLate' ? gracePeriod : defaultPeriod);
    check(at <= time, () => `${event.type} on loan ${loan.id} at ${time}, before its time ${at}`);
  }
}

/** After the end of a block at `time`, nothing the end-of-block rules should have done is left undone. */
export function checkNothingOverdue(state: MarketState, time: number): void {
  const { gracePeriod, defaultPeriod } = state.params();
  for (const order of openOrders(state)) check(order.expiresAt > time, () => `order ${order.id} expired at ${order.expiresAt} but is open at ${time}`);
  for (const loan of allLoans(state)) {
    if (loan.status !== 'active') continue;
    const due = loan.plan.filter((p) => p.due + gracePeriod <= time).length;
    check(loan.lateChecks === due, () => `loan ${loan.id} has ${loan.lateChecks} late checks at ${time}, ${due} installments are past grace`);
    const current = loan.plan[loan.paidInstallments] as Loan['plan'][number];
    check(current.due + defaultPeriod > time, () => `loan ${loan.id} is past its default time ${current.due + defaultPeriod} at ${time} and still active`);
  }
}
