import type { NetworkParams } from '../params.js';
import type { Loan } from '../state/records.js';

/** When installment `index` becomes late if still unpaid. */
export function lateTime(loan: Loan, index: number, params: NetworkParams): number {
  return (loan.plan[index] as Loan['plan'][number]).due + params.gracePeriod;
}

/** When the loan defaults if its first unpaid installment is still unpaid. */
export function defaultTime(loan: Loan, params: NetworkParams): number | undefined {
  const installment = loan.plan[loan.paidInstallments];
  return installment ? installment.due + params.defaultPeriod : undefined;
}

/** The next time an end-of-block rule may change this loan, or undefined if none can. */
export function nextAttention(loan: Loan, params: NetworkParams): number | undefined {
  if (loan.status !== 'active') return undefined;
  const late = loan.lateChecks < loan.plan.length ? lateTime(loan, loan.lateChecks, params) : undefined;
  const defaults = defaultTime(loan, params);
  if (late === undefined) return defaults;
  if (defaults === undefined) return late;
  return Math.min(late, defaults);
}
