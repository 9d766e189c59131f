import { amount, type IndexDatabase } from '../../db/database.js';
import { badInput } from '../errors.js';
import { decodeCursor, encodeCursor, int, pageOf, type Page } from '../wire.js';
import { ORDER_COLUMNS, orderView, type OrderRow, type OrderView } from './orders.js';
import { Params, run } from './sql.js';

export type BookSide = 'lend' | 'borrow';
export type BookSort = 'rate' | 'amount' | 'term' | 'newest';

/** What a book listing may be narrowed to; every bound is inclusive. */
export interface BookFilter {
  readonly side: BookSide;
  readonly asset?: string | undefined;
  /** Bounds on what is still on the book (`remaining`). */
  readonly amountMin?: bigint | undefined;
  readonly amountMax?: bigint | undefined;
  readonly rateMinBps?: number | undefined;
  readonly rateMaxBps?: number | undefined;
  readonly termMin?: number | undefined;
  readonly termMax?: number | undefined;
  readonly schedule?: 'amortizing' | 'bullet' | undefined;
  readonly installmentsMin?: number | undefined;
  readonly installmentsMax?: number | undefined;
  /** none: without collateral; required: with collateral (of `collateralAsset` if given); absent: both. */
  readonly collateral?: 'none' | 'required' | undefined;
  readonly collateralAsset?: string | undefined;
  /** The owner's credit record (no record: no loans, no defaults). */
  readonly maxDefaults?: number | undefined;
  readonly minLoansRepaid?: number | undefined;
  readonly owner?: string | undefined;
}

export interface BookQuery extends BookFilter {
  readonly sort: BookSort;
  /** Defaults: rate best first for the side's counterparties (offers cheapest, requests dearest), amount largest, term shortest. */
  readonly sortDirection?: 'asc' | 'desc' | undefined;
  readonly limit: number;
  readonly cursor?: string | null | undefined;
  /** Block time now: orders that have expired are not on the book, even before a block closes them. */
  readonly now: number;
}

export interface BookEntry extends OrderView {
  /** The owner's record as a borrower. */
  readonly ownerCredit: { readonly loansTaken: number; readonly loansRepaid: number; readonly defaults: number };
}

type BookRow = OrderRow & { loans_taken: number; loans_repaid: number; defaults: number };

// The sort key of each sort: its column and whether the cursor value is money (numeric) or an integer.
const SORT_KEY = {
  rate: { column: 'o.rate_bps', money: false },
  amount: { column: 'o.remaining', money: true },
  term: { column: 'o.term', money: false },
  newest: { column: 'o.id', money: false },
} as const;

function directionOf(query: BookQuery): 'asc' | 'desc' {
  if (query.sortDirection) return query.sortDirection;
  switch (query.sort) {
    case 'rate':
      return query.side === 'lend' ? 'asc' : 'desc';
    case 'amount':
    case 'newest':
      return 'desc';
    case 'term':
      return 'asc';
  }
}

/** The conditions of a filter on `orders o` joined with `credit_records c`. */
export function bookConditions(filter: BookFilter, now: number, p: Params): string[] {
  const where = [`o.status = 'open'`, `o.side = ${p.add(filter.side)}`, `o.expires_at > ${p.add(now)}`];
  if (filter.asset !== undefined) where.push(`o.asset = ${p.add(filter.asset)}`);
  if (filter.amountMin !== undefined) where.push(`o.remaining >= ${p.add(amount(filter.amountMin))}::numeric`);
  if (filter.amountMax !== undefined) where.push(`o.remaining <= ${p.add(amount(filter.amountMax))}::numeric`);
  if (filter.rateMinBps !== undefined) where.push(`o.rate_bps >= ${p.add(filter.rateMinBps)}`);
  if (filter.rateMaxBps !== undefined) where.push(`o.rate_bps <= ${p.add(filter.rateMaxBps)}`);
  if (filter.termMin !== undefined) where.push(`o.term >= ${p.add(filter.termMin)}`);
  if (filter.termMax !== undefined) where.push(`o.term <= ${p.add(filter.termMax)}`);
  if (filter.schedule !== undefined) where.push(`o.schedule = ${p.add(filter.schedule)}`);
  if (filter.installmentsMin !== undefined) where.push(`o.installments >= ${p.add(filter.installmentsMin)}`);
  if (filter.installmentsMax !== undefined) where.push(`o.installments <= ${p.add(filter.installmentsMax)}`);
  if (filter.collateral === 'none') where.push('o.collateral_asset IS NULL');
  if (filter.collateral === 'required') where.push('o.collateral_asset IS NOT NULL');
  if (filter.collateralAsset !== undefined) where.push(`o.collateral_asset = ${p.add(filter.collateralAsset)}`);
  if (filter.maxDefaults !== undefined) where.push(`COALESCE(c.defaults, 0) <= ${p.add(filter.maxDefaults)}`);
  if (filter.minLoansRepaid !== undefined) where.push(`COALESCE(c.loans_repaid, 0) >= ${p.add(filter.minLoansRepaid)}`);
  if (filter.owner !== undefined) where.push(`o.owner = ${p.add(filter.owner)}`);
  return where;
}

/**
 * One page of the book: keyset pagination on (sort key, id), ties broken oldest first. Orders
 * posted or closed between pages neither shift nor repeat rows; sorted by amount, an order
 * partly taken between pages moves, and may be seen twice or not at all.
 */
export async function bookPage(db: IndexDatabase, query: BookQuery): Promise<Page<BookEntry>> {
  const direction = directionOf(query);
  const key = SORT_KEY[query.sort];
  const scope = `book:${query.side}:${query.sort}:${direction}`;
  const p = new Params();
  const where = bookConditions(query, query.now, p);
  if (query.cursor) {
    if (query.sort === 'newest') {
      const [id] = decodeCursor(query.cursor, scope, ['n']);
      where.push(`o.id ${direction === 'desc' ? '<' : '>'} ${p.add(id)}`);
    } else {
      const [value, id] = decodeCursor(query.cursor, scope, ['s', 'n']);
      // Amounts are numeric; rates and terms are bigint columns, which no value of 19 digits or more fits.
      if (!(key.money ? /^\d{1,78}$/ : /^\d{1,18}$/).test(value)) throw badInput('the cursor is not one this API made');
      const bound = key.money ? `${p.add(value)}::numeric` : `${p.add(value)}::bigint`;
      const [from, beyond] = direction === 'asc' ? ['>=', '>'] : ['<=', '<'];
      // The first condition alone bounds the index scan; the second leaves out what was served.
      where.push(`${key.column} ${from} ${bound}`, `(${key.column} ${beyond} ${bound} OR o.id > ${p.add(id)})`);
    }
  }
  const order = query.sort === 'newest' ? `o.id ${direction.toUpperCase()}` : `${key.column} ${direction.toUpperCase()}, o.id ASC`;
  const rows = await run<BookRow>(
    db,
    `SELECT ${ORDER_COLUMNS}, COALESCE(c.loans_taken, 0) AS loans_taken, COALESCE(c.loans_repaid, 0) AS loans_repaid, COALESCE(c.defaults, 0) AS defaults
     FROM orders o LEFT JOIN credit_records c ON c.account = o.owner
     WHERE ${where.join(' AND ')}
     ORDER BY ${order}
     LIMIT ${p.add(query.limit + 1)}`,
    p,
  );
  const entries = rows.map((row) => ({
    ...orderView(row),
    ownerCredit: { loansTaken: row.loans_taken, loansRepaid: row.loans_repaid, defaults: row.defaults },
  }));
  return pageOf(entries, query.limit, (last) => {
    if (query.sort === 'newest') return encodeCursor(scope, [last.id]);
    const value = query.sort === 'rate' ? String(last.rateBps) : query.sort === 'term' ? String(last.term) : last.remaining;
    return encodeCursor(scope, [value, last.id]);
  });
}

export interface RateBucket {
  /** Terms from `termFrom` (inclusive) to `termTo` (exclusive), seconds. */
  readonly termFrom: number;
  readonly termTo: number;
  readonly orders: number;
  readonly minRateBps: number;
  readonly maxRateBps: number;
  /** Mean of the orders' rates, rounded down. */
  readonly avgRateBps: number;
  /** Mean weighted by what is on the book, rounded down. */
  readonly weightedRateBps: number;
  readonly volume: string;
}

/** Rates by term for a chart: open orders of one side and asset, grouped into term buckets. */
export async function ratesByTerm(db: IndexDatabase, query: { side: BookSide; asset: string; bucketSeconds: number; now: number }): Promise<RateBucket[]> {
  const p = new Params();
  const where = bookConditions({ side: query.side, asset: query.asset }, query.now, p);
  const bucket = p.add(query.bucketSeconds);
  const rows = await run<{ bucket: bigint; orders: bigint; min_rate: number; max_rate: number; avg_rate: bigint; weighted_rate: bigint | null; volume: bigint }>(
    db,
    `SELECT o.term / ${bucket}::bigint AS bucket, COUNT(*) AS orders, MIN(o.rate_bps) AS min_rate, MAX(o.rate_bps) AS max_rate,
       SUM(o.rate_bps) / COUNT(*) AS avg_rate,
       div(SUM(o.rate_bps::numeric * o.remaining), NULLIF(SUM(o.remaining), 0)) AS weighted_rate,
       SUM(o.remaining) AS volume
     FROM orders o LEFT JOIN credit_records c ON c.account = o.owner
     WHERE ${where.join(' AND ')}
     GROUP BY 1 ORDER BY 1 LIMIT 1000`,
    p,
  );
  return rows.map((r) => ({
    termFrom: int(r.bucket) * query.bucketSeconds,
    termTo: (int(r.bucket) + 1) * query.bucketSeconds,
    orders: int(r.orders),
    minRateBps: r.min_rate,
    maxRateBps: r.max_rate,
    avgRateBps: int(r.avg_rate),
    weightedRateBps: r.weighted_rate === null ? int(r.avg_rate) : int(r.weighted_rate),
    volume: r.volume.toString(10),
  }));
}

export interface DepthLevel {
  readonly rateBps: number;
  readonly orders: number;
  readonly remaining: string;
  /** What is on the book at this rate or better for a counterparty. */
  readonly cumulative: string;
}

/** Depth of one side: remaining by rate level, best first (offers cheapest, requests dearest), with running totals. */
export async function depth(db: IndexDatabase, query: { side: BookSide; asset: string; levels: number; now: number }): Promise<DepthLevel[]> {
  const p = new Params();
  const where = bookConditions({ side: query.side, asset: query.asset }, query.now, p);
  const direction = query.side === 'lend' ? 'ASC' : 'DESC';
  const rows = await run<{ rate_bps: number; orders: bigint; remaining: bigint; cumulative: bigint }>(
    db,
    `SELECT o.rate_bps, COUNT(*) AS orders, SUM(o.remaining) AS remaining,
       SUM(SUM(o.remaining)) OVER (ORDER BY o.rate_bps ${direction} ROWS UNBOUNDED PRECEDING) AS cumulative
     FROM orders o LEFT JOIN credit_records c ON c.account = o.owner
     WHERE ${where.join(' AND ')}
     GROUP BY o.rate_bps ORDER BY o.rate_bps ${direction} LIMIT ${p.add(query.levels)}`,
    p,
  );
  return rows.map((r) => ({ rateBps: r.rate_bps, orders: int(r.orders), remaining: r.remaining.toString(10), cumulative: r.cumulative.toString(10) }));
}
