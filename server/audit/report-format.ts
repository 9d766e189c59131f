import { toWire, type Wire } from '../api/wire.js';
import type { LoanReport } from './report-loan.js';
import type { AccountReport, AssetAmount, AssetFigures, PeriodReport } from './report.js';

/** One of the three reports. */
export type Report = PeriodReport | AccountReport | LoanReport;

/** A report as JSON: the same objects, every amount a decimal string. */
export type ReportJson = Wire<Report>;

export function reportJson(report: Report): ReportJson {
  return toWire(report);
}

type Cell = string | number | boolean | bigint | null;

/** One CSV field by RFC 4180: quoted when it holds a comma, a double quote, CR or LF; quotes doubled. */
export function csvField(value: Cell): string {
  const text = value === null ? '' : typeof value === 'bigint' ? value.toString(10) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV text by RFC 4180: a header row, then the rows, each line ended by CRLF. */
export function csvText(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/** Amounts of several assets in one cell: "COL 500; GOLD 3". */
const amounts = (list: readonly AssetAmount[]) => list.map((item) => `${item.asset} ${item.amount.toString(10)}`).join('; ');

const FIGURE_COLUMNS = [
  'asset',
  'originated_count',
  'originated_principal',
  'repayments_count',
  'repaid_principal',
  'repaid_interest',
  'repaid_late_fees',
  'interest_waived',
  'late_count',
  'late_fees',
  'defaults_count',
  'defaulted_principal',
  'default_collateral',
  'loans_repaid',
  'outstanding_principal',
] as const;

function figureCells(f: AssetFigures): Cell[] {
  return [
    f.asset,
    f.originated.count,
    f.originated.principal,
    f.repayments.count,
    f.repayments.principal,
    f.repayments.interest,
    f.repayments.lateFees,
    f.repayments.interestWaived,
    f.late.count,
    f.late.fees,
    f.defaults.count,
    f.defaults.principal,
    amounts(f.defaults.collateral),
    f.loansRepaid,
    f.outstanding,
  ];
}

const LOAN_COLUMNS = [
  'loan_id',
  'height',
  'seq',
  'time',
  'event',
  'payer',
  'prepay',
  'installment',
  'late_fees',
  'interest',
  'principal',
  'interest_waived',
  'late_fee_charged',
  'collateral',
  'outstanding_principal',
] as const;

/**
 * A report as CSV: one row per period and asset, per account role and asset, or per loan
 * event. Amounts are whole minor units; times are block times in seconds.
 */
export function reportCsv(report: Report): string {
  switch (report.kind) {
    case 'period':
      return csvText(
        ['period', 'from', 'to', ...FIGURE_COLUMNS],
        report.periods.flatMap((period) => period.assets.map((f) => [period.label, period.from, period.to, ...figureCells(f)])),
      );
    case 'account':
      return csvText(
        ['account', 'role', ...FIGURE_COLUMNS],
        report.rows.map((row) => [report.account, row.role, ...figureCells(row)]),
      );
    case 'loan':
      return csvText(
        LOAN_COLUMNS,
        report.entries.map((e) => [
          report.loan.id,
          e.height,
          e.seq,
          e.time,
          e.type,
          e.payer,
          e.prepay,
          e.installment,
          e.lateFees,
          e.interest,
          e.principal,
          e.interestWaived,
          e.fee,
          e.collateral,
          e.outstanding,
        ]),
      );
  }
}
