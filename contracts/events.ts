import type { Validator } from './chain/block.js';
import type { ValidatorProposal } from './validators/validator-set.js';
import type { CreditRecord, Loan, LoanStatus, Order } from './state/records.js';

/** A loan's progress after an event, so the index can follow a loan without replaying it. */
export interface LoanProgress {
  readonly paidInstallments: number;
  readonly paidInterest: bigint;
  readonly paidPrincipal: bigint;
  readonly lateFeeOwed: bigint;
  readonly lateInstallments: number;
  readonly totalPaid: Loan['totalPaid'];
  readonly status: LoanStatus;
}

export interface LenderPayment {
  readonly lender: string;
  readonly lateFees: bigint;
  readonly interest: bigint;
  readonly principal: bigint;
}

/**
 * What changed, event by event. Every change of state emits one, and the index is built from
 * these alone: a balance event for every balance that moves, and a domain event that names
 * the order, loan or account concerned with its new figures.
 */
export type MarketEvent =
  | { readonly type: 'balance'; readonly account: string; readonly asset: string; readonly delta: bigint; readonly balance: bigint }
  | { readonly type: 'minted'; readonly asset: string; readonly to: string; readonly amount: bigint }
  | { readonly type: 'burned'; readonly asset: string; readonly from: string; readonly amount: bigint }
  | { readonly type: 'transferred'; readonly asset: string; readonly from: string; readonly to: string; readonly amount: bigint }
  | { readonly type: 'faucetPaid'; readonly asset: string; readonly to: string; readonly amount: bigint }
  | { readonly type: 'orderPosted'; readonly order: Order }
  | { readonly type: 'orderChanged'; readonly order: Order }
  | { readonly type: 'orderClosed'; readonly orderId: number; readonly reason: 'filled' | 'cancelled' | 'expired' | 'accepted' }
  | { readonly type: 'committed'; readonly requestId: number; readonly lender: string; readonly amount: bigint }
  | { readonly type: 'loanOriginated'; readonly loan: Loan }
  | {
      readonly type: 'repayment';
      readonly loanId: number;
      readonly payer: string;
      readonly prepay: boolean;
      readonly lateFees: bigint;
      readonly interest: bigint;
      readonly principal: bigint;
      /** Interest of future installments that a prepayment no longer owes. */
      readonly interestWaived: bigint;
      readonly lenders: readonly LenderPayment[];
      readonly progress: LoanProgress;
    }
  | { readonly type: 'installmentLate'; readonly loanId: number; readonly installment: number; readonly fee: bigint; readonly progress: LoanProgress }
  | { readonly type: 'loanRepaid'; readonly loanId: number; readonly collateralReturned: bigint; readonly progress: LoanProgress }
  | {
      readonly type: 'loanDefaulted';
      readonly loanId: number;
      /** The account whose transaction declared the default, or absent for the end-of-block rule. */
      readonly declaredBy?: string;
      readonly collateral: readonly { readonly lender: string; readonly amount: bigint }[];
      readonly progress: LoanProgress;
    }
  | { readonly type: 'creditChanged'; readonly account: string; readonly record: CreditRecord }
  | { readonly type: 'validatorChangeProposed'; readonly proposal: ValidatorProposal }
  | { readonly type: 'validatorChangeApproved'; readonly proposal: number; readonly approver: string; readonly approvedPower: number; readonly totalPower: number }
  | {
      readonly type: 'validatorSetChanged';
      readonly proposal: number;
      readonly account: string;
      readonly power: number;
      /** The first height the new set commits. */
      readonly from: number;
      readonly validators: readonly Validator[];
      /** Other open proposals, dropped because the set they were counted against changed. */
      readonly dropped: readonly number[];
    };

export function progressOf(loan: Loan): LoanProgress {
  return {
    paidInstallments: loan.paidInstallments,
    paidInterest: loan.paidInterest,
    paidPrincipal: loan.paidPrincipal,
    lateFeeOwed: loan.lateFeeOwed,
    lateInstallments: loan.lateInstallments,
    totalPaid: loan.totalPaid,
    status: loan.status,
  };
}
