import { type LenderPayment, progressOf } from '../events.js';
import { minBig, splitProRata } from '../money.js';
import type { MarketState } from '../state/market-state.js';
import type { Installment, Loan } from '../state/records.js';
import { accruedInterest } from './schedule.js';
import { closeRepaid } from './settlement.js';

/** Everything still owed under the schedule: late fees, then every installment's remainder. */
export function amountOwed(loan: Loan): bigint {
  let owed = loan.lateFeeOwed - loan.paidInterest - loan.paidPrincipal;
  for (let i = loan.paidInstallments; i < loan.plan.length; i++) {
    const installment = loan.plan[i] as Installment;
    owed += installment.interest + installment.principal;
  }
  return owed;
}

/**
 * The first installment from `from` on that has anything to pay. Installments of zero (a
 * tiny principal's rounding, a bullet's interest-only periods at a rate that rounds to
 * nothing) are settled as soon as they are reached, so they never fall late or default.
 */
export function firstOwingInstallment(plan: readonly Installment[], from: number): number {
  let index = from;
  for (let installment = plan[index]; installment && installment.interest === 0n && installment.principal === 0n; installment = plan[index]) index += 1;
  return index;
}

export interface PaymentParts {
  readonly lateFees: bigint;
  readonly interest: bigint;
  readonly principal: bigint;
}

/**
 * Pays `amount` into a loan by the waterfall: late fees owed first, then installment by
 * installment in due order, each one's interest before its principal. Paying ahead of the
 * schedule pays future installments as scheduled.
 */
export function applyRepayment(state: MarketState, loan: Loan, payer: string, amount: bigint, now: number): Loan {
  let left = amount;
  const lateFees = left < loan.lateFeeOwed ? left : loan.lateFeeOwed;
  left -= lateFees;
  let interest = 0n;
  let principal = 0n;
  let { paidInstallments, paidInterest, paidPrincipal } = loan;
  while (left > 0n && paidInstallments < loan.plan.length) {
    const installment = loan.plan[paidInstallments] as Installment;
    const towardInterest = minBig(left, installment.interest - paidInterest);
    paidInterest += towardInterest;
    interest += towardInterest;
    left -= towardInterest;
    const towardPrincipal = minBig(left, installment.principal - paidPrincipal);
    paidPrincipal += towardPrincipal;
    principal += towardPrincipal;
    left -= towardPrincipal;
    if (paidInterest === installment.interest && paidPrincipal === installment.principal) {
      paidInstallments += 1;
      paidInterest = 0n;
      paidPrincipal = 0n;
    }
  }
  // A payment that ends an installment also settles any zero installments after it.
  paidInstallments = firstOwingInstallment(loan.plan, paidInstallments);
  const updated: Loan = { ...loan, paidInstallments, paidInterest, paidPrincipal, lateFeeOwed: loan.lateFeeOwed - lateFees };
  return settle(state, updated, payer, { lateFees, interest, principal }, 0n, false, now);
}

/**
 * What paying the loan off now costs: late fees owed, the interest of every installment
 * already due, the interest the current period has earned so far (pro rata by time), and
 * all the principal left. The interest of later periods is waived.
 */
export function payoffQuote(loan: Loan, now: number): PaymentParts & { readonly interestWaived: bigint } {
  const period = loan.term / loan.installments;
  let interest = 0n;
  let interestLeft = 0n;
  let principal = 0n;
  for (let i = loan.paidInstallments; i < loan.plan.length; i++) {
    const installment = loan.plan[i] as Installment;
    const paidInterest = i === loan.paidInstallments ? loan.paidInterest : 0n;
    const paidPrincipal = i === loan.paidInstallments ? loan.paidPrincipal : 0n;
    const earned = accruedInterest(installment.interest, now - (installment.due - period), period);
    interest += earned > paidInterest ? earned - paidInterest : 0n;
    interestLeft += installment.interest - paidInterest;
    principal += installment.principal - paidPrincipal;
  }
  return { lateFees: loan.lateFeeOwed, interest, principal, interestWaived: interestLeft - interest };
}

/** Pays the loan off at the quote and closes it. */
export function applyPrepayment(state: MarketState, loan: Loan, payer: string, now: number): Loan {
  const quote = payoffQuote(loan, now);
  const updated: Loan = { ...loan, paidInstallments: loan.plan.length, paidInterest: 0n, paidPrincipal: 0n, lateFeeOwed: 0n };
  return settle(state, updated, payer, quote, quote.interestWaived, true, now);
}

/** Moves a payment from the payer to the lenders pro rata, records it, and closes a loan paid in full. */
function settle(state: MarketState, loan: Loan, payer: string, parts: PaymentParts, interestWaived: bigint, prepay: boolean, now: number): Loan {
  const total = parts.lateFees + parts.interest + parts.principal;
  const weights = loan.shares.map((share) => share.principal);
  const fees = splitProRata(parts.lateFees, weights);
  const interest = splitProRata(parts.interest, weights);
  const principal = splitProRata(parts.principal, weights);
  const lenders: LenderPayment[] = loan.shares.map((share, i) => ({
    lender: share.lender,
    lateFees: fees[i] as bigint,
    interest: interest[i] as bigint,
    principal: principal[i] as bigint,
  }));
  state.addBalance(payer, loan.asset, -total);
  for (const payment of lenders) state.addBalance(payment.lender, loan.asset, payment.lateFees + payment.interest + payment.principal);

  const updated: Loan = {
    ...loan,
    totalPaid: {
      lateFees: loan.totalPaid.lateFees + parts.lateFees,
      interest: loan.totalPaid.interest + parts.interest,
      principal: loan.totalPaid.principal + parts.principal,
    },
  };
  state.putLoan(updated);
  state.emit({ type: 'repayment', loanId: loan.id, payer, prepay, ...parts, interestWaived, lenders, progress: progressOf(updated) });
  return updated.paidInstallments === updated.plan.length ? closeRepaid(state, updated, now) : updated;
}
