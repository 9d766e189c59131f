import type { Sql } from '../db/database.js';
import { compareIndex, Differences, type IndexDifference } from '../index/compare.js';
import type { ChainAudit } from './verify-chain.js';

export type { IndexDifference } from '../index/compare.js';

/**
 * Compares the index with a replayed chain, row by row: its cursor and every indexed block
 * (hash and header fields, number of transactions), the transactions per block, every
 * payment (count and each field), then balances, nonces, supply, orders, loans and credit
 * records against the replayed state. Returns every difference, the first being the one to
 * report; an index that is not at the replay's height is reported as that alone.
 */
export async function verifyIndex(sql: Sql, audit: ChainAudit, chainId: string): Promise<IndexDifference[]> {
  const d = new Differences();
  const [cursor] = await sql<{ chain_id: string; height: bigint; block_hash: string }[]>`SELECT chain_id, height, block_hash FROM index_cursor WHERE id = 1`;
  if (!cursor) return [{ table: 'index_cursor', key: '1', field: '(row)', index: 'absent', ledger: 'present' }];
  d.field('index_cursor', '1', 'chain_id', cursor.chain_id, chainId);
  d.field('index_cursor', '1', 'height', cursor.height, audit.blocks);
  // Rows of an index at another height would differ from the replayed state everywhere.
  if (d.found.length > 0) return d.found;
  d.field('index_cursor', '1', 'block_hash', cursor.block_hash, audit.replayed.at(-1)?.hash ?? cursor.block_hash);

  await compareBlocks(sql, audit, d);
  await comparePayments(sql, audit, d);
  return [...d.found, ...(await compareIndex(sql, audit.state))];
}

async function compareBlocks(sql: Sql, audit: ChainAudit, d: Differences): Promise<void> {
  const rows = await sql`SELECT height, hash, previous_hash, time, proposer, tx_count, tx_root, state_root FROM blocks ORDER BY height`;
  const byHeight = new Map(rows.map((row) => [Number(row.height), row]));
  const txCounts = new Map((await sql`SELECT height, count(*)::int AS n FROM txs GROUP BY height`).map((row) => [Number(row.height), row.n as number]));
  for (const [at, block] of audit.replayed.entries()) {
    const height = at + 1;
    const { header } = block;
    d.fields('blocks', String(height), byHeight.get(height), {
      hash: block.hash,
      previous_hash: header.previousHash,
      time: header.time,
      proposer: header.proposer,
      tx_count: block.txCount,
      tx_root: header.txRoot,
      state_root: header.stateRoot,
    });
    d.field('txs', String(height), 'count', txCounts.get(height) ?? 0, block.txCount);
  }
  for (const height of byHeight.keys()) if (height < 1 || height > audit.replayed.length) d.field('blocks', String(height), '(row)', 'present', undefined);
  for (const height of txCounts.keys()) if (height < 1 || height > audit.replayed.length) d.field('txs', String(height), 'count', txCounts.get(height), undefined);
}

async function comparePayments(sql: Sql, audit: ChainAudit, d: Differences): Promise<void> {
  const rows = await sql`SELECT height, seq, loan_id, tx_id, payer, prepay, late_fees, interest, principal, interest_waived, time FROM payments ORDER BY height, seq`;
  d.field('payments', '(all)', 'count', rows.length, audit.payments.length);
  const byKey = new Map(rows.map((row) => [`${row.height}/${row.seq}`, row]));
  const replayed = new Set<string>();
  for (const payment of audit.payments) {
    const key = `${payment.height}/${payment.seq}`;
    replayed.add(key);
    d.fields('payments', key, byKey.get(key), {
      loan_id: payment.loanId,
      tx_id: payment.txId,
      payer: payment.payer,
      prepay: payment.prepay,
      late_fees: payment.lateFees,
      interest: payment.interest,
      principal: payment.principal,
      interest_waived: payment.interestWaived,
      time: payment.time,
    });
  }
  for (const key of byKey.keys()) if (!replayed.has(key)) d.field('payments', key, '(row)', 'present', undefined);
}
