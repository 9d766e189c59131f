import type { Loan } from '../../contracts/state/records';
import type { ApiOutputs } from '../lib/trpc';

/** A loan's whole file as loans.byId gives it, from the index. */
export type LoanFile = ApiOutputs['loans']['byId'];

/** What of the index's loan is compared with the chain's record. */
type IndexedLoan = Omit<LoanFile, 'shares' | 'plan' | 'payments' | 'events'> & { readonly shares: readonly { readonly lender: string; readonly principal: string }[] };

/**
 * The fields where the index's loan differs from the loan the chain's state proves, by name; empty
 * when the index shows exactly what the chain holds. Amounts are compared as bigints.
 */
export function loanDifferences(indexed: IndexedLoan, proven: Loan): string[] {
  const differences: string[] = [];
  const same = (name: string, a: unknown, b: unknown) => {
    if (a !== b) differences.push(name);
  };
  same('borrower', indexed.borrower, proven.borrower);
  same('asset', indexed.asset, proven.asset);
  same('principal', BigInt(indexed.principal), proven.principal);
  same('APR', indexed.aprBps, proven.aprBps);
  same('term', indexed.term, proven.term);
  same('schedule', indexed.schedule, proven.schedule);
  same('installments', indexed.installments, proven.installments);
  same('start', indexed.startTime, proven.startTime);
  same('order', indexed.orderId, proven.orderId);
  same('status', indexed.status, proven.status);
  same('installments paid', indexed.paidInstallments, proven.paidInstallments);
  same('principal paid', BigInt(indexed.totalPaid.principal), proven.totalPaid.principal);
  same('interest paid', BigInt(indexed.totalPaid.interest), proven.totalPaid.interest);
  same('late fees paid', BigInt(indexed.totalPaid.lateFees), proven.totalPaid.lateFees);
  same('late fees owed', BigInt(indexed.lateFeeOwed), proven.lateFeeOwed);
  same('collateral', indexed.collateral ? `${indexed.collateral.amount} ${indexed.collateral.asset}` : 'none', proven.collateral ? `${proven.collateral.amount} ${proven.collateral.asset}` : 'none');
  const shares = (list: readonly { readonly lender: string; readonly principal: string | bigint }[]) =>
    list
      .map((s) => `${s.lender}:${BigInt(s.principal)}`)
      .sort()
      .join(',');
  same('lenders', shares(indexed.shares), shares(proven.shares));
  return differences;
}
