import { genesisHash } from '../../contracts/audit/genesis-hash.js';
import { LOAN_FILE_FORMAT, type LoanFile, type LoanFileTransaction } from '../../contracts/audit/loan-file-format.js';
import {
  type Block,
  type BlockHeader,
  blockHash,
  type CommitCertificate,
  encodeRecord,
  type Loan,
  type StateProof,
  stateKey,
  type StateValue,
  txId,
  txInclusionProof,
  type ValidatorSetChange,
} from '../../contracts/index.js';
import type { Genesis } from '../../node/home/genesis-file.js';
import type { Chain } from '../../node/ledger/chain.js';
import type { IndexDatabase } from '../db/database.js';
import { run } from '../api/queries/sql.js';

/**
 * Assembles a loan file (contracts/audit/loan-file-format.ts) from a node's chain and its index:
 * the loan's record proven at the head, every transaction the index links to the loan with its
 * inclusion proof, the headers and commit certificates of their blocks, and the proofs of the
 * validator changes that tell which set commits each of those blocks.
 */

/** What a loan file is read from on the chain's side; a running `LedgerNode` is one. */
export interface LoanFileChain {
  readonly genesis: Genesis;
  block(height: number): Promise<Block | undefined>;
  commitOf(height: number): Promise<CommitCertificate | undefined>;
  /** The record under a state key with its proof against the head's state root, and that head. */
  stateProof(key: string): {
    readonly record: StateValue | undefined;
    readonly head: { readonly height: number; readonly hash: string; readonly stateRoot: string };
    readonly proof: StateProof;
  };
  /** The proofs of every change to the validator set adopted so far, in height order. */
  validatorChanges(): readonly ValidatorSetChange[];
}

/** A committed transaction that touched a loan, as the index knows it. */
export interface LoanTransactionRef {
  readonly txId: string;
  readonly height: number;
}

/** The chain and what the index knows of a loan's transactions. */
export interface LoanFileSource extends LoanFileChain {
  /** The transactions that touched the loan, and the height up to which the index is complete. */
  loanTransactions(loanId: number): Promise<{ readonly indexedHeight: number; readonly txs: readonly LoanTransactionRef[] }>;
}

/** The loan is not on the chain. */
export class LoanNotFoundError extends Error {
  override readonly name = 'LoanNotFoundError';
}

/** The index has not yet taken in the blocks up to the head, so the loan's history may be incomplete: try again. */
export class IndexBehindError extends Error {
  override readonly name = 'IndexBehindError';
}

/** The store, the index or the state disagree: the file cannot be made. */
export class LoanFileSourceError extends Error {
  override readonly name = 'LoanFileSourceError';
}

/** A stopped node's chain, opened from its store, as a loan file's chain side. */
export function chainReader(chain: Chain): LoanFileChain {
  return {
    genesis: chain.genesis,
    block: (height) => chain.block(height),
    commitOf: (height) => chain.commitOf(height),
    stateProof: (key) => ({ record: chain.state.get(key), head: chain.head(), proof: chain.proveState(key) }),
    validatorChanges: () => chain.validatorChanges(),
  };
}

/**
 * The transactions that touched a loan, from the index: those whose events name the loan
 * (origination, repayments, late fees charged on a payment, default declared), and, for a loan
 * made from a borrow request, the funding that lenders committed to that request before it.
 */
export async function indexedLoanTransactions(db: IndexDatabase, loanId: number) {
  const rows = await run<{ tx_id: string; height: bigint }>(
    db,
    `SELECT DISTINCT e.tx_id, e.height FROM events e
       WHERE e.tx_id IS NOT NULL AND (
         e.loan_id = $1
         OR (e.type = 'committed' AND e.order_id = (SELECT l.order_id FROM loans l WHERE l.id = $1)))
       ORDER BY e.height`,
    [loanId],
  );
  const [cursor] = await run<{ height: bigint }>(db, 'SELECT height FROM index_cursor WHERE id = 1');
  return { indexedHeight: cursor ? Number(cursor.height) : 0, txs: rows.map((row) => ({ txId: row.tx_id, height: Number(row.height) })) };
}

/** A chain and its index as one loan file source. */
export function loanFileSource(chain: LoanFileChain, db: IndexDatabase): LoanFileSource {
  return {
    genesis: chain.genesis,
    block: (height) => chain.block(height),
    commitOf: (height) => chain.commitOf(height),
    stateProof: (key) => chain.stateProof(key),
    validatorChanges: () => chain.validatorChanges(),
    loanTransactions: (loanId) => indexedLoanTransactions(db, loanId),
  };
}

/**
 * Builds the loan file of `loanId`: the loan's record proven at the chain's head, and its
 * transactions up to there. Throws LoanNotFoundError, IndexBehindError or LoanFileSourceError.
 */
export async function buildLoanFile(source: LoanFileSource, loanId: number): Promise<LoanFile> {
  const key = stateKey.loan(loanId);
  // The proof, its head and the validator changes are taken together, before anything is
  // awaited, so they agree; the changes the file needs are those up to that head.
  const { record, head, proof } = source.stateProof(key);
  const validatorChanges = source.validatorChanges().filter((change) => change.header.height <= head.height);
  if (record === undefined) throw new LoanNotFoundError(`there is no loan #${loanId} on this chain`);
  const loan = record as Loan;
  const { indexedHeight, txs } = await source.loanTransactions(loanId);
  if (indexedHeight < head.height) throw new IndexBehindError(`the index holds blocks up to ${indexedHeight}, behind the chain's head ${head.height}`);

  const blocks = new Map<number, Block>();
  const blockAt = async (height: number): Promise<Block> => {
    let block = blocks.get(height);
    if (!block) {
      block = await source.block(height);
      if (!block) throw new LoanFileSourceError(`the store holds no block ${height}`);
      blocks.set(height, block);
    }
    return block;
  };
  const headBlock = await blockAt(head.height);
  if (blockHash(headBlock.header) !== head.hash) throw new LoanFileSourceError(`block ${head.height} in the store is not the head the state was proven at`);

  const transactions: LoanFileTransaction[] = [];
  for (const ref of txs.filter((t) => t.height <= head.height)) {
    const block = await blockAt(ref.height);
    const ids = block.txs.map(txId);
    const index = ids.indexOf(ref.txId);
    if (index < 0) throw new LoanFileSourceError(`the index places transaction ${ref.txId} in block ${ref.height}, which does not hold it`);
    transactions.push({ id: ref.txId, height: ref.height, index, count: ids.length, encoded: block.txs[index]!, proof: txInclusionProof(ids, index) });
  }
  transactions.sort((a, b) => a.height - b.height || a.index - b.index);

  const heights = [...new Set([...transactions.map((t) => t.height), head.height])].sort((a, b) => a - b);
  const headers: BlockHeader[] = [];
  const commits: CommitCertificate[] = [];
  for (const height of heights) {
    const commit = await source.commitOf(height);
    if (!commit) throw new LoanFileSourceError(`the store holds no commit certificate of block ${height}`);
    headers.push((await blockAt(height)).header);
    commits.push(commit);
  }

  const { genesis } = source;
  return {
    format: LOAN_FILE_FORMAT,
    loanId,
    chainId: genesis.market.params.chainId,
    genesisHash: genesisHash(genesis),
    loan,
    loanState: { height: head.height, key, record: encodeRecord(loan), proof },
    transactions,
    headers,
    commits,
    validatorChanges,
    genesis,
  };
}
