import type { NetworkParams } from '../params.js';
import type { ValidatorSetRecord } from '../validators/validator-set.js';

/** Records of the market's state. They are immutable: a change writes a new record. */

export interface AssetRecord {
  readonly id: string;
  readonly name: string;
  readonly decimals: number;
  readonly issuer: string;
  readonly minted: bigint;
  readonly burned: bigint;
}

export interface AccountRecord {
  /** The nonce the account's next transaction must carry. */
  readonly nonce: bigint;
  readonly openOrders: number;
}

export type Schedule = 'amortizing' | 'bullet';

/** What a loan made from an order will look like; both sides of the book carry them. */
export interface LoanTerms {
  readonly asset: string;
  /** Seconds from origination to the last installment's due time. */
  readonly term: number;
  readonly schedule: Schedule;
  readonly installments: number;
}

export interface OrderBase extends LoanTerms {
  readonly id: number;
  readonly owner: string;
  readonly amount: bigint;
  /** What is still on the book: for an offer, the lender's escrow; for a request, the unfunded amount. */
  readonly remaining: bigint;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface LendOffer extends OrderBase {
  readonly side: 'lend';
  readonly aprBps: number;
  readonly minTicket: bigint;
  readonly maxTicket: bigint;
  /** Collateral the borrower must lock, in units of `asset` per unit of principal (bps); absent: none. */
  readonly collateral?: { readonly asset: string; readonly ratioBps: number };
}

export interface Commitment {
  readonly lender: string;
  readonly amount: bigint;
}

export interface BorrowRequest extends OrderBase {
  readonly side: 'borrow';
  /** The highest APR the borrower accepts; lenders funding the request lend at this rate. */
  readonly maxAprBps: number;
  readonly partial: boolean;
  /** Collateral escrowed with the request: the whole amount posted, and what is left of it. */
  readonly collateral?: { readonly asset: string; readonly amount: bigint; readonly remaining: bigint };
  /** Lenders' funds escrowed against the request until it is fully funded or accepted. */
  readonly commitments: readonly Commitment[];
}

export type Order = LendOffer | BorrowRequest;

export interface Installment {
  readonly due: number;
  readonly principal: bigint;
  readonly interest: bigint;
}

export interface LoanShare {
  readonly lender: string;
  readonly principal: bigint;
}

export type LoanStatus = 'active' | 'repaid' | 'defaulted';

export interface Loan extends LoanTerms {
  readonly id: number;
  readonly borrower: string;
  readonly principal: bigint;
  readonly aprBps: number;
  readonly startTime: number;
  /** The order the loan was made from. */
  readonly orderId: number;
  readonly collateral?: { readonly asset: string; readonly amount: bigint };
  readonly shares: readonly LoanShare[];
  readonly plan: readonly Installment[];
  /** Index of the first installment not yet fully paid. */
  readonly paidInstallments: number;
  /** Paid so far on that installment. */
  readonly paidInterest: bigint;
  readonly paidPrincipal: bigint;
  readonly lateFeeOwed: bigint;
  /** How many installments have had their lateness checked. */
  readonly lateChecks: number;
  readonly lateInstallments: number;
  readonly totalPaid: { readonly lateFees: bigint; readonly interest: bigint; readonly principal: bigint };
  readonly status: LoanStatus;
  readonly closedAt?: number;
}

/** An account's history as a borrower, as the ledger shows it. */
export interface CreditRecord {
  readonly loansTaken: number;
  readonly loansRepaid: number;
  readonly repaidOnTime: number;
  readonly latePayments: number;
  readonly defaults: number;
}

export interface Counters {
  readonly nextOrderId: number;
  readonly nextLoanId: number;
}

/** The keys of the state, one namespace per kind of record. */
export const stateKey = {
  params: () => 'params',
  counters: () => 'counters',
  asset: (asset: string) => `asset/${asset}`,
  account: (account: string) => `account/${account}`,
  balance: (account: string, asset: string) => `balance/${account}/${asset}`,
  order: (id: number) => `order/${id}`,
  loan: (id: number) => `loan/${id}`,
  credit: (account: string) => `credit/${account}`,
  validators: () => 'validators',
} as const;

export type StateValue = NetworkParams | Counters | AssetRecord | AccountRecord | bigint | Order | Loan | CreditRecord | ValidatorSetRecord;
