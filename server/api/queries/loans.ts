import type { IndexDatabase } from '../../db/database.js';
import { decodeCursor, encodeCursor, int, intOrNull, pageOf, type Page } from '../wire.js';
import { EVENT_COLUMNS, eventView, type EventRow, type EventView, RECORD_EVENTS } from './orders.js';
import { Params, run } from './sql.js';

export type LoanStatus = 'active' | 'repaid' | 'defaulted';

interface LoanRow {
  id: bigint;
  borrower: string;
  asset: string;
  principal: bigint;
  apr_bps: number;
  term: bigint;
  schedule: 'amortizing' | 'bullet';
  installments: number;
  start_time: bigint;
  order_id: bigint;
  collateral_asset: string | null;
  collateral_amount: bigint | null;
  status: LoanStatus;
  paid_installments: number;
  paid_interest: bigint;
  paid_principal: bigint;
  late_fee_owed: bigint;
  late_installments: number;
  total_paid_late_fees: bigint;
  total_paid_interest: bigint;
  total_paid_principal: bigint;
  next_due: bigint | null;
  closed_at: bigint | null;
  origin_height: bigint;
  origin_tx: string | null;
  updated_height: bigint;
}

const LOAN_COLUMNS = `l.id, l.borrower, l.asset, l.principal, l.apr_bps, l.term, l.schedule, l.installments, l.start_time, l.order_id,
  l.collateral_asset, l.collateral_amount, l.status, l.paid_installments, l.paid_interest, l.paid_principal, l.late_fee_owed,
  l.late_installments, l.total_paid_late_fees, l.total_paid_interest, l.total_paid_principal, l.next_due, l.closed_at,
  l.origin_height, l.origin_tx, l.updated_height`;

export interface LoanView {
  readonly id: number;
  readonly borrower: string;
  readonly asset: string;
  readonly principal: string;
  readonly aprBps: number;
  readonly term: number;
  readonly schedule: 'amortizing' | 'bullet';
  readonly installments: number;
  readonly startTime: number;
  readonly orderId: number;
  readonly collateral: { readonly asset: string; readonly amount: string } | null;
  readonly status: LoanStatus;
  /** Installments fully paid, and what is paid so far of the next one. */
  readonly paidInstallments: number;
  readonly paidInterest: string;
  readonly paidPrincipal: string;
  readonly lateFeeOwed: string;
  readonly lateInstallments: number;
  readonly totalPaid: { readonly lateFees: string; readonly interest: string; readonly principal: string };
  /** Principal not repaid yet. */
  readonly outstandingPrincipal: string;
  /** When the next unpaid installment is due; null once closed. */
  readonly nextDue: number | null;
  readonly closedAt: number | null;
  readonly originHeight: number;
  readonly originTx: string | null;
  readonly updatedHeight: number;
}

function loanView(row: LoanRow): LoanView {
  return {
    id: int(row.id),
    borrower: row.borrower,
    asset: row.asset,
    principal: row.principal.toString(10),
    aprBps: row.apr_bps,
    term: int(row.term),
    schedule: row.schedule,
    installments: row.installments,
    startTime: int(row.start_time),
    orderId: int(row.order_id),
    collateral: row.collateral_asset !== null && row.collateral_amount !== null ? { asset: row.collateral_asset, amount: row.collateral_amount.toString(10) } : null,
    status: row.status,
    paidInstallments: row.paid_installments,
    paidInterest: row.paid_interest.toString(10),
    paidPrincipal: row.paid_principal.toString(10),
    lateFeeOwed: row.late_fee_owed.toString(10),
    lateInstallments: row.late_installments,
    totalPaid: { lateFees: row.total_paid_late_fees.toString(10), interest: row.total_paid_interest.toString(10), principal: row.total_paid_principal.toString(10) },
    outstandingPrincipal: (row.principal - row.total_paid_principal).toString(10),
    nextDue: intOrNull(row.next_due),
    closedAt: intOrNull(row.closed_at),
    originHeight: int(row.origin_height),
    originTx: row.origin_tx,
    updatedHeight: int(row.updated_height),
  };
}

export interface ShareView {
  readonly lender: string;
  readonly principal: string;
  readonly received: { readonly principal: string; readonly interest: string; readonly lateFees: string; readonly collateral: string };
}

interface ShareRow {
  lender: string;
  principal: bigint;
  received_principal: bigint;
  received_interest: bigint;
  received_late_fees: bigint;
  collateral_received: bigint;
}

const SHARE_COLUMNS = 's.lender, s.principal, s.received_principal, s.received_interest, s.received_late_fees, s.collateral_received';

function shareView(row: ShareRow): ShareView {
  return {
    lender: row.lender,
    principal: row.principal.toString(10),
    received: {
      principal: row.received_principal.toString(10),
      interest: row.received_interest.toString(10),
      lateFees: row.received_late_fees.toString(10),
      collateral: row.collateral_received.toString(10),
    },
  };
}

export interface InstallmentView {
  readonly number: number;
  readonly due: number;
  readonly principal: string;
  readonly interest: string;
  readonly status: 'due' | 'paid' | 'late' | 'defaulted' | 'waived';
}

export interface PaymentView {
  readonly height: number;
  readonly seq: number;
  readonly txId: string;
  readonly payer: string;
  readonly prepay: boolean;
  readonly lateFees: string;
  readonly interest: string;
  readonly principal: string;
  readonly interestWaived: string;
  readonly time: number;
}

export interface LoanDetail extends LoanView {
  readonly shares: readonly ShareView[];
  readonly plan: readonly InstallmentView[];
  readonly payments: readonly PaymentView[];
  readonly events: readonly EventView[];
}

export async function loanById(db: IndexDatabase, id: number): Promise<LoanDetail | undefined> {
  const [row] = await run<LoanRow>(db, `SELECT ${LOAN_COLUMNS} FROM loans l WHERE l.id = $1`, [id]);
  if (!row) return undefined;
  const [shares, plan, payments, events] = await Promise.all([
    run<ShareRow>(db, `SELECT ${SHARE_COLUMNS} FROM loan_shares s WHERE s.loan_id = $1 ORDER BY s.principal DESC, s.lender`, [id]),
    run<{ number: number; due: bigint; principal: bigint; interest: bigint; status: InstallmentView['status'] }>(
      db,
      'SELECT number, due, principal, interest, status FROM installments WHERE loan_id = $1 ORDER BY number',
      [id],
    ),
    run<{ height: bigint; seq: number; tx_id: string; payer: string; prepay: boolean; late_fees: bigint; interest: bigint; principal: bigint; interest_waived: bigint; time: bigint }>(
      db,
      'SELECT height, seq, tx_id, payer, prepay, late_fees, interest, principal, interest_waived, time FROM payments WHERE loan_id = $1 ORDER BY height, seq',
      [id],
    ),
    run<EventRow>(db, `SELECT ${EVENT_COLUMNS} FROM events e WHERE e.loan_id = $1 ORDER BY e.height, e.seq LIMIT ${RECORD_EVENTS}`, [id]),
  ]);
  return {
    ...loanView(row),
    shares: shares.map(shareView),
    plan: plan.map((i) => ({ number: i.number, due: int(i.due), principal: i.principal.toString(10), interest: i.interest.toString(10), status: i.status })),
    payments: payments.map((r) => ({
      height: int(r.height),
      seq: r.seq,
      txId: r.tx_id,
      payer: r.payer,
      prepay: r.prepay,
      lateFees: r.late_fees.toString(10),
      interest: r.interest.toString(10),
      principal: r.principal.toString(10),
      interestWaived: r.interest_waived.toString(10),
      time: int(r.time),
    })),
    events: events.map(eventView),
  };
}

export interface LoanListQuery {
  readonly borrower?: string | undefined;
  readonly lender?: string | undefined;
  readonly asset?: string | undefined;
  readonly status?: LoanStatus | undefined;
  readonly limit: number;
  readonly cursor?: string | null | undefined;
}

/** A loan in a list; listed by lender, with that lender's share. */
export interface LoanListItem extends LoanView {
  readonly share: ShareView | null;
}

/** Loans newest first, by borrower, lender, asset and status. */
export async function loanPage(db: IndexDatabase, query: LoanListQuery): Promise<Page<LoanListItem>> {
  const scope = 'loans';
  const p = new Params();
  const where: string[] = [];
  const lender = query.lender !== undefined ? p.add(query.lender) : undefined;
  if (query.borrower !== undefined) where.push(`l.borrower = ${p.add(query.borrower)}`);
  if (query.asset !== undefined) where.push(`l.asset = ${p.add(query.asset)}`);
  if (query.status !== undefined) where.push(`l.status = ${p.add(query.status)}`);
  if (query.cursor) {
    const [id] = decodeCursor(query.cursor, scope, ['n']);
    where.push(`l.id < ${p.add(id)}`);
  }
  const from = lender === undefined ? 'loans l' : `loan_shares s JOIN loans l ON l.id = s.loan_id AND s.lender = ${lender}`;
  // The share's columns are renamed: a share and its loan both have a principal.
  const columns =
    lender === undefined
      ? LOAN_COLUMNS
      : `${LOAN_COLUMNS}, s.lender AS share_lender, s.principal AS share_principal, s.received_principal AS share_received_principal,
         s.received_interest AS share_received_interest, s.received_late_fees AS share_received_late_fees, s.collateral_received AS share_collateral_received`;
  const rows = await run<LoanRow & Partial<SharedRow>>(
    db,
    `SELECT ${columns} FROM ${from} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY l.id DESC LIMIT ${p.add(query.limit + 1)}`,
    p,
  );
  const items = rows.map((row) => ({ ...loanView(row), share: shareOf(row) }));
  return pageOf(items, query.limit, (last) => encodeCursor(scope, [last.id]));
}

interface SharedRow {
  share_lender: string;
  share_principal: bigint;
  share_received_principal: bigint;
  share_received_interest: bigint;
  share_received_late_fees: bigint;
  share_collateral_received: bigint;
}

function shareOf(row: Partial<SharedRow>): ShareView | null {
  if (row.share_lender === undefined) return null;
  const r = row as SharedRow;
  return shareView({
    lender: r.share_lender,
    principal: r.share_principal,
    received_principal: r.share_received_principal,
    received_interest: r.share_received_interest,
    received_late_fees: r.share_received_late_fees,
    collateral_received: r.share_collateral_received,
  });
}
