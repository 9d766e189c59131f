import type { AccountRecord, AssetRecord, CreditRecord, Loan, MarketState, Order } from '../../contracts/index.js';
import type { Sql } from '../db/database.js';

/** One field where the index and the ledger's state differ. */
export interface IndexDifference {
  readonly table: string;
  readonly key: string;
  readonly field: string;
  readonly index: string;
  readonly ledger: string;
}

const show = (value: unknown) => (value === undefined || value === null ? 'absent' : String(value));

/** Differences found so far: a field at a time, or a whole row's fields against what the ledger holds. */
export class Differences {
  readonly found: IndexDifference[] = [];
  field(table: string, key: string, field: string, index: unknown, ledger: unknown): void {
    if (show(index) !== show(ledger)) this.found.push({ table, key, field, index: show(index), ledger: show(ledger) });
  }
  fields(table: string, key: string, row: Record<string, unknown> | undefined, expected: Record<string, unknown>): void {
    if (!row) {
      this.found.push({ table, key, field: '(row)', index: 'absent', ledger: 'present' });
      return;
    }
    for (const [field, value] of Object.entries(expected)) this.field(table, key, field, row[field], value);
  }
}

/** The state's records of one kind, keyed by what follows the kind in the state key. */
function recordsOf<T>(state: MarketState, kind: string): Map<string, T> {
  const prefix = `${kind}/`;
  const out = new Map<string, T>();
  for (const [key, value] of state.entries()) if (key.startsWith(prefix)) out.set(key.slice(prefix.length), value as T);
  return out;
}

function byKey<T extends Record<string, unknown>>(rows: readonly T[], key: (row: T) => string): Map<string, T> {
  return new Map(rows.map((row) => [key(row), row]));
}

/**
 * Compares the index with a ledger's state, row by row: balances, accounts' nonces, assets'
 * supply, open orders with their commitments, loans with their shares and installments, and
 * credit records. Returns every difference found (none: the index holds exactly the state).
 */
export async function compareIndex(sql: Sql, state: MarketState): Promise<IndexDifference[]> {
  const d = new Differences();

  const balances = recordsOf<bigint>(state, 'balance');
  const balanceRows = byKey(await sql`SELECT account, asset, amount FROM balances WHERE amount <> 0`, (r) => `${r.account}/${r.asset}`);
  for (const [key, value] of balances) d.field('balances', key, 'amount', balanceRows.get(key)?.amount, value);
  for (const [key, row] of balanceRows) if (!balances.has(key)) d.field('balances', key, 'amount', row.amount, undefined);

  const accountRows = byKey(await sql`SELECT account, next_nonce FROM accounts`, (r) => String(r.account));
  for (const [account, record] of recordsOf<AccountRecord>(state, 'account')) {
    if (record.nonce > 0n) d.field('accounts', account, 'next_nonce', accountRows.get(account)?.next_nonce, record.nonce);
  }

  const assetRows = byKey(await sql`SELECT id, minted, burned FROM assets`, (r) => String(r.id));
  for (const [id, asset] of recordsOf<AssetRecord>(state, 'asset')) d.fields('assets', id, assetRows.get(id), { minted: asset.minted, burned: asset.burned });

  await compareOrders(sql, state, d);
  await compareLoans(sql, state, d);

  const creditRows = byKey(await sql`SELECT * FROM credit_records`, (r) => String(r.account));
  const credit = recordsOf<CreditRecord>(state, 'credit');
  for (const [account, r] of credit) {
    d.fields('credit_records', account, creditRows.get(account), {
      loans_taken: r.loansTaken,
      loans_repaid: r.loansRepaid,
      repaid_on_time: r.repaidOnTime,
      late_payments: r.latePayments,
      defaults: r.defaults,
    });
  }
  for (const account of creditRows.keys()) if (!credit.has(account)) d.field('credit_records', account, '(row)', 'present', undefined);
  return d.found;
}

async function compareOrders(sql: Sql, state: MarketState, d: Differences): Promise<void> {
  const orders = recordsOf<Order>(state, 'order');
  const rows = byKey(await sql`SELECT * FROM orders WHERE status = 'open'`, (r) => String(r.id));
  const commitmentRows = await sql`SELECT order_id, lender, amount FROM order_commitments`;
  for (const [id, order] of orders) {
    d.fields('orders', id, rows.get(id), {
      side: order.side,
      owner: order.owner,
      asset: order.asset,
      amount: order.amount,
      remaining: order.remaining,
      rate_bps: order.side === 'lend' ? order.aprBps : order.maxAprBps,
      term: order.term,
      schedule: order.schedule,
      installments: order.installments,
      expires_at: order.expiresAt,
      collateral_asset: order.collateral?.asset,
      collateral_remaining: order.side === 'borrow' ? order.collateral?.remaining : undefined,
    });
    if (order.side === 'borrow') {
      const indexed = commitmentRows.filter((r) => String(r.order_id) === id).map((r) => `${r.lender}:${r.amount}`).sort();
      const ledger = order.commitments.map((c) => `${c.lender}:${c.amount}`).sort();
      d.field('order_commitments', id, 'commitments', indexed.join(','), ledger.join(','));
    }
  }
  for (const id of rows.keys()) if (!orders.has(id)) d.field('orders', id, 'status', 'open', 'closed');
}

async function compareLoans(sql: Sql, state: MarketState, d: Differences): Promise<void> {
  const loans = recordsOf<Loan>(state, 'loan');
  const rows = byKey(await sql`SELECT * FROM loans`, (r) => String(r.id));
  const shares = await sql`SELECT loan_id, lender, principal, received_principal, received_interest, received_late_fees FROM loan_shares`;
  const installments = await sql`SELECT loan_id, count(*)::int AS n, count(*) FILTER (WHERE status = 'paid')::int AS paid FROM installments GROUP BY loan_id`;
  const installmentsOf = byKey(installments, (r) => String(r.loan_id));
  for (const [id, loan] of loans) {
    d.fields('loans', id, rows.get(id), {
      borrower: loan.borrower,
      asset: loan.asset,
      principal: loan.principal,
      apr_bps: loan.aprBps,
      status: loan.status,
      paid_installments: loan.paidInstallments,
      paid_interest: loan.paidInterest,
      paid_principal: loan.paidPrincipal,
      late_fee_owed: loan.lateFeeOwed,
      late_installments: loan.lateInstallments,
      total_paid_late_fees: loan.totalPaid.lateFees,
      total_paid_interest: loan.totalPaid.interest,
      total_paid_principal: loan.totalPaid.principal,
      collateral_amount: loan.collateral?.amount,
      next_due: loan.status === 'active' ? loan.plan[loan.paidInstallments]?.due : undefined,
      closed_at: loan.closedAt,
    });
    const loanShares = shares.filter((s) => String(s.loan_id) === id);
    d.field('loan_shares', id, 'shares', loanShares.map((s) => `${s.lender}:${s.principal}`).sort().join(','), loan.shares.map((s) => `${s.lender}:${s.principal}`).sort().join(','));
    const sum = (field: string) => loanShares.reduce((total, s) => total + (s[field] as bigint), 0n);
    d.field('loan_shares', id, 'received_principal (sum)', sum('received_principal'), loan.totalPaid.principal);
    d.field('loan_shares', id, 'received_interest (sum)', sum('received_interest'), loan.totalPaid.interest);
    d.field('loan_shares', id, 'received_late_fees (sum)', sum('received_late_fees'), loan.totalPaid.lateFees);
    const counted = installmentsOf.get(id);
    d.field('installments', id, 'count', counted?.n, loan.plan.length);
    if (loan.status === 'active') d.field('installments', id, 'paid', counted?.paid, loan.paidInstallments);
  }
  for (const id of rows.keys()) if (!loans.has(id)) d.field('loans', id, '(row)', 'present', undefined);
}
