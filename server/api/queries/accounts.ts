import { BPS } from '../../../contracts/index.js';
import type { IndexDatabase } from '../../db/database.js';
import { decodeCursor, encodeCursor, int, intOrNull, pageOf, type Page } from '../wire.js';
import { escrowedOf, EVENT_COLUMNS, eventView, type EventRow, type EventView } from './orders.js';
import { first, Params, run } from './sql.js';

export interface BalanceView {
  readonly asset: string;
  readonly name: string;
  readonly decimals: number;
  /** What the account may spend. */
  readonly amount: string;
  /** What it has escrowed in open orders (offers' funds, requests' collateral, commitments to requests). */
  readonly escrowed: string;
  readonly updatedHeight: number | null;
}

export interface AccountSummary {
  readonly account: string;
  /** Height the account first appeared at (0: genesis); null: the index has never seen it. */
  readonly firstHeight: number | null;
  readonly lastHeight: number | null;
  readonly txCount: number;
  /** The nonce its next transaction must carry, as of the index. */
  readonly nextNonce: string;
  readonly balances: readonly BalanceView[];
}

/** An account's balance in every asset (zero where it holds none), with what it has in escrow. */
export async function accountSummary(db: IndexDatabase, account: string): Promise<AccountSummary> {
  const [row, balances, escrowed] = await Promise.all([
    first<{ first_height: bigint; last_height: bigint | null; tx_count: bigint; next_nonce: bigint }>(
      db,
      'SELECT first_height, last_height, tx_count, next_nonce FROM accounts WHERE account = $1',
      [account],
    ),
    run<{ asset: string; name: string; decimals: number; amount: bigint | null; updated_height: bigint | null }>(
      db,
      `SELECT a.id AS asset, a.name, a.decimals, b.amount, b.updated_height
       FROM assets a LEFT JOIN balances b ON b.asset = a.id AND b.account = $1 ORDER BY a.id`,
      [account],
    ),
    escrowedOf(db, account),
  ]);
  return {
    account,
    firstHeight: row ? int(row.first_height) : null,
    lastHeight: row ? intOrNull(row.last_height) : null,
    txCount: row ? int(row.tx_count) : 0,
    nextNonce: (row?.next_nonce ?? 0n).toString(10),
    balances: balances.map((b) => ({
      asset: b.asset,
      name: b.name,
      decimals: b.decimals,
      amount: (b.amount ?? 0n).toString(10),
      escrowed: (escrowed.get(b.asset) ?? 0n).toString(10),
      updatedHeight: intOrNull(b.updated_height),
    })),
  };
}

export interface CreditView {
  readonly loansTaken: number;
  readonly loansRepaid: number;
  readonly repaidOnTime: number;
  readonly latePayments: number;
  readonly defaults: number;
  /** Height of its last change; null: no loan taken yet. */
  readonly updatedHeight: number | null;
}

export async function creditOf(db: IndexDatabase, account: string): Promise<CreditView> {
  const row = await first<{ loans_taken: number; loans_repaid: number; repaid_on_time: number; late_payments: number; defaults: number; updated_height: bigint }>(
    db,
    'SELECT loans_taken, loans_repaid, repaid_on_time, late_payments, defaults, updated_height FROM credit_records WHERE account = $1',
    [account],
  );
  if (!row) return { loansTaken: 0, loansRepaid: 0, repaidOnTime: 0, latePayments: 0, defaults: 0, updatedHeight: null };
  return {
    loansTaken: row.loans_taken,
    loansRepaid: row.loans_repaid,
    repaidOnTime: row.repaid_on_time,
    latePayments: row.late_payments,
    defaults: row.defaults,
    updatedHeight: int(row.updated_height),
  };
}

/** An account's events, newest first, or after (height, seq) ascending for subscriptions. */
export async function historyPage(
  db: IndexDatabase,
  query: { account: string; types?: readonly string[] | undefined; limit: number; cursor?: string | null | undefined },
): Promise<Page<EventView>> {
  const scope = 'history';
  const p = new Params();
  const where = [`ae.account = ${p.add(query.account)}`];
  if (query.types && query.types.length > 0) where.push(`e.type IN (SELECT unnest(${p.add(query.types)}::text[]))`);
  if (query.cursor) {
    const [height, seq] = decodeCursor(query.cursor, scope, ['n', 'i']);
    where.push(`(ae.height, ae.seq) < (${p.add(height)}::bigint, ${p.add(seq)}::int)`);
  }
  const rows = await run<EventRow>(
    db,
    `SELECT ${EVENT_COLUMNS} FROM account_events ae JOIN events e ON e.height = ae.height AND e.seq = ae.seq
     WHERE ${where.join(' AND ')} ORDER BY ae.height DESC, ae.seq DESC LIMIT ${p.add(query.limit + 1)}`,
    p,
  );
  return pageOf(rows.map(eventView), query.limit, (last) => encodeCursor(scope, [last.height, last.seq]));
}

/** An account's events after (height, seq), oldest first: what a subscriber has not seen yet. */
export async function eventsAfter(db: IndexDatabase, account: string, after: { height: number; seq: number }, limit: number): Promise<EventView[]> {
  const rows = await run<EventRow>(
    db,
    `SELECT ${EVENT_COLUMNS} FROM account_events ae JOIN events e ON e.height = ae.height AND e.seq = ae.seq
     WHERE ae.account = $1 AND (ae.height, ae.seq) > ($2::bigint, $3::int) ORDER BY ae.height, ae.seq LIMIT $4`,
    [account, after.height, after.seq, limit],
  );
  return rows.map(eventView);
}

export interface BorrowerPosition {
  readonly asset: string;
  readonly loans: number;
  readonly active: number;
  readonly borrowed: string;
  /** Principal still owed on active loans. */
  readonly outstanding: string;
  /** Interest and late fees paid. */
  readonly costPaid: string;
}

export interface LenderPosition {
  readonly asset: string;
  readonly loans: number;
  readonly active: number;
  readonly lent: string;
  /** Principal not yet repaid on active loans. */
  readonly outstanding: string;
  /** Principal, interest and late fees received. */
  readonly received: string;
  readonly interestReceived: string;
  readonly lateFeesReceived: string;
  /** Principal of defaulted loans not repaid (collateral received is counted apart, in its own asset). */
  readonly principalLost: string;
  /** (interest + late fees − principal lost) / lent, in basis points, rounded toward zero. */
  readonly realisedYieldBps: string;
}

export interface Portfolio {
  readonly asBorrower: readonly BorrowerPosition[];
  readonly asLender: readonly LenderPosition[];
  /** Collateral received from defaulted loans, per collateral asset. */
  readonly collateralReceived: readonly { readonly asset: string; readonly amount: string }[];
  /** The borrower's next installment due across active loans. */
  readonly nextPayment: { readonly loanId: number; readonly asset: string; readonly due: number; readonly amount: string } | null;
}

export async function portfolioOf(db: IndexDatabase, account: string): Promise<Portfolio> {
  const [borrowed, lent, collateral, next] = await Promise.all([
    run<{ asset: string; loans: bigint; active: bigint; borrowed: bigint; outstanding: bigint; cost_paid: bigint }>(
      db,
      `SELECT asset, COUNT(*) AS loans, COUNT(*) FILTER (WHERE status = 'active') AS active, SUM(principal) AS borrowed,
         COALESCE(SUM(principal - total_paid_principal) FILTER (WHERE status = 'active'), 0) AS outstanding,
         SUM(total_paid_interest + total_paid_late_fees) AS cost_paid
       FROM loans WHERE borrower = $1 GROUP BY asset ORDER BY asset`,
      [account],
    ),
    run<{ asset: string; loans: bigint; active: bigint; lent: bigint; outstanding: bigint; received_principal: bigint; received_interest: bigint; received_late_fees: bigint; lost: bigint }>(
      db,
      `SELECT l.asset, COUNT(*) AS loans, COUNT(*) FILTER (WHERE l.status = 'active') AS active, SUM(s.principal) AS lent,
         COALESCE(SUM(s.principal - s.received_principal) FILTER (WHERE l.status = 'active'), 0) AS outstanding,
         SUM(s.received_principal) AS received_principal, SUM(s.received_interest) AS received_interest, SUM(s.received_late_fees) AS received_late_fees,
         COALESCE(SUM(GREATEST(s.principal - s.received_principal, 0)) FILTER (WHERE l.status = 'defaulted'), 0) AS lost
       FROM loan_shares s JOIN loans l ON l.id = s.loan_id WHERE s.lender = $1 GROUP BY l.asset ORDER BY l.asset`,
      [account],
    ),
    run<{ asset: string; amount: bigint }>(
      db,
      `SELECT l.collateral_asset AS asset, SUM(s.collateral_received) AS amount FROM loan_shares s JOIN loans l ON l.id = s.loan_id
       WHERE s.lender = $1 AND s.collateral_received > 0 GROUP BY l.collateral_asset ORDER BY l.collateral_asset`,
      [account],
    ),
    first<{ id: bigint; asset: string; due: bigint; amount: bigint }>(
      db,
      `SELECT l.id, l.asset, i.due, i.principal + i.interest - l.paid_interest - l.paid_principal + l.late_fee_owed AS amount
       FROM loans l JOIN installments i ON i.loan_id = l.id AND i.number = l.paid_installments
       WHERE l.borrower = $1 AND l.status = 'active' ORDER BY i.due, l.id LIMIT 1`,
      [account],
    ),
  ]);
  return {
    asBorrower: borrowed.map((r) => ({
      asset: r.asset,
      loans: int(r.loans),
      active: int(r.active),
      borrowed: r.borrowed.toString(10),
      outstanding: r.outstanding.toString(10),
      costPaid: r.cost_paid.toString(10),
    })),
    asLender: lent.map((r) => ({
      asset: r.asset,
      loans: int(r.loans),
      active: int(r.active),
      lent: r.lent.toString(10),
      outstanding: r.outstanding.toString(10),
      received: (r.received_principal + r.received_interest + r.received_late_fees).toString(10),
      interestReceived: r.received_interest.toString(10),
      lateFeesReceived: r.received_late_fees.toString(10),
      principalLost: r.lost.toString(10),
      realisedYieldBps: realisedYieldBps(r.received_interest + r.received_late_fees, r.lost, r.lent).toString(10),
    })),
    collateralReceived: collateral.map((r) => ({ asset: r.asset, amount: r.amount.toString(10) })),
    nextPayment: next ? { loanId: int(next.id), asset: next.asset, due: int(next.due), amount: next.amount.toString(10) } : null,
  };
}

/** Income net of losses over principal lent, in basis points; bigint division rounds toward zero. */
export function realisedYieldBps(income: bigint, lost: bigint, lent: bigint): bigint {
  if (lent <= 0n) return 0n;
  return ((income - lost) * BPS) / lent;
}
