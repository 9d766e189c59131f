import type { MarketState } from '../state/market-state.js';
import type { Commitment, Loan, LoanTerms } from '../state/records.js';
import type { BlockContext } from '../txs/definition.js';
import { firstOwingInstallment } from './payments.js';
import { buildPlan } from './schedule.js';

export interface Origination {
  readonly borrower: string;
  readonly terms: LoanTerms;
  readonly aprBps: number;
  readonly orderId: number;
  /** The lenders and what each funded; together they are the principal. */
  readonly lenders: readonly Commitment[];
  /** Collateral already taken from the borrower (from a balance or a request's escrow). */
  readonly collateral?: { readonly asset: string; readonly amount: bigint };
}

/**
 * Makes a loan: fixes its schedule, pays the principal to the borrower and records the
 * loan with its lenders' shares. The lenders' funds must already be out of their balances
 * (in an order's escrow), and the collateral out of the borrower's.
 */
export function originateLoan(state: MarketState, ctx: BlockContext, origination: Origination): Loan {
  const principal = origination.lenders.reduce((sum, share) => sum + share.amount, 0n);
  const { terms } = origination;
  const plan = buildPlan({ principal, aprBps: origination.aprBps, term: terms.term, installments: terms.installments, schedule: terms.schedule, startTime: ctx.time });
  const loan: Loan = {
    id: state.nextLoanId(),
    borrower: origination.borrower,
    ...terms,
    principal,
    aprBps: origination.aprBps,
    startTime: ctx.time,
    orderId: origination.orderId,
    ...(origination.collateral && origination.collateral.amount > 0n ? { collateral: origination.collateral } : {}),
    shares: origination.lenders.map((share) => ({ lender: share.lender, principal: share.amount })),
    plan,
    // Installments of zero at the start owe nothing, so they count as paid from the outset.
    paidInstallments: firstOwingInstallment(plan, 0),
    paidInterest: 0n,
    paidPrincipal: 0n,
    lateFeeOwed: 0n,
    lateChecks: 0,
    lateInstallments: 0,
    totalPaid: { lateFees: 0n, interest: 0n, principal: 0n },
    status: 'active',
  };
  state.putLoan(loan);
  state.addBalance(loan.borrower, terms.asset, principal);
  state.emit({ type: 'loanOriginated', loan });
  state.updateCredit(loan.borrower, (record) => ({ ...record, loansTaken: record.loansTaken + 1 }));
  return loan;
}
