import { progressOf } from '../events.js';
import { BPS, divideHalfUp, splitProRata } from '../money.js';
import type { MarketState } from '../state/market-state.js';
import type { Loan } from '../state/records.js';
import { defaultTime, lateTime } from './timing.js';

/**
 * Applies the time-driven rules to one loan up to `now`: each installment still unpaid at
 * its due time plus the grace period becomes late and is charged the late fee once; a loan
 * whose first unpaid installment is still unpaid at its due time plus the default period
 * defaults. Idempotent: applying it twice at one time changes nothing the second time.
 */
export function catchUp(state: MarketState, loanId: number, now: number, declaredBy?: string): Loan {
  const params = state.params();
  const original = state.loan(loanId) as Loan;
  let loan = original;
  while (loan.status === 'active' && loan.lateChecks < loan.plan.length && lateTime(loan, loan.lateChecks, params) <= now) {
    const index = loan.lateChecks;
    if (index < loan.paidInstallments) {
      loan = { ...loan, lateChecks: index + 1 };
      continue;
    }
    const installment = loan.plan[index] as Loan['plan'][number];
    const paidOnIt = index === loan.paidInstallments ? loan.paidInterest + loan.paidPrincipal : 0n;
    const unpaid = installment.interest + installment.principal - paidOnIt;
    if (unpaid === 0n) {
      // An installment of zero (rounding of a tiny loan) owes nothing, so it cannot be late.
      loan = { ...loan, lateChecks: index + 1 };
      continue;
    }
    const fee = divideHalfUp(unpaid * BigInt(params.lateFeeBps), BPS);
    loan = { ...loan, lateChecks: index + 1, lateFeeOwed: loan.lateFeeOwed + fee, lateInstallments: loan.lateInstallments + 1 };
    state.emit({ type: 'installmentLate', loanId, installment: index, fee, progress: progressOf(loan) });
    state.updateCredit(loan.borrower, (record) => ({ ...record, latePayments: record.latePayments + 1 }));
  }
  if (loan !== original) state.putLoan(loan);
  const defaultsAt = defaultTime(loan, params);
  if (loan.status === 'active' && defaultsAt !== undefined && defaultsAt <= now) loan = defaultLoan(state, loan, now, declaredBy);
  return loan;
}

/** Closes a loan in default: its collateral goes to the lenders pro rata to their shares. */
function defaultLoan(state: MarketState, loan: Loan, now: number, declaredBy: string | undefined): Loan {
  const closed: Loan = { ...loan, status: 'defaulted', closedAt: now };
  state.putLoan(closed);
  const collateral: { lender: string; amount: bigint }[] = [];
  if (loan.collateral) {
    const parts = splitProRata(
      loan.collateral.amount,
      loan.shares.map((share) => share.principal),
    );
    loan.shares.forEach((share, i) => {
      const amount = parts[i] as bigint;
      collateral.push({ lender: share.lender, amount });
      state.addBalance(share.lender, (loan.collateral as { asset: string }).asset, amount);
    });
  }
  state.emit({ type: 'loanDefaulted', loanId: loan.id, ...(declaredBy ? { declaredBy } : {}), collateral, progress: progressOf(closed) });
  state.updateCredit(loan.borrower, (record) => ({ ...record, defaults: record.defaults + 1 }));
  return closed;
}

/** Closes a fully paid loan: the collateral goes back to the borrower. */
export function closeRepaid(state: MarketState, loan: Loan, now: number): Loan {
  const closed: Loan = { ...loan, status: 'repaid', closedAt: now };
  state.putLoan(closed);
  const returned = loan.collateral?.amount ?? 0n;
  if (loan.collateral) state.addBalance(loan.borrower, loan.collateral.asset, returned);
  state.emit({ type: 'loanRepaid', loanId: loan.id, collateralReturned: returned, progress: progressOf(closed) });
  state.updateCredit(loan.borrower, (record) => ({
    ...record,
    loansRepaid: record.loansRepaid + 1,
    repaidOnTime: record.repaidOnTime + (loan.lateInstallments === 0 ? 1 : 0),
  }));
  return closed;
}
