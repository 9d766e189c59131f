import type { IndexDatabase } from '../../db/database.js';
import { decodeCursor, encodeCursor, int, pageOf, type Page } from '../wire.js';
import { EVENT_COLUMNS, eventView, type EventRow, type EventView } from './orders.js';
import { first, Params, run } from './sql.js';

interface BlockRow {
  height: bigint;
  hash: string;
  previous_hash: string;
  time: bigint;
  proposer: string;
  tx_count: number;
  tx_root: string;
  state_root: string;
  commit_round: number;
  commit_signers: number;
}

const BLOCK_COLUMNS = 'b.height, b.hash, b.previous_hash, b.time, b.proposer, b.tx_count, b.tx_root, b.state_root, b.commit_round, b.commit_signers';

export interface BlockView {
  readonly height: number;
  readonly hash: string;
  readonly previousHash: string;
  readonly time: number;
  readonly proposer: string;
  readonly txCount: number;
  readonly txRoot: string;
  readonly stateRoot: string;
  readonly commitRound: number;
  readonly commitSigners: number;
}

function blockView(row: BlockRow): BlockView {
  return {
    height: int(row.height),
    hash: row.hash,
    previousHash: row.previous_hash,
    time: int(row.time),
    proposer: row.proposer,
    txCount: row.tx_count,
    txRoot: row.tx_root,
    stateRoot: row.state_root,
    commitRound: row.commit_round,
    commitSigners: row.commit_signers,
  };
}

/** Blocks, newest first. */
export async function blockPage(db: IndexDatabase, query: { limit: number; cursor?: string | null | undefined }): Promise<Page<BlockView>> {
  const scope = 'blocks';
  const p = new Params();
  let where = '';
  if (query.cursor) {
    const [height] = decodeCursor(query.cursor, scope, ['n']);
    where = `WHERE b.height < ${p.add(height)}`;
  }
  const rows = await run<BlockRow>(db, `SELECT ${BLOCK_COLUMNS} FROM blocks b ${where} ORDER BY b.height DESC LIMIT ${p.add(query.limit + 1)}`, p);
  return pageOf(rows.map(blockView), query.limit, (last) => encodeCursor(scope, [last.height]));
}

/** Blocks above `height`, oldest first (for subscribers catching up). */
export async function blocksAfter(db: IndexDatabase, height: number, limit: number): Promise<BlockView[]> {
  const rows = await run<BlockRow>(db, `SELECT ${BLOCK_COLUMNS} FROM blocks b WHERE b.height > $1 ORDER BY b.height LIMIT $2`, [height, limit]);
  return rows.map(blockView);
}

export interface TxSummary {
  readonly id: string;
  readonly height: number;
  readonly position: number;
  readonly signer: string;
  readonly type: string;
  readonly nonce: string;
  readonly time: number;
}

interface TxRow {
  id: string;
  height: bigint;
  position: number;
  signer: string;
  type: string;
  nonce: bigint;
  time: bigint;
}

function txSummary(row: TxRow): TxSummary {
  return { id: row.id, height: int(row.height), position: row.position, signer: row.signer, type: row.type, nonce: row.nonce.toString(10), time: int(row.time) };
}

/** The most transactions of one block a page lists. */
export const BLOCK_TXS_PAGE = 500;

export async function blockAt(db: IndexDatabase, height: number, txsFrom: number): Promise<{ block: BlockView; txs: TxSummary[] } | undefined> {
  const row = await first<BlockRow>(db, `SELECT ${BLOCK_COLUMNS} FROM blocks b WHERE b.height = $1`, [height]);
  if (!row) return undefined;
  const txs = await run<TxRow>(
    db,
    'SELECT id, height, position, signer, type, nonce, time FROM txs WHERE height = $1 AND position >= $2 ORDER BY position LIMIT $3',
    [height, txsFrom, BLOCK_TXS_PAGE],
  );
  return { block: blockView(row), txs: txs.map(txSummary) };
}

export async function txEvents(db: IndexDatabase, id: string): Promise<EventView[]> {
  const rows = await run<EventRow>(db, `SELECT ${EVENT_COLUMNS} FROM events e JOIN txs t ON t.height = e.height AND t.position = e.tx_position WHERE t.id = $1 ORDER BY e.seq`, [id]);
  return rows.map(eventView);
}

/** A transaction's place as the index has it, if it has it. */
export async function indexedTx(db: IndexDatabase, id: string): Promise<TxSummary | undefined> {
  const row = await first<TxRow>(db, 'SELECT id, height, position, signer, type, nonce, time FROM txs WHERE id = $1', [id]);
  return row ? txSummary(row) : undefined;
}

/** A transaction signer's recent transactions, newest first. */
export async function txsOfSigner(db: IndexDatabase, signer: string, limit: number, cursor?: string | null): Promise<Page<TxSummary>> {
  const scope = 'txs';
  const p = new Params();
  const where = [`signer = ${p.add(signer)}`];
  if (cursor) {
    const [height, position] = decodeCursor(cursor, scope, ['n', 'i']);
    where.push(`(height, position) < (${p.add(height)}::bigint, ${p.add(position)}::int)`);
  }
  const rows = await run<TxRow>(
    db,
    `SELECT id, height, position, signer, type, nonce, time FROM txs WHERE ${where.join(' AND ')} ORDER BY height DESC, position DESC LIMIT ${p.add(limit + 1)}`,
    p,
  );
  return pageOf(rows.map(txSummary), limit, (last) => encodeCursor(scope, [last.height, last.position]));
}

export type SearchHit =
  | { readonly kind: 'block'; readonly height: number; readonly hash: string }
  | { readonly kind: 'tx'; readonly id: string; readonly height: number }
  | { readonly kind: 'account'; readonly account: string }
  | { readonly kind: 'order'; readonly id: number; readonly side: 'lend' | 'borrow' }
  | { readonly kind: 'loan'; readonly id: number };

/** What an explorer search term names: a height, order or loan number; a tx id, block hash or account. */
export async function search(db: IndexDatabase, term: string): Promise<SearchHit[]> {
  const hits: SearchHit[] = [];
  if (/^\d{1,15}$/.test(term)) {
    const n = Number(term);
    const [block, order, loan] = await Promise.all([
      first<{ height: bigint; hash: string }>(db, 'SELECT height, hash FROM blocks WHERE height = $1', [n]),
      first<{ id: bigint; side: 'lend' | 'borrow' }>(db, 'SELECT id, side FROM orders WHERE id = $1', [n]),
      first<{ id: bigint }>(db, 'SELECT id FROM loans WHERE id = $1', [n]),
    ]);
    if (block) hits.push({ kind: 'block', height: int(block.height), hash: block.hash });
    if (order) hits.push({ kind: 'order', id: int(order.id), side: order.side });
    if (loan) hits.push({ kind: 'loan', id: int(loan.id) });
  } else if (/^[0-9a-f]{64}$/.test(term)) {
    const [tx, block, account] = await Promise.all([
      first<{ id: string; height: bigint }>(db, 'SELECT id, height FROM txs WHERE id = $1', [term]),
      first<{ height: bigint; hash: string }>(db, 'SELECT height, hash FROM blocks WHERE hash = $1', [term]),
      first<{ account: string }>(db, 'SELECT account FROM accounts WHERE account = $1', [term]),
    ]);
    if (tx) hits.push({ kind: 'tx', id: tx.id, height: int(tx.height) });
    if (block) hits.push({ kind: 'block', height: int(block.height), hash: block.hash });
    if (account) hits.push({ kind: 'account', account: account.account });
  }
  return hits;
}
