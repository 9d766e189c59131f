import type { Block, CommitCertificate, Loan, Order, SignedTransaction } from '../../contracts/index.js';
import { amount, type SqlTransaction } from '../db/database.js';
import type { BlockDelta, LoanChange, OrderChange } from './block-delta.js';

type Tx = SqlTransaction;
type Row = Record<string, string | number | boolean | null>;

/** Rows per statement: well under Postgres's 65,535 parameters for the widest table. */
const CHUNK = 1_000;

/** JSON for a jsonb column, every bigint as its decimal string. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString(10) : v));
}

async function insert(tx: Tx, table: string, rows: readonly Row[], tail = ''): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  for (let i = 0; i < rows.length; i += CHUNK) {
    await tx.unsafe(`INSERT INTO ${table} ${valuesOf(rows.slice(i, i + CHUNK), columns)} ${tail}`, rows.slice(i, i + CHUNK).flatMap((row) => columns.map((c) => row[c] ?? null)));
  }
}

/** `(c1, c2) VALUES ($1, $2), ($3, $4)…` for `rows`, numbered in row order. */
function valuesOf(rows: readonly Row[], columns: readonly string[]): string {
  let n = 0;
  const tuples = rows.map(() => `(${columns.map(() => `$${++n}`).join(', ')})`);
  return `(${columns.join(', ')}) VALUES ${tuples.join(', ')}`;
}

const orNull = (value: bigint | undefined) => (value === undefined ? null : amount(value));

/** Writes one committed block and everything its events changed; the caller's transaction also moves the cursor. */
export async function writeBlock(
  tx: Tx,
  input: { readonly block: Block; readonly hash: string; readonly commit: CommitCertificate; readonly txs: readonly SignedTransaction<unknown>[]; readonly delta: BlockDelta },
): Promise<void> {
  const { block, hash, commit, txs, delta } = input;
  const { header } = block;
  const height = header.height;
  const time = header.time;
  await insert(tx, 'blocks', [
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
  await insert(
    tx,
    'txs',
    txs.map((signed, position) => ({ id: signed.id, height, position, signer: signed.tx.signer, type: signed.tx.type, nonce: amount(signed.tx.nonce), time, body: jsonText(signed.tx.body) })),
  );
  await writeAccounts(tx, height, txs, delta);
  await insert(
    tx,
    'balances',
    [...delta.balances.values()].map((b) => ({ account: b.account, asset: b.asset, amount: amount(b.amount), updated_height: height })),
    'ON CONFLICT (account, asset) DO UPDATE SET amount = EXCLUDED.amount, updated_height = EXCLUDED.updated_height',
  );
  for (const [asset, supply] of delta.supply) {
    await tx.unsafe('UPDATE assets SET minted = minted + $2, burned = burned + $3 WHERE id = $1', [asset, amount(supply.minted), amount(supply.burned)]);
  }
  await writeOrders(tx, height, delta.orders);
  await writeLoans(tx, height, time, txs, delta);
  await insert(
    tx,
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
  await insert(
    tx,
    'events',
    delta.events.map((e) => ({
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
  await insert(
    tx,
    'account_events',
    delta.events.flatMap((e) => e.accounts.map((account) => ({ account, height, seq: e.seq }))),
  );
}

async function writeAccounts(tx: Tx, height: number, txs: readonly SignedTransaction<unknown>[], delta: BlockDelta): Promise<void> {
  const accounts = new Map<string, { txCount: number; nextNonce: bigint | undefined }>();
  for (const account of delta.accountsSeen) accounts.set(account, { txCount: 0, nextNonce: undefined });
  for (const { tx: t } of txs) {
    const entry = accounts.get(t.signer) ?? { txCount: 0, nextNonce: undefined };
    entry.txCount += 1;
    entry.nextNonce = t.nonce + 1n;
    accounts.set(t.signer, entry);
  }
  await insert(
    tx,
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

async function writeOrders(tx: Tx, height: number, orders: ReadonlyMap<number, OrderChange>): Promise<void> {
  const withRecord = [...orders].filter(([, change]) => change.record !== undefined);
  await insert(tx, 'orders', withRecord.map(([, change]) => orderRow(change.record!, height, change)), ORDER_UPDATE);
  // A request's commitments as its last record has them.
  const requests = withRecord.flatMap(([id, change]) => (change.record!.side === 'borrow' ? [[id, change.record!.commitments] as const] : []));
  if (requests.length > 0) await tx.unsafe('DELETE FROM order_commitments WHERE order_id = ANY($1::bigint[])', [requests.map(([id]) => id)]);
  await insert(
    tx,
    'order_commitments',
    requests.flatMap(([id, commitments]) => commitments.map((c) => ({ order_id: id, lender: c.lender, amount: amount(c.amount) }))),
  );
  // Changes to orders whose record is not in this block.
  for (const [id, change] of orders) {
    if (change.record) continue;
    for (const [lender, committed] of change.committed) {
      await tx.unsafe(
        `INSERT INTO order_commitments (order_id, lender, amount) VALUES ($1, $2, $3)
         ON CONFLICT (order_id, lender) DO UPDATE SET amount = order_commitments.amount + EXCLUDED.amount`,
        [id, lender, amount(committed)],
      );
      await tx.unsafe('UPDATE orders SET remaining = remaining - $2, updated_height = $3 WHERE id = $1', [id, amount(committed), height]);
    }
    if (change.closed) {
      await tx.unsafe(
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

async function writeLoans(tx: Tx, height: number, time: number, txs: readonly SignedTransaction<unknown>[], delta: BlockDelta): Promise<void> {
  const originTx = new Map<number, string>();
  for (const e of delta.events) if (e.event.type === 'loanOriginated' && e.txPosition !== undefined) originTx.set(e.event.loan.id, txs[e.txPosition]!.id);
  const originated = [...delta.loans.values()].flatMap((c) => (c.originated ? [c.originated] : []));
  await insert(tx, 'loans', originated.map((loan) => loanRow(loan, height, time, originTx.get(loan.id) ?? null)));
  await insert(tx, 'loan_shares', originated.flatMap((loan) => loan.shares.map((s) => ({ loan_id: loan.id, lender: s.lender, principal: amount(s.principal) }))));
  await insert(
    tx,
    'installments',
    originated.flatMap((loan) => loan.plan.map((p, number) => ({ loan_id: loan.id, number, due: p.due, principal: amount(p.principal), interest: amount(p.interest), status: number < loan.paidInstallments ? 'paid' : 'due' }))),
  );
  for (const [id, change] of delta.loans) await writeLoanProgress(tx, id, height, time, change);
  await insert(
    tx,
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
  for (const [loanId, numbers] of delta.late) {
    await tx.unsafe(`UPDATE installments SET status = 'late' WHERE loan_id = $1 AND number = ANY($2::int[]) AND status = 'due'`, [loanId, [...numbers]]);
  }
  const touched = [...delta.loans.keys()];
  if (touched.length === 0) return;
  await tx.unsafe(
    `UPDATE loans l SET next_due = CASE WHEN l.status = 'active'
       THEN (SELECT i.due FROM installments i WHERE i.loan_id = l.id AND i.number = l.paid_installments) END
     WHERE l.id = ANY($1::bigint[])`,
    [touched],
  );
}

async function writeLoanProgress(tx: Tx, id: number, height: number, time: number, change: LoanChange): Promise<void> {
  const p = change.progress;
  if (p) {
    await tx.unsafe(
      `UPDATE loans SET status = $2, paid_installments = $3, paid_interest = $4, paid_principal = $5, late_fee_owed = $6, late_installments = $7,
         total_paid_late_fees = $8, total_paid_interest = $9, total_paid_principal = $10,
         closed_at = CASE WHEN $2 = 'active' THEN NULL ELSE COALESCE(closed_at, $11) END, updated_height = $12
       WHERE id = $1`,
      [id, p.status, p.paidInstallments, amount(p.paidInterest), amount(p.paidPrincipal), amount(p.lateFeeOwed), p.lateInstallments,
        amount(p.totalPaid.lateFees), amount(p.totalPaid.interest), amount(p.totalPaid.principal), time, height],
    );
    // Installments before the first unpaid one are paid; a closed loan settles the rest.
    await tx.unsafe(
      `UPDATE installments SET status = CASE
         WHEN number < $2 OR $3 = 'repaid' THEN 'paid'
         WHEN $3 = 'defaulted' THEN 'defaulted'
         ELSE status END
       WHERE loan_id = $1 AND status IN ('due', 'late')`,
      [id, p.paidInstallments, p.status],
    );
  }
  for (const [lender, r] of change.received) {
    await tx.unsafe(
      `UPDATE loan_shares SET received_principal = received_principal + $3, received_interest = received_interest + $4,
         received_late_fees = received_late_fees + $5, collateral_received = collateral_received + $6
       WHERE loan_id = $1 AND lender = $2`,
      [id, lender, amount(r.principal), amount(r.interest), amount(r.lateFees), amount(r.collateral)],
    );
  }
}
