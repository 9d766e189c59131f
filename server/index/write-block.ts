import type { Block, CommitCertificate, Loan, Order, SignedTransaction } from '../../contracts/index.js';
import { amount, type SqlTransaction } from '../db/database.js';
import type { BlockDelta, LoanChange, OrderChange } from './block-delta.js';

/**
 * A block's statements, sent one after another on the transaction's connection without
 * waiting for each answer (postgres.js pipelines them), and awaited together at the end.
 */
class Pipeline {
  private readonly sent: Promise<unknown>[] = [];
  constructor(private readonly tx: SqlTransaction) {}
  run(text: string, params: readonly unknown[] = []): void {
    this.sent.push(this.tx.unsafe(text, params as never[]));
  }
  async done(): Promise<void> {
    await Promise.all(this.sent);
  }
}
type Row = Record<string, string | number | boolean | null>;

/** Each table's columns with their Postgres types, in the order rows are written. */
const COLUMNS: Record<string, readonly (readonly [string, string])[]> = {
  blocks: [['height', 'bigint'], ['hash', 'text'], ['previous_hash', 'text'], ['time', 'bigint'], ['proposer', 'text'], ['tx_count', 'int'], ['tx_root', 'text'], ['state_root', 'text'], ['commit_round', 'int'], ['commit_signers', 'int']],
  txs: [['id', 'text'], ['height', 'bigint'], ['position', 'int'], ['signer', 'text'], ['type', 'text'], ['nonce', 'numeric'], ['time', 'bigint'], ['body', 'json']],
  accounts: [['account', 'text'], ['first_height', 'bigint'], ['last_height', 'bigint'], ['tx_count', 'bigint'], ['next_nonce', 'numeric']],
  balances: [['account', 'text'], ['asset', 'text'], ['amount', 'numeric'], ['updated_height', 'bigint']],
  credit_records: [['account', 'text'], ['loans_taken', 'int'], ['loans_repaid', 'int'], ['repaid_on_time', 'int'], ['late_payments', 'int'], ['defaults', 'int'], ['updated_height', 'bigint']],
  events: [['height', 'bigint'], ['seq', 'int'], ['tx_position', 'int'], ['tx_id', 'text'], ['type', 'text'], ['loan_id', 'bigint'], ['order_id', 'bigint'], ['time', 'bigint'], ['data', 'json']],
  account_events: [['account', 'text'], ['height', 'bigint'], ['seq', 'int']],
  orders: [
    ['id', 'bigint'], ['side', 'text'], ['owner', 'text'], ['asset', 'text'], ['amount', 'numeric'], ['remaining', 'numeric'], ['term', 'bigint'], ['schedule', 'text'],
    ['installments', 'int'], ['status', 'text'], ['created_at', 'bigint'], ['expires_at', 'bigint'], ['created_height', 'bigint'], ['closed_height', 'bigint'],
    ['updated_height', 'bigint'], ['rate_bps', 'int'], ['min_ticket', 'numeric'], ['max_ticket', 'numeric'], ['collateral_asset', 'text'], ['collateral_ratio_bps', 'int'],
    ['collateral_amount', 'numeric'], ['collateral_remaining', 'numeric'], ['partial', 'boolean'],
  ],
  order_commitments: [['order_id', 'bigint'], ['lender', 'text'], ['amount', 'numeric']],
  loans: [
    ['id', 'bigint'], ['borrower', 'text'], ['asset', 'text'], ['principal', 'numeric'], ['apr_bps', 'int'], ['term', 'bigint'], ['schedule', 'text'], ['installments', 'int'],
    ['start_time', 'bigint'], ['order_id', 'bigint'], ['collateral_asset', 'text'], ['collateral_amount', 'numeric'], ['status', 'text'], ['paid_installments', 'int'],
    ['paid_interest', 'numeric'], ['paid_principal', 'numeric'], ['late_fee_owed', 'numeric'], ['late_installments', 'int'], ['total_paid_late_fees', 'numeric'],
    ['total_paid_interest', 'numeric'], ['total_paid_principal', 'numeric'], ['next_due', 'bigint'], ['closed_at', 'bigint'], ['origin_height', 'bigint'], ['origin_tx', 'text'],
    ['updated_height', 'bigint'],
  ],
  loan_shares: [['loan_id', 'bigint'], ['lender', 'text'], ['principal', 'numeric']],
  installments: [['loan_id', 'bigint'], ['number', 'int'], ['due', 'bigint'], ['principal', 'numeric'], ['interest', 'numeric'], ['status', 'text']],
  payments: [
    ['height', 'bigint'], ['seq', 'int'], ['loan_id', 'bigint'], ['tx_id', 'text'], ['payer', 'text'], ['prepay', 'boolean'], ['late_fees', 'numeric'], ['interest', 'numeric'],
    ['principal', 'numeric'], ['interest_waived', 'numeric'], ['time', 'bigint'],
  ],
};

/** JSON for a json column, every bigint as its decimal string. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString(10) : v));
}

/**
 * Inserts rows as one array per column through `unnest`: one statement of fixed text per
 * table, whatever the number of rows, so the server plans it once per connection.
 */
function insert(p: Pipeline, table: string, rows: readonly Row[], tail = ''): void {
  if (rows.length === 0) return;
  const columns = COLUMNS[table];
  if (!columns) throw new Error(`no columns known for ${table}`);
  // Every column travels as text[] and is cast by the server: amounts never pass through a JS number.
  const arrays = columns.map(([name]) => rows.map((row) => textOf(row[name])));
  const selects = columns.map((_, i) => `$${i + 1}::text[]`);
  const casts = columns.map(([name, type]) => `${name}::${type}`);
  p.run(
    `INSERT INTO ${table} (${columns.map(([name]) => name).join(', ')}) SELECT ${casts.join(', ')} FROM unnest(${selects.join(', ')}) AS t(${columns.map(([name]) => name).join(', ')}) ${tail}`,
    arrays as never[],
  );
}

function textOf(value: string | number | boolean | null | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}

const orNull = (value: bigint | undefined) => (value === undefined ? null : amount(value));

/** Writes one committed block and everything its events changed; the caller's transaction also moves the cursor. */
export async function writeBlock(
  tx: SqlTransaction,
  input: { readonly block: Block; readonly hash: string; readonly commit: CommitCertificate; readonly txs: readonly SignedTransaction<unknown>[]; readonly delta: BlockDelta },
): Promise<void> {
  const { block, hash, commit, txs, delta } = input;
  const { header } = block;
  const height = header.height;
  const time = header.time;
  const p = new Pipeline(tx);
  insert(p, 'blocks', [
    {
      height,
      hash,
      previous_hash: header.previousHash,
      time,
      proposer: header.proposer,
      tx_count: txs.length,
      tx_root: header.txRoot,
      state_root: header.stateRoot,
      commit_round: commit.round,
      commit_signers: commit.precommits.length,
    },
  ]);
  insert(
    p,
    'txs',
    txs.map((signed, position) => ({ id: signed.id, height, position, signer: signed.tx.signer, type: signed.tx.type, nonce: amount(signed.tx.nonce), time, body: jsonText(signed.tx.body) })),
  );
  writeAccounts(p, height, txs, delta);
  insert(
    p,
    'balances',
    [...delta.balances.values()].map((b) => ({ account: b.account, asset: b.asset, amount: amount(b.amount), updated_height: height })),
    'ON CONFLICT (account, asset) DO UPDATE SET amount = EXCLUDED.amount, updated_height = EXCLUDED.updated_height',
  );
  for (const [asset, supply] of delta.supply) {
    p.run('UPDATE assets SET minted = minted + $2, burned = burned + $3 WHERE id = $1', [asset, amount(supply.minted), amount(supply.burned)]);
  }
  writeOrders(p, height, delta.orders);
  writeLoans(p, height, time, txs, delta);
  insert(
    p,
    'credit_records',
    [...delta.credit].map(([account, r]) => ({
      account,
      loans_taken: r.loansTaken,
      loans_repaid: r.loansRepaid,
      repaid_on_time: r.repaidOnTime,
      late_payments: r.latePayments,
      defaults: r.defaults,
      updated_height: height,
    })),
    `ON CONFLICT (account) DO UPDATE SET loans_taken = EXCLUDED.loans_taken, loans_repaid = EXCLUDED.loans_repaid, repaid_on_time = EXCLUDED.repaid_on_time,
       late_payments = EXCLUDED.late_payments, defaults = EXCLUDED.defaults, updated_height = EXCLUDED.updated_height`,
  );
  // Balance events are folded into `balances`; the events table keeps the domain events.
  const events = delta.events.filter((e) => e.event.type !== 'balance');
  insert(
    p,
    'events',
    events.map((e) => ({
      height,
      seq: e.seq,
      tx_position: e.txPosition ?? null,
      tx_id: e.txPosition === undefined ? null : txs[e.txPosition]!.id,
      type: e.event.type,
      loan_id: e.loanId ?? null,
      order_id: e.orderId ?? null,
      time,
      data: jsonText(e.event),
    })),
  );
  insert(
    p,
    'account_events',
    events.flatMap((e) => e.accounts.map((account) => ({ account, height, seq: e.seq }))),
  );
  await p.done();
}

function writeAccounts(p: Pipeline, height: number, txs: readonly SignedTransaction<unknown>[], delta: BlockDelta): void {
  const accounts = new Map<string, { txCount: number; nextNonce: bigint | undefined }>();
  for (const account of delta.accountsSeen) accounts.set(account, { txCount: 0, nextNonce: undefined });
  for (const { tx: t } of txs) {
    const entry = accounts.get(t.signer) ?? { txCount: 0, nextNonce: undefined };
    entry.txCount += 1;
    entry.nextNonce = t.nonce + 1n;
    accounts.set(t.signer, entry);
  }
  insert(
    p,
    'accounts',
    [...accounts].map(([account, a]) => ({
      account,
      first_height: height,
      last_height: a.txCount > 0 ? height : null,
      tx_count: a.txCount,
      next_nonce: amount(a.nextNonce ?? 0n),
    })),
    `ON CONFLICT (account) DO UPDATE SET last_height = COALESCE(EXCLUDED.last_height, accounts.last_height),
       tx_count = accounts.tx_count + EXCLUDED.tx_count, next_nonce = GREATEST(accounts.next_nonce, EXCLUDED.next_nonce)`,
  );
}

function orderRow(order: Order, height: number, change: OrderChange): Row {
  const common = {
    id: order.id,
    side: order.side,
    owner: order.owner,
    asset: order.asset,
    amount: amount(order.amount),
    remaining: amount(change.closed === 'filled' ? 0n : order.remaining),
    term: order.term,
    schedule: order.schedule,
    installments: order.installments,
    status: change.closed ?? 'open',
    created_at: order.createdAt,
    expires_at: order.expiresAt,
    created_height: height,
    closed_height: change.closed ? height : null,
    updated_height: height,
  };
  if (order.side === 'lend') {
    return {
      ...common,
      rate_bps: order.aprBps,
      min_ticket: amount(order.minTicket),
      max_ticket: amount(order.maxTicket),
      collateral_asset: order.collateral?.asset ?? null,
      collateral_ratio_bps: order.collateral?.ratioBps ?? null,
      collateral_amount: null,
      collateral_remaining: null,
      partial: null,
    };
  }
  return {
    ...common,
    rate_bps: order.maxAprBps,
    min_ticket: null,
    max_ticket: null,
    collateral_asset: order.collateral?.asset ?? null,
    collateral_ratio_bps: null,
    collateral_amount: orNull(order.collateral?.amount),
    collateral_remaining: orNull(order.collateral?.remaining),
    partial: order.partial,
  };
}

const ORDER_UPDATE = `ON CONFLICT (id) DO UPDATE SET remaining = EXCLUDED.remaining, collateral_remaining = EXCLUDED.collateral_remaining,
  status = EXCLUDED.status, closed_height = EXCLUDED.closed_height, updated_height = EXCLUDED.updated_height`;

function writeOrders(p: Pipeline, height: number, orders: ReadonlyMap<number, OrderChange>): void {
  const withRecord = [...orders].filter(([, change]) => change.record !== undefined);
  insert(p, 'orders', withRecord.map(([, change]) => orderRow(change.record!, height, change)), ORDER_UPDATE);
  // A request's commitments as its last record has them.
  const requests = withRecord.flatMap(([id, change]) => (change.record!.side === 'borrow' ? [[id, change.record!.commitments] as const] : []));
  if (requests.length > 0) p.run('DELETE FROM order_commitments WHERE order_id = ANY($1::bigint[])', [requests.map(([id]) => id)]);
  insert(
    p,
    'order_commitments',
    requests.flatMap(([id, commitments]) => commitments.map((c) => ({ order_id: id, lender: c.lender, amount: amount(c.amount) }))),
  );
  // Changes to orders whose record is not in this block.
  for (const [id, change] of orders) {
    if (change.record) continue;
    for (const [lender, committed] of change.committed) {
      p.run(
        `INSERT INTO order_commitments (order_id, lender, amount) VALUES ($1, $2, $3)
         ON CONFLICT (order_id, lender) DO UPDATE SET amount = order_commitments.amount + EXCLUDED.amount`,
        [id, lender, amount(committed)],
      );
      p.run('UPDATE orders SET remaining = remaining - $2, updated_height = $3 WHERE id = $1', [id, amount(committed), height]);
    }
    if (change.closed) {
      p.run(
        `UPDATE orders SET status = $2, closed_height = $3, updated_height = $3, remaining = CASE WHEN $2 = 'filled' THEN 0 ELSE remaining END WHERE id = $1`,
        [id, change.closed, height],
      );
    }
  }
}

function loanRow(loan: Loan, height: number, time: number, originTx: string | null): Row {
  return {
    id: loan.id,
    borrower: loan.borrower,
    asset: loan.asset,
    principal: amount(loan.principal),
    apr_bps: loan.aprBps,
    term: loan.term,
    schedule: loan.schedule,
    installments: loan.installments,
    start_time: loan.startTime,
    order_id: loan.orderId,
    collateral_asset: loan.collateral?.asset ?? null,
    collateral_amount: orNull(loan.collateral?.amount),
    status: loan.status,
    paid_installments: loan.paidInstallments,
    paid_interest: amount(loan.paidInterest),
    paid_principal: amount(loan.paidPrincipal),
    late_fee_owed: amount(loan.lateFeeOwed),
    late_installments: loan.lateInstallments,
    total_paid_late_fees: amount(loan.totalPaid.lateFees),
    total_paid_interest: amount(loan.totalPaid.interest),
    total_paid_principal: amount(loan.totalPaid.principal),
    next_due: null,
    closed_at: loan.status === 'active' ? null : time,
    origin_height: height,
    origin_tx: originTx,
    updated_height: height,
  };
}

function writeLoans(p: Pipeline, height: number, time: number, txs: readonly SignedTransaction<unknown>[], delta: BlockDelta): void {
  const originTx = new Map<number, string>();
  for (const e of delta.events) if (e.event.type === 'loanOriginated' && e.txPosition !== undefined) originTx.set(e.event.loan.id, txs[e.txPosition]!.id);
  const originated = [...delta.loans.values()].flatMap((c) => (c.originated ? [c.originated] : []));
  insert(p, 'loans', originated.map((loan) => loanRow(loan, height, time, originTx.get(loan.id) ?? null)));
  insert(p, 'loan_shares', originated.flatMap((loan) => loan.shares.map((s) => ({ loan_id: loan.id, lender: s.lender, principal: amount(s.principal) }))));
  insert(
    p,
    'installments',
    originated.flatMap((loan) => loan.plan.map((p, number) => ({ loan_id: loan.id, number, due: p.due, principal: amount(p.principal), interest: amount(p.interest), status: number < loan.paidInstallments ? 'paid' : 'due' }))),
  );
  writeLoanProgress(p, height, time, delta.loans);
  insert(
    p,
    'payments',
    delta.payments.map(({ seq, txPosition, event }) => ({
      height,
      seq,
      loan_id: event.loanId,
      tx_id: txs[txPosition]!.id,
      payer: event.payer,
      prepay: event.prepay,
      late_fees: amount(event.lateFees),
      interest: amount(event.interest),
      principal: amount(event.principal),
      interest_waived: amount(event.interestWaived),
      time,
    })),
  );
  const late = [...delta.late].flatMap(([loanId, numbers]) => [...numbers].map((number) => [String(loanId), String(number)] as const));
  if (late.length > 0) {
    p.run(
      `UPDATE installments i SET status = 'late' FROM unnest($1::bigint[], $2::int[]) AS v(loan_id, number)
       WHERE i.loan_id = v.loan_id AND i.number = v.number AND i.status = 'due'`,
      [late.map(([loanId]) => loanId), late.map(([, number]) => number)],
    );
  }
  const touched = [...delta.loans.keys()];
  if (touched.length === 0) return;
  p.run(
    `UPDATE loans l SET next_due = CASE WHEN l.status = 'active'
       THEN (SELECT i.due FROM installments i WHERE i.loan_id = l.id AND i.number = l.paid_installments) END
     WHERE l.id = ANY($1::bigint[])`,
    [touched],
  );
}

/** Repayments, lateness and closings of loans: one statement per table for the whole block. */
function writeLoanProgress(p: Pipeline, height: number, time: number, loans: ReadonlyMap<number, LoanChange>): void {
  const progressed = [...loans].flatMap(([id, change]) => (change.progress ? [[id, change.progress] as const] : []));
  if (progressed.length > 0) {
    const column = (value: (progress: NonNullable<LoanChange['progress']>) => string | number) => progressed.map(([, progress]) => String(value(progress)));
    p.run(
      `UPDATE loans l SET status = v.status, paid_installments = v.paid_installments, paid_interest = v.paid_interest, paid_principal = v.paid_principal,
         late_fee_owed = v.late_fee_owed, late_installments = v.late_installments, total_paid_late_fees = v.total_paid_late_fees,
         total_paid_interest = v.total_paid_interest, total_paid_principal = v.total_paid_principal,
         closed_at = CASE WHEN v.status = 'active' THEN NULL ELSE COALESCE(l.closed_at, $11) END, updated_height = $12
       FROM unnest($1::bigint[], $2::text[], $3::int[], $4::numeric[], $5::numeric[], $6::numeric[], $7::int[], $8::numeric[], $9::numeric[], $10::numeric[])
         AS v(id, status, paid_installments, paid_interest, paid_principal, late_fee_owed, late_installments, total_paid_late_fees, total_paid_interest, total_paid_principal)
       WHERE l.id = v.id`,
      [
        progressed.map(([id]) => String(id)),
        column((x) => x.status),
        column((x) => x.paidInstallments),
        column((x) => amount(x.paidInterest)),
        column((x) => amount(x.paidPrincipal)),
        column((x) => amount(x.lateFeeOwed)),
        column((x) => x.lateInstallments),
        column((x) => amount(x.totalPaid.lateFees)),
        column((x) => amount(x.totalPaid.interest)),
        column((x) => amount(x.totalPaid.principal)),
        time,
        height,
      ],
    );
    // Installments before the first unpaid one are paid; a closed loan settles the rest.
    p.run(
      `UPDATE installments i SET status = CASE
         WHEN i.number < v.paid_installments OR v.status = 'repaid' THEN 'paid'
         WHEN v.status = 'defaulted' THEN 'defaulted'
         ELSE i.status END
       FROM unnest($1::bigint[], $2::int[], $3::text[]) AS v(loan_id, paid_installments, status)
       WHERE i.loan_id = v.loan_id AND i.status IN ('due', 'late')`,
      [progressed.map(([id]) => String(id)), column((x) => x.paidInstallments), column((x) => x.status)],
    );
  }
  // One row per (loan, lender): each loan's receipts in the block are already summed per lender.
  const received = [...loans].flatMap(([id, change]) => [...change.received].map(([lender, r]) => ({ id, lender, ...r })));
  if (received.length > 0) {
    p.run(
      `UPDATE loan_shares s SET received_principal = s.received_principal + v.principal, received_interest = s.received_interest + v.interest,
         received_late_fees = s.received_late_fees + v.late_fees, collateral_received = s.collateral_received + v.collateral
       FROM unnest($1::bigint[], $2::text[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[]) AS v(loan_id, lender, principal, interest, late_fees, collateral)
       WHERE s.loan_id = v.loan_id AND s.lender = v.lender`,
      [
        received.map((r) => String(r.id)),
        received.map((r) => r.lender),
        received.map((r) => amount(r.principal)),
        received.map((r) => amount(r.interest)),
        received.map((r) => amount(r.lateFees)),
        received.map((r) => amount(r.collateral)),
      ],
    );
  }
}
