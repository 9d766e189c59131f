import { type BlockHeader, type CommitCertificate } from '../chain/block.js';
import { commitDecoder, headerDecoder } from '../chain/block-codec.js';
import { type CanonicalValue, encodeCanonical } from '../codec/canonical.js';
import { arrayOf, chainId, integer, matching, object, oneOf, type Decoder } from '../codec/schema.js';
import { refuse } from '../errors.js';
import { type StateProof, stateProofDecoder } from '../proofs/state-proof.js';
import type { Loan } from '../state/records.js';
import { MAX_TX_BYTES } from '../tx/envelope.js';
import { type ValidatorSetChange, validatorChangesDecoder } from '../validators/validator-history.js';
import { type GenesisDocument, genesisDocumentDecoder, genesisValue } from './genesis-hash.js';

/**
 * A loan file: everything needed to check one loan's history with no node and no network.
 * docs/audit-file.md defines it field by field; `verifyLoanFile` (loan-file.ts) checks it.
 */

/** The format tag of this version of the loan file. */
export const LOAN_FILE_FORMAT = 'lendnet-loan-file/2';

/** A transaction that touched the loan, with where it sits in its block and the proof of it. */
export interface LoanFileTransaction {
  /** SHA-256 of `encoded`, lowercase hex. */
  readonly id: string;
  readonly height: number;
  /** Its position among the block's transactions, from 0. */
  readonly index: number;
  /** How many transactions the block holds. */
  readonly count: number;
  /** The signed transaction in its wire form, exactly as committed. */
  readonly encoded: string;
  /** Sibling hashes from the transaction's leaf up to the block's tx root (RFC 9162 inclusion path). */
  readonly proof: readonly string[];
}

/** The loan's record in the state after a block, with its proof against that block's state root. */
export interface LoanFileState {
  readonly height: number;
  /** The state key, `loan/<id>`. */
  readonly key: string;
  /** The record's canonical encoding: the bytes its leaf commits to. */
  readonly record: string;
  readonly proof: StateProof;
}

export interface LoanFile {
  readonly format: typeof LOAN_FILE_FORMAT;
  readonly loanId: number;
  readonly chainId: string;
  /** SHA-256 of the canonical encoding of `genesis` (genesis-hash.ts). */
  readonly genesisHash: string;
  /** The loan as the file states it: its terms, lenders, schedule, payments and status. */
  readonly loan: Loan;
  readonly loanState: LoanFileState;
  /** Every transaction that touched the loan, in chain order. */
  readonly transactions: readonly LoanFileTransaction[];
  /** The headers of the blocks holding those transactions and of the block `loanState` is proven at, by height. */
  readonly headers: readonly BlockHeader[];
  /** One commit certificate per header, in the same order. */
  readonly commits: readonly CommitCertificate[];
  /**
   * The proofs of every change to the validator set adopted at or below the last header, in
   * height order: from the genesis set, they give the set that commits each header.
   */
  readonly validatorChanges: readonly ValidatorSetChange[];
  readonly genesis: GenesisDocument;
}

/** A loan file as it is read, before the loan's stated terms are decoded (the verifier does that). */
export type LoanFileInput = Omit<LoanFile, 'loan'> & { readonly loan: unknown };

/** The most transactions, or headers, a loan file may hold. */
export const MAX_LOAN_FILE_ENTRIES = 100_000;
/** The largest loan file the verifier reads, in bytes. */
export const MAX_LOAN_FILE_BYTES = 256 * 1024 * 1024;

const hash = matching(/^[0-9a-f]{64}$/, 'a SHA-256 hash in 64 lowercase hex characters');
const count = integer(1, Number.MAX_SAFE_INTEGER);

const txWire: Decoder<string> = (value, path) => {
  if (typeof value !== 'string' || value.length > MAX_TX_BYTES) refuse('BAD_FIELD', `${path} must be a transaction of at most ${MAX_TX_BYTES} bytes`, { field: path });
  return value;
};

const statedLoan: Decoder<unknown> = (value, path) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse('BAD_FIELD', `${path} must be an object`, { field: path });
  return value;
};

const fileDecoder = object({
  format: oneOf(LOAN_FILE_FORMAT),
  loanId: count,
  chainId,
  genesisHash: hash,
  loan: statedLoan,
  loanState: object({
    height: count,
    key: matching(/^loan\/[1-9][0-9]{0,15}$/, 'a loan state key such as loan/7'),
    record: matching(/^[\x20-\x7e]{1,1048576}$/, 'a canonical record of printable ASCII'),
    proof: stateProofDecoder,
  }),
  transactions: arrayOf(
    object({ id: hash, height: count, index: integer(0, Number.MAX_SAFE_INTEGER), count, encoded: txWire, proof: arrayOf(hash, 64) }),
    MAX_LOAN_FILE_ENTRIES,
  ),
  headers: arrayOf(headerDecoder, MAX_LOAN_FILE_ENTRIES),
  commits: arrayOf(commitDecoder, MAX_LOAN_FILE_ENTRIES),
  validatorChanges: validatorChangesDecoder,
  genesis: genesisDocumentDecoder,
});

/**
 * Decodes a parsed loan file, refusing with a coded Refusal (whose message names the field)
 * anything of another format or shaped wrongly. The loan's stated terms stay undecoded.
 */
export function decodeLoanFile(value: unknown): LoanFileInput {
  const format = (value as { format?: unknown } | null)?.format;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse('MALFORMED', 'the file does not hold a JSON object');
  if (format !== LOAN_FILE_FORMAT) {
    const named = typeof format === 'string' ? `"${format.replace(/[^\x20-\x7e]/g, '?').slice(0, 40)}"` : 'missing';
    refuse('BAD_FIELD', `its format is ${named}, not "${LOAN_FILE_FORMAT}"`, { field: 'file.format' });
  }
  return fileDecoder(value, 'file');
}

/**
 * The loan file as JSON text: every part in its canonical form (integers as decimal strings,
 * keys sorted), laid out with two-space indents and the summary fields first, for people to
 * read. Whitespace and the order of fields carry no meaning.
 */
export function encodeLoanFile(file: LoanFile): string {
  const plain = (value: CanonicalValue): unknown => JSON.parse(encodeCanonical(value));
  const commitValue = (commit: CommitCertificate) => ({ ...commit, precommits: commit.precommits.map((p) => ({ ...p })) });
  const ordered = {
    format: file.format,
    loanId: String(file.loanId),
    chainId: file.chainId,
    genesisHash: file.genesisHash,
    loan: plain(file.loan as unknown as CanonicalValue),
    loanState: plain({ ...file.loanState, proof: { ...file.loanState.proof } }),
    transactions: file.transactions.map((tx) => plain({ ...tx })),
    headers: file.headers.map((header) => plain({ ...header })),
    commits: file.commits.map((commit) => plain(commitValue(commit))),
    validatorChanges: file.validatorChanges.map((change) => plain({ header: { ...change.header }, commit: commitValue(change.commit), record: change.record, proof: { ...change.proof } })),
    genesis: plain(genesisValue(file.genesis)),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
