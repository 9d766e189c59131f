import { accruedInterest } from '../../contracts/loans/schedule';
import { amountOf } from '../lib/amounts';

/** A loan as loans.byId gives it, reduced to what the payment figures need (amounts as decimal strings). */
export interface LoanFile {
  readonly term: number;
  readonly installments: number;
  readonly status: 'active' | 'repaid' | 'defaulted';
  readonly paidInstallments: number;
  readonly paidInterest: string;
  readonly paidPrincipal: string;
  readonly lateFeeOwed: string;
  readonly plan: readonly { readonly number: number; readonly due: number; readonly principal: string; readonly interest: string }[];
}

/**
 * What pays the next installment in full now, by the chain's waterfall (docs/protocol.md §9.4):
 * late fees owed, then what is left of the first installment not fully paid.
 */
export function nextInstallment(loan: LoanFile): { readonly index: number; readonly due: number; readonly amount: bigint } | undefined {
  if (loan.status !== 'active') return undefined;
  const installment = loan.plan[loan.paidInstallments];
  if (!installment) return undefined;
  const left = amountOf(installment.principal) + amountOf(installment.interest) - amountOf(loan.paidInterest) - amountOf(loan.paidPrincipal);
  return { index: loan.paidInstallments, due: installment.due, amount: amountOf(loan.lateFeeOwed) + left };
}

/**
 * What paying the loan off costs at `now` (seconds), as contracts/loans/payments.ts quotes it: late
 * fees, the interest earned so far and all principal left. The chain quotes again at the block's time.
 */
export function payoffEstimate(loan: LoanFile, now: number): bigint {
  if (loan.status !== 'active') return 0n;
  const period = loan.term / loan.installments;
  let owed = amountOf(loan.lateFeeOwed);
  for (let i = loan.paidInstallments; i < loan.plan.length; i++) {
    const installment = loan.plan[i]!;
    const first = i === loan.paidInstallments;
    const paidInterest = first ? amountOf(loan.paidInterest) : 0n;
    const earned = accruedInterest(amountOf(installment.interest), now - (installment.due - period), period);
    owed += (earned > paidInterest ? earned - paidInterest : 0n) + amountOf(installment.principal) - (first ? amountOf(loan.paidPrincipal) : 0n);
  }
  return owed;
}

/** Everything left to pay on the loan at its full schedule, as contracts/' amountOwed counts it: late fees owed, then every installment not yet paid. */
export function totalOwed(loan: LoanFile): bigint {
  if (loan.status !== 'active') return 0n;
  let owed = amountOf(loan.lateFeeOwed) - amountOf(loan.paidInterest) - amountOf(loan.paidPrincipal);
  for (let i = loan.paidInstallments; i < loan.plan.length; i++) owed += amountOf(loan.plan[i]!.principal) + amountOf(loan.plan[i]!.interest);
  return owed;
}
