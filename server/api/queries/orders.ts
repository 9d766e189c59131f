import type { MarketEvent } from '../../../contracts/index.js';
import type { IndexDatabase } from '../../db/database.js';
import { int, intOrNull, type Wire } from '../wire.js';
import { first, Params, run } from './sql.js';

/** An order row as the index holds it; money is bigint, ids and times bigint from int8 columns. */
export interface OrderRow {
  id: bigint;
  side: 'lend' | 'borrow';
  owner: string;
  asset: string;
  amount: bigint;
  remaining: bigint;
  rate_bps: number;
  term: bigint;
  schedule: 'amortizing' | 'bullet';
  installments: number;
  min_ticket: bigint | null;
  max_ticket: bigint | null;
  collateral_asset: string | null;
  collateral_ratio_bps: number | null;
  collateral_amount: bigint | null;
  collateral_remaining: bigint | null;
  partial: boolean | null;
  status: 'open' | 'filled' | 'cancelled' | 'expired' | 'accepted';
  created_at: bigint;
  expires_at: bigint;
  created_height: bigint;
  closed_height: bigint | null;
  updated_height: bigint;
}

/** The columns OrderRow names, for queries on `orders o`. */
export const ORDER_COLUMNS = `o.id, o.side, o.owner, o.asset, o.amount, o.remaining, o.rate_bps, o.term, o.schedule, o.installments,
  o.min_ticket, o.max_ticket, o.collateral_asset, o.collateral_ratio_bps, o.collateral_amount, o.collateral_remaining, o.partial,
  o.status, o.created_at, o.expires_at, o.created_height, o.closed_height, o.updated_height`;

/** An order on the wire: a lend offer's APR or a borrow request's highest APR is `rateBps`. */
export interface OrderView {
  readonly id: number;
  readonly side: 'lend' | 'borrow';
  readonly owner: string;
  readonly asset: string;
  readonly amount: string;
  readonly remaining: string;
  readonly rateBps: number;
  readonly term: number;
  readonly schedule: 'amortizing' | 'bullet';
  readonly installments: number;
  /** Lend offers: what one borrower may take at a time. */
  readonly ticket: { readonly min: string; readonly max: string } | null;
  /** Lend offers: the ratio asked of borrowers; borrow requests: the collateral escrowed. */
  readonly collateral: { readonly asset: string; readonly ratioBps: number | null; readonly amount: string | null; readonly remaining: string | null } | null;
  /** Borrow requests: whether the request may be funded in part. */
  readonly partial: boolean | null;
  readonly status: OrderRow['status'];
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly createdHeight: number;
  readonly closedHeight: number | null;
  readonly updatedHeight: number;
}

const text = (value: bigint | null) => (value === null ? null : value.toString(10));

export function orderView(row: OrderRow): OrderView {
  return {
    id: int(row.id),
    side: row.side,
    owner: row.owner,
    asset: row.asset,
    amount: row.amount.toString(10),
    remaining: row.remaining.toString(10),
    rateBps: row.rate_bps,
    term: int(row.term),
    schedule: row.schedule,
    installments: row.installments,
    ticket: row.min_ticket !== null && row.max_ticket !== null ? { min: row.min_ticket.toString(10), max: row.max_ticket.toString(10) } : null,
    collateral:
      row.collateral_asset === null
        ? null
        : { asset: row.collateral_asset, ratioBps: row.collateral_ratio_bps, amount: text(row.collateral_amount), remaining: text(row.collateral_remaining) },
    partial: row.partial,
    status: row.status,
    createdAt: int(row.created_at),
    expiresAt: int(row.expires_at),
    createdHeight: int(row.created_height),
    closedHeight: intOrNull(row.closed_height),
    updatedHeight: int(row.updated_height),
  };
}

/** An event as the index holds it; `data` is the event with amounts as decimal strings. */
export interface EventRow {
  height: bigint;
  seq: number;
  tx_position: number | null;
  tx_id: string | null;
  type: MarketEvent['type'];
  loan_id: bigint | null;
  order_id: bigint | null;
  time: bigint;
  data: Wire<MarketEvent>;
}

export const EVENT_COLUMNS = 'e.height, e.seq, e.tx_position, e.tx_id, e.type, e.loan_id, e.order_id, e.time, e.data';

export interface EventView {
  readonly height: number;
  readonly seq: number;
  /** The transaction's position in its block and its id; null for the end-of-block rules. */
  readonly txPosition: number | null;
  readonly txId: string | null;
  readonly type: MarketEvent['type'];
  readonly loanId: number | null;
  readonly orderId: number | null;
  readonly time: number;
  readonly event: Wire<MarketEvent>;
}

export function eventView(row: EventRow): EventView {
  return {
    height: int(row.height),
    seq: row.seq,
    txPosition: row.tx_position,
    txId: row.tx_id,
    type: row.type,
    loanId: intOrNull(row.loan_id),
    orderId: intOrNull(row.order_id),
    time: int(row.time),
    event: row.data,
  };
}

/** The most events a record's page shows at once. */
export const RECORD_EVENTS = 500;

export interface OrderDetail extends OrderView {
  readonly commitments: readonly { readonly lender: string; readonly amount: string }[];
  readonly events: readonly EventView[];
}

export async function orderById(db: IndexDatabase, id: number): Promise<OrderDetail | undefined> {
  const row = await first<OrderRow>(db, `SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = $1`, [id]);
  if (!row) return undefined;
  const [commitments, events] = await Promise.all([
    run<{ lender: string; amount: bigint }>(db, 'SELECT lender, amount FROM order_commitments WHERE order_id = $1 ORDER BY amount DESC, lender', [id]),
    run<EventRow>(db, `SELECT ${EVENT_COLUMNS} FROM events e WHERE e.order_id = $1 ORDER BY e.height, e.seq LIMIT ${RECORD_EVENTS}`, [id]),
  ]);
  return {
    ...orderView(row),
    commitments: commitments.map((c) => ({ lender: c.lender, amount: c.amount.toString(10) })),
    events: events.map(eventView),
  };
}

export interface OwnerOrdersFilter {
  readonly owner: string;
  readonly status?: OrderRow['status'] | undefined;
  readonly side?: 'lend' | 'borrow' | undefined;
  /** Ids below this one (the previous page's last). */
  readonly before?: number | undefined;
  readonly limit: number;
}

/** An account's orders, newest first. */
export async function ordersOfOwner(db: IndexDatabase, filter: OwnerOrdersFilter): Promise<OrderView[]> {
  const p = new Params();
  const where = [`o.owner = ${p.add(filter.owner)}`];
  if (filter.status) where.push(`o.status = ${p.add(filter.status)}`);
  if (filter.side) where.push(`o.side = ${p.add(filter.side)}`);
  if (filter.before !== undefined) where.push(`o.id < ${p.add(filter.before)}`);
  const rows = await run<OrderRow>(db, `SELECT ${ORDER_COLUMNS} FROM orders o WHERE ${where.join(' AND ')} ORDER BY o.id DESC LIMIT ${p.add(filter.limit + 1)}`, p);
  return rows.map(orderView);
}

/** What an account has escrowed in open orders, per asset: offers' funds, requests' collateral, commitments. */
export async function escrowedOf(db: IndexDatabase, account: string): Promise<Map<string, bigint>> {
  const rows = await run<{ asset: string; escrowed: bigint }>(
    db,
    `SELECT asset, SUM(escrowed) AS escrowed FROM (
       SELECT o.asset, o.remaining AS escrowed FROM orders o WHERE o.owner = $1 AND o.side = 'lend' AND o.status = 'open'
       UNION ALL
       SELECT o.collateral_asset, o.collateral_remaining FROM orders o
         WHERE o.owner = $1 AND o.side = 'borrow' AND o.status = 'open' AND o.collateral_asset IS NOT NULL
       UNION ALL
       SELECT o.asset, c.amount FROM order_commitments c JOIN orders o ON o.id = c.order_id WHERE c.lender = $1 AND o.status = 'open'
     ) escrow GROUP BY asset`,
    [account],
  );
  return new Map(rows.map((r) => [r.asset, r.escrowed]));
}
