import type { Installment, LoanShare, LoanStatus, Schedule } from '../../contracts/index.js';
import type { AssetAmount, LedgerLoanEvent, LoanEvent } from './report.js';

/** One event of a loan's life, with the figures it moved (zero where they do not apply). */
export interface LoanReportEntry {
  readonly height: number;
  readonly seq: number;
  readonly time: number;
  readonly type: LoanEvent['type'];
  /** Repayments: who paid, and whether it paid the loan off. */
  readonly payer: string | null;
  readonly prepay: boolean | null;
  /** Late installments: which one (0 is the first). */
  readonly installment: number | null;
  readonly lateFees: bigint;
  readonly interest: bigint;
  /** Lent (origination), repaid (repayment) or written off (default). */
  readonly principal: bigint;
  readonly interestWaived: bigint;
  /** The late fee an installment was charged. */
  readonly fee: bigint;
  /** Collateral returned to the borrower (repaid) or taken by the lenders (defaulted). */
  readonly collateral: bigint;
  /** Principal outstanding after the event. */
  readonly outstanding: bigint;
}

export interface LoanReport {
  readonly kind: 'loan';
  readonly loan: {
    readonly id: number;
    readonly borrower: string;
    readonly asset: string;
    readonly principal: bigint;
    readonly aprBps: number;
    readonly term: number;
    readonly schedule: Schedule;
    readonly installments: number;
    readonly startTime: number;
    readonly orderId: number;
    readonly collateral: AssetAmount | null;
    readonly shares: readonly LoanShare[];
    readonly plan: readonly Installment[];
  };
  readonly status: LoanStatus;
  readonly closedAt: number | null;
  readonly entries: readonly LoanReportEntry[];
  readonly totals: {
    readonly paid: { readonly lateFees: bigint; readonly interest: bigint; readonly principal: bigint };
    readonly interestWaived: bigint;
    readonly lateInstallments: number;
    readonly lateFeesCharged: bigint;
    /** Principal outstanding when the loan defaulted; zero otherwise. */
    readonly defaultedPrincipal: bigint;
    readonly collateralReturned: bigint;
    readonly collateralToLenders: bigint;
    readonly outstanding: bigint;
  };
}

/**
 * One loan's terms, status, every payment, late installment and default, and its totals, from
 * its events in ledger order; undefined when the events hold no origination of the loan.
 */
export function loanReport(events: readonly LedgerLoanEvent[], loanId: number): LoanReport | undefined {
  const mine = events.filter(({ event }) => (event.type === 'loanOriginated' ? event.loan.id : event.loanId) === loanId);
  const origin = mine.find((entry) => entry.event.type === 'loanOriginated');
  if (!origin || origin.event.type !== 'loanOriginated') return undefined;
  const { loan } = origin.event;
  const paid = { lateFees: 0n, interest: 0n, principal: 0n };
  const totals = { interestWaived: 0n, lateInstallments: 0, lateFeesCharged: 0n, defaultedPrincipal: 0n, collateralReturned: 0n, collateralToLenders: 0n };
  let outstanding = 0n;
  let status: LoanStatus = 'active';
  let closedAt: number | null = null;
  const entries = mine.map(({ height, seq, time, event }): LoanReportEntry => {
    const entry = { height, seq, time, type: event.type, payer: null, prepay: null, installment: null, lateFees: 0n, interest: 0n, principal: 0n, interestWaived: 0n, fee: 0n, collateral: 0n };
    switch (event.type) {
      case 'loanOriginated':
        outstanding = loan.principal;
        return { ...entry, principal: loan.principal, collateral: loan.collateral?.amount ?? 0n, outstanding };
      case 'repayment':
        paid.lateFees += event.lateFees;
        paid.interest += event.interest;
        paid.principal += event.principal;
        totals.interestWaived += event.interestWaived;
        outstanding -= event.principal;
        status = event.progress.status;
        return { ...entry, payer: event.payer, prepay: event.prepay, lateFees: event.lateFees, interest: event.interest, principal: event.principal, interestWaived: event.interestWaived, outstanding };
      case 'installmentLate':
        totals.lateInstallments += 1;
        totals.lateFeesCharged += event.fee;
        return { ...entry, installment: event.installment, fee: event.fee, outstanding };
      case 'loanRepaid':
        totals.collateralReturned += event.collateralReturned;
        status = 'repaid';
        closedAt = time;
        return { ...entry, collateral: event.collateralReturned, outstanding };
      case 'loanDefaulted': {
        const collateral = event.collateral.reduce((sum, c) => sum + c.amount, 0n);
        totals.defaultedPrincipal += outstanding;
        totals.collateralToLenders += collateral;
        const written = outstanding;
        outstanding = 0n;
        status = 'defaulted';
        closedAt = time;
        return { ...entry, principal: written, collateral, outstanding };
      }
    }
  });
  return {
    kind: 'loan',
    loan: {
      id: loan.id,
      borrower: loan.borrower,
      asset: loan.asset,
      principal: loan.principal,
      aprBps: loan.aprBps,
      term: loan.term,
      schedule: loan.schedule,
      installments: loan.installments,
      startTime: loan.startTime,
      orderId: loan.orderId,
      collateral: loan.collateral ? { asset: loan.collateral.asset, amount: loan.collateral.amount } : null,
      shares: loan.shares.map((share) => ({ lender: share.lender, principal: share.principal })),
      plan: loan.plan.map((installment) => ({ due: installment.due, principal: installment.principal, interest: installment.interest })),
    },
    status,
    closedAt,
    entries,
    totals: { paid, ...totals, outstanding },
  };
}
