import type { LenderPayment, Loan, LoanProgress } from '../../contracts/index.js';
import type { IndexDatabase } from '../db/database.js';
import { run } from '../api/queries/sql.js';
import { int, type Wire } from '../api/wire.js';
import type { Report } from './report-format.js';
import { loanReport } from './report-loan.js';
import { accountReport, type LedgerLoanEvent, LOAN_EVENT_TYPES, type LoanEvent, type PeriodSplit, periodReport, periodsOf } from './report.js';

/** What a report is asked for. */
export type ReportRequest =
  | { readonly kind: 'period'; readonly from: number; readonly to: number; readonly by?: PeriodSplit | undefined }
  | { readonly kind: 'account'; readonly account: string }
  | { readonly kind: 'loan'; readonly id: number };

/** The most loan events one report reads from the index. */
export const MAX_REPORT_EVENTS = 200_000;

export class ReportTooLargeError extends Error {
  override readonly name = 'ReportTooLargeError';
}

interface LoanEventRow {
  height: bigint;
  seq: number;
  time: bigint;
  data: Wire<LoanEvent>;
}

const big = (digits: string) => BigInt(digits);

function loanOf(w: Wire<Loan>): Loan {
  return {
    ...w,
    principal: big(w.principal),
    ...(w.collateral ? { collateral: { asset: w.collateral.asset, amount: big(w.collateral.amount) } } : { collateral: undefined }),
    shares: w.shares.map((s) => ({ lender: s.lender, principal: big(s.principal) })),
    plan: w.plan.map((i) => ({ due: i.due, principal: big(i.principal), interest: big(i.interest) })),
    paidInterest: big(w.paidInterest),
    paidPrincipal: big(w.paidPrincipal),
    lateFeeOwed: big(w.lateFeeOwed),
    totalPaid: { lateFees: big(w.totalPaid.lateFees), interest: big(w.totalPaid.interest), principal: big(w.totalPaid.principal) },
  };
}

function progressOf(w: Wire<LoanProgress>): LoanProgress {
  return {
    ...w,
    paidInterest: big(w.paidInterest),
    paidPrincipal: big(w.paidPrincipal),
    lateFeeOwed: big(w.lateFeeOwed),
    totalPaid: { lateFees: big(w.totalPaid.lateFees), interest: big(w.totalPaid.interest), principal: big(w.totalPaid.principal) },
  };
}

const lenderPaymentOf = (w: Wire<LenderPayment>): LenderPayment => ({ lender: w.lender, lateFees: big(w.lateFees), interest: big(w.interest), principal: big(w.principal) });

/** A loan event as the index keeps it (amounts as decimal strings), with its amounts as bigints again. */
export function loanEventOf(w: Wire<LoanEvent>): LoanEvent {
  switch (w.type) {
    case 'loanOriginated':
      return { type: w.type, loan: loanOf(w.loan) };
    case 'repayment':
      return {
        ...w,
        lateFees: big(w.lateFees),
        interest: big(w.interest),
        principal: big(w.principal),
        interestWaived: big(w.interestWaived),
        lenders: w.lenders.map(lenderPaymentOf),
        progress: progressOf(w.progress),
      };
    case 'installmentLate':
      return { ...w, fee: big(w.fee), progress: progressOf(w.progress) };
    case 'loanRepaid':
      return { ...w, collateralReturned: big(w.collateralReturned), progress: progressOf(w.progress) };
    case 'loanDefaulted':
      return { ...w, collateral: w.collateral.map((c) => ({ lender: c.lender, amount: big(c.amount) })), progress: progressOf(w.progress) };
  }
}

const TYPES = `(${LOAN_EVENT_TYPES.map((type) => `'${type}'`).join(', ')})`;

/** Loan events matching `where` (on `events e`), in ledger order; refuses more than MAX_REPORT_EVENTS. */
async function loanEvents(db: IndexDatabase, where: string, params: (string | number | readonly number[])[]): Promise<LedgerLoanEvent[]> {
  const rows = await run<LoanEventRow>(
    db,
    `SELECT e.height, e.seq, e.time, e.data FROM events e WHERE e.type IN ${TYPES} AND ${where} ORDER BY e.height, e.seq LIMIT ${MAX_REPORT_EVENTS + 1}`,
    params,
  );
  if (rows.length > MAX_REPORT_EVENTS) throw new ReportTooLargeError(`the report covers more than ${MAX_REPORT_EVENTS} loan events; ask for a shorter period`);
  return rows.map((row) => ({ height: int(row.height), seq: row.seq, time: int(row.time), event: loanEventOf(row.data) }));
}

/**
 * Principal outstanding by asset at `time`: each loan made before it and not written off
 * before it, less what was repaid of its principal before it.
 */
async function openingOutstanding(db: IndexDatabase, time: number): Promise<Map<string, bigint>> {
  const rows = await run<{ asset: string; outstanding: bigint }>(
    db,
    `SELECT l.asset, SUM(l.principal - COALESCE(p.repaid, 0)) AS outstanding
       FROM loans l
       LEFT JOIN (SELECT loan_id, SUM(principal) AS repaid FROM payments WHERE time < $1 GROUP BY loan_id) p ON p.loan_id = l.id
      WHERE l.start_time < $1 AND NOT (l.status = 'defaulted' AND l.closed_at < $1)
      GROUP BY l.asset`,
    [time],
  );
  return new Map(rows.filter((row) => BigInt(row.outstanding) !== 0n).map((row) => [row.asset, BigInt(row.outstanding)]));
}

/**
 * A report computed from the index, as `lendnet audit report` computes it from the verified
 * chain; undefined for a loan the index does not hold.
 */
export async function reportFromIndex(db: IndexDatabase, request: ReportRequest): Promise<Report | undefined> {
  switch (request.kind) {
    case 'period': {
      periodsOf(request);
      // Blocks are in time order, so the range is a range of heights, which the events' key serves.
      const inRange = await loanEvents(
        db,
        `e.height >= COALESCE((SELECT MIN(height) FROM blocks WHERE time >= $1), 9223372036854775807)
         AND e.height <= COALESCE((SELECT MAX(height) FROM blocks WHERE time < $2), -1) AND e.time >= $1 AND e.time < $2`,
        [request.from, request.to],
      );
      const known = new Set(inRange.flatMap(({ event }) => (event.type === 'loanOriginated' ? [event.loan.id] : [])));
      const earlier = [...new Set(inRange.flatMap(({ event }) => (event.type !== 'loanOriginated' && !known.has(event.loanId) ? [event.loanId] : [])))];
      const originations = earlier.length > 0 ? await loanEvents(db, `e.type = 'loanOriginated' AND e.loan_id IN (SELECT unnest($1::bigint[]))`, [earlier]) : [];
      return periodReport([...originations, ...inRange], request, await openingOutstanding(db, request.from));
    }
    case 'account': {
      const events = await loanEvents(db, `e.loan_id IN (SELECT id FROM loans WHERE borrower = $1 UNION SELECT loan_id FROM loan_shares WHERE lender = $1)`, [request.account]);
      return accountReport(events, request.account);
    }
    case 'loan':
      return loanReport(await loanEvents(db, 'e.loan_id = $1', [request.id]), request.id);
  }
}
