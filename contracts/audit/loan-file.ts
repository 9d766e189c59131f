import { type BlockHeader, blockHash, validatorsHash } from '../chain/block.js';
import { checkCommit, type CommitFault } from '../chain/commit.js';
import { type CanonicalValue, encodeCanonical, parseJson, utf8 } from '../codec/canonical.js';
import { isRefusal } from '../errors.js';
import { verifyStateProof } from '../proofs/state-proof.js';
import { verifyTxInclusion } from '../proofs/tx-merkle.js';
import { decodeRecord } from '../state/record-codec.js';
import { type Loan, stateKey } from '../state/records.js';
import { decodeTransaction, hasValidSignature, type SignedTransaction } from '../tx/envelope.js';
import { bodyDecoder } from '../txs/registry.js';
import { ValidatorHistory, ValidatorHistoryError } from '../validators/validator-history.js';
import { genesisHash } from './genesis-hash.js';
import { decodeLoanFile, type LoanFileInput, type LoanFileTransaction, MAX_LOAN_FILE_BYTES } from './loan-file-format.js';

export * from './loan-file-format.js';
export { genesisHash, type GenesisDocument } from './genesis-hash.js';

/**
 * The verifier of loan files: pure code over contracts/, the same in a browser, the CLI and a
 * test. It trusts nothing in the file but the genesis it holds, whose hash it reports so that a
 * person can compare it with the chain's published one (or pass it as `genesisHash`).
 * The checks run in the order docs/audit-file.md gives, and the first fault stops them.
 */

/** Where a loan file first fails, in plain words. */
export interface LoanFileFault {
  readonly what: string;
  readonly height?: number;
  readonly txId?: string;
}

export interface LoanFileVerdict {
  readonly ok: boolean;
  /** The loan the file is about, once the file's shape is read. */
  readonly loanId: number | null;
  readonly chainId: string | null;
  /** The hash of the genesis the file holds, as the verifier computed it. */
  readonly genesisHash: string | null;
  /** How many of each passed their checks before the first fault (all of them when ok). */
  readonly checks: LoanFileChecks;
  /** The loan's record as proven in the state of the file's last block, when the file verified. */
  readonly loan?: Loan;
  /** The height that record is proven at. */
  readonly stateHeight?: number;
  readonly failure?: LoanFileFault;
}

/** How many validator changes, headers, commits and transactions passed their checks. */
export interface LoanFileChecks {
  readonly validatorChanges: number;
  readonly headers: number;
  readonly commits: number;
  readonly txs: number;
}

const NO_CHECKS: LoanFileChecks = { validatorChanges: 0, headers: 0, commits: 0, txs: 0 };

export interface LoanFileOptions {
  /** The genesis hash of the chain the file must be of; when absent, the file's genesis is reported, not judged. */
  readonly genesisHash?: string;
}

/** A fault found: stops the checks. */
class Fault {
  constructor(readonly fault: LoanFileFault) {}
}

function fail(what: string, where: { height?: number; txId?: string } = {}): never {
  throw new Fault({ what, ...where });
}

const COMMIT_FAULTS: Readonly<Record<CommitFault, string>> = {
  WRONG_HEIGHT: 'is for another height',
  WRONG_BLOCK: 'finalises another block',
  WRONG_VALIDATOR_SET: 'is checked against a validator set the header does not name',
  UNKNOWN_VALIDATOR: 'holds a precommit signed by a key that is not a validator',
  DUPLICATE_PRECOMMIT: 'holds two precommits of one validator',
  BAD_PRECOMMIT_SIGNATURE: 'holds a precommit whose signature does not verify',
  NO_QUORUM: 'holds precommits of 2/3 of the power or less',
};

/** The transaction types that make a loan from an order, and name that order in their body. */
const ORIGINATING = new Set(['take-offer', 'fund-request', 'accept-funding']);

const short = (hex: string) => `${hex.slice(0, 12)}…`;

/** Verifies a loan file's text (UTF-8 bytes or a string): parses it, then `verifyLoanFile`. */
export function verifyLoanFileText(text: string | Uint8Array, options: LoanFileOptions = {}): LoanFileVerdict {
  let parsed: unknown;
  try {
    parsed = parseJson(text, MAX_LOAN_FILE_BYTES);
  } catch (error) {
    const why = isRefusal(error) ? error.message : 'it could not be read';
    return { ok: false, loanId: null, chainId: null, genesisHash: null, checks: { ...NO_CHECKS }, failure: { what: `the file is not a loan file: ${why}` } };
  }
  return verifyLoanFile(parsed, options);
}

/**
 * Verifies a parsed loan file of unknown origin. Never throws: malformed input, a broken proof
 * or a forged signature all give a verdict whose `failure` names the first fault and where it is.
 */
export function verifyLoanFile(json: unknown, options: LoanFileOptions = {}): LoanFileVerdict {
  const checks = { ...NO_CHECKS };
  let file: LoanFileInput | undefined;
  let computedGenesis: string | null = null;
  const verdict = (rest: Partial<LoanFileVerdict> & { ok: boolean }): LoanFileVerdict => ({
    loanId: file?.loanId ?? null,
    chainId: file?.chainId ?? null,
    genesisHash: computedGenesis,
    checks: { ...checks },
    ...rest,
  });
  try {
    try {
      file = decodeLoanFile(json);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      fail(`the file is not a well-formed loan file: ${error.message}`);
    }
    computedGenesis = genesisHash(file.genesis);
    checkChain(file, computedGenesis, options);
    const history = checkValidatorChanges(file, checks);
    const headers = checkBlocks(file, history, checks);
    const loan = checkLoanState(file, headers);
    checkTransactions(file, loan, headers, checks);
    return verdict({ ok: true, loan, stateHeight: file.loanState.height });
  } catch (error) {
    if (error instanceof Fault) return verdict({ ok: false, failure: error.fault });
    const why = error instanceof Error ? error.message : String(error);
    return verdict({ ok: false, failure: { what: `the file could not be verified: ${why}` } });
  }
}

/** The genesis anchors the chain: its hash and its chain id. */
function checkChain(file: LoanFileInput, computed: string, options: LoanFileOptions): void {
  // The genesis hash stated is the hash of the genesis held.
  if (file.genesisHash !== computed) fail(`the genesis hash the file states (${short(file.genesisHash)}) is not the hash of the genesis it holds (${short(computed)})`);
  // A verifier that knows its chain's genesis hash accepts no other chain's file.
  if (options.genesisHash !== undefined && options.genesisHash !== computed) {
    fail(`the file is of the chain whose genesis hash is ${short(computed)}, not the expected ${short(options.genesisHash)}`);
  }
  const genesisChain = file.genesis.market.params.chainId;
  if (file.chainId !== genesisChain) fail(`the file names chain ${file.chainId}, but its genesis is of chain ${genesisChain}`);
}

/**
 * The validator set of every height, from the genesis set and the changes the file carries:
 * each change's block is committed by the set then in effect, and its record, proven against
 * that block's state root, names the set that follows. This is `verifyValidatorHistory`
 * (validator-history.ts) taken one change at a time, so that a fault names the change's block
 * and the changes checked before it are counted.
 */
function checkValidatorChanges(file: LoanFileInput, checks: { validatorChanges: number }): ValidatorHistory {
  const last = file.headers.at(-1)?.height ?? 0;
  let history = ValidatorHistory.ofGenesis(file.genesis.validators);
  for (const change of file.validatorChanges) {
    const { height } = change.header;
    // The file carries the changes that bear on its headers: those adopted up to its last block.
    if (height > last) fail(`the file holds a validator change adopted at block ${height}, above its last block ${last}`, { height });
    try {
      history = history.extend(file.chainId, change);
    } catch (error) {
      if (!(error instanceof ValidatorHistoryError)) throw error;
      fail(`the file's validator changes do not verify: ${error.message}`, { height });
    }
    checks.validatorChanges++;
  }
  return history;
}

/** Every header is of this chain, names the set proven for its height, and is final: its commit certificate verifies under that set. */
function checkBlocks(file: LoanFileInput, history: ValidatorHistory, checks: { headers: number; commits: number }): ReadonlyMap<number, BlockHeader> {
  const byHeight = new Map<number, BlockHeader>();
  if (file.headers.length === 0) fail('the file holds no block header');
  if (file.commits.length !== file.headers.length) fail(`the file holds ${file.headers.length} headers but ${file.commits.length} commit certificates`);
  let previous = 0;
  file.headers.forEach((header, i) => {
    const { height } = header;
    if (height <= previous) fail('the headers are not listed once each in increasing height', { height });
    previous = height;
    if (header.chainId !== file.chainId) fail(`block ${height} is of chain ${header.chainId}, not ${file.chainId}`, { height });
    const validators = history.at(height);
    const setHash = validatorsHash(validators);
    if (header.validatorsHash !== setHash) fail(`block ${height} names validator set ${short(header.validatorsHash)}, not the set ${short(setHash)} proven for its height`, { height });
    const commit = file.commits[i]!;
    if (commit.height !== height) fail(`the commit certificate listed with block ${height} is of block ${commit.height}`, { height });
    if (blockHash(header) !== commit.blockHash) fail(`the header of block ${height} does not hash to the block its commit certificate finalises`, { height });
    checks.headers++;
    const fault = checkCommit(header, commit, validators);
    if (fault !== undefined) fail(`the commit certificate of block ${height} ${COMMIT_FAULTS[fault]}`, { height });
    checks.commits++;
    byHeight.set(height, header);
  });
  return byHeight;
}

/** The loan's record is in the state of the last block, and the terms the file states are that record. */
function checkLoanState(file: LoanFileInput, headers: ReadonlyMap<number, BlockHeader>): Loan {
  const { loanState, loanId } = file;
  const last = file.headers[file.headers.length - 1]!;
  const height = loanState.height;
  if (height !== last.height) fail(`the loan's record is proven at block ${height}, not at the file's last block ${last.height}`, { height });
  const key = stateKey.loan(loanId);
  if (loanState.key !== key) fail(`the loan's record is given under state key ${loanState.key}, not ${key}`, { height });
  const proven = decodeLoan(key, loanState.record, "the loan's proven record");
  if (proven.id !== loanId) fail(`the proven record is of loan #${proven.id}, not #${loanId}`, { height });
  if (!verifyStateProof(headers.get(height)!.stateRoot, key, utf8(loanState.record), loanState.proof)) {
    fail(`the loan's record and its state proof do not lead to the state root of block ${height}`, { height });
  }
  // Stated as everything else in the file: integers as decimal strings, never JSON numbers.
  if (!isCanonicalJson(file.loan, 0)) fail("the loan's terms stated in the file hold a value with no canonical form (a JSON number, null or a non-ASCII string)");
  const stated = decodeLoan(key, encodeCanonical(file.loan as CanonicalValue), "the loan's terms stated in the file");
  const statedFields = stated as unknown as Record<string, CanonicalValue | undefined>;
  const provenFields = proven as unknown as Record<string, CanonicalValue | undefined>;
  for (const field of new Set([...Object.keys(provenFields), ...Object.keys(statedFields)])) {
    const a = encodedField(statedFields[field]);
    const b = encodedField(provenFields[field]);
    if (a !== b) fail(`the loan's ${field} stated in the file (${clip(a)}) is not the proven record's (${clip(b)})`, { height });
  }
  return proven;
}

function decodeLoan(key: string, text: string, what: string): Loan {
  try {
    return decodeRecord(key, text) as Loan;
  } catch (error) {
    if (!isRefusal(error)) throw error;
    return fail(`${what} does not decode: ${error.message}`);
  }
}

/** Whether parsed JSON holds only what the canonical encoding writes: ASCII strings, booleans, arrays and objects with ASCII keys. */
function isCanonicalJson(value: unknown, depth: number): boolean {
  if (depth > 16) return false;
  if (typeof value === 'string') return /^[\x20-\x7e]*$/.test(value);
  if (typeof value === 'boolean') return true;
  if (typeof value !== 'object' || value === null) return false;
  // A key is encoded as a string is, so a key of another character has no canonical form either.
  return Object.entries(value).every(([key, item]) => /^[\x20-\x7e]*$/.test(key) && isCanonicalJson(item, depth + 1));
}

const encodedField = (value: CanonicalValue | undefined) => (value === undefined ? 'absent' : encodeCanonical(value));
const clip = (text: string) => (text.length > 80 ? `${text.slice(0, 77)}…` : text);

/** Every transaction is signed, in its block, and about this loan; the one that made the loan is there. */
function checkTransactions(file: LoanFileInput, loan: Loan, headers: ReadonlyMap<number, BlockHeader>, checks: { txs: number }): void {
  let previous: LoanFileTransaction | undefined;
  let origination = false;
  for (const entry of file.transactions) {
    const where = { height: entry.height, txId: entry.id };
    const name = `transaction ${short(entry.id)}`;
    if (previous && (entry.height < previous.height || (entry.height === previous.height && entry.index <= previous.index))) {
      fail(`${name} is listed out of chain order, or twice`, where);
    }
    previous = entry;
    const header = headers.get(entry.height);
    if (!header) fail(`${name} names block ${entry.height}, whose header is not in the file`, where);
    let signed: SignedTransaction<unknown>;
    try {
      signed = decodeTransaction(entry.encoded, { chainId: file.chainId, bodyOf: bodyDecoder });
    } catch (error) {
      if (!isRefusal(error)) throw error;
      return fail(`${name} does not decode: ${error.message}`, where);
    }
    // The id is the hash of the bytes, so the bytes are the ones the block committed to.
    if (signed.id !== entry.id) fail(`the bytes of ${name} do not hash to its id (they hash to ${short(signed.id)})`, where);
    if (!hasValidSignature(signed)) fail(`the signature of ${name} does not verify under its signer's key`, where);
    if (!verifyTxInclusion(header.txRoot, entry.id, entry.index, entry.count, entry.proof)) {
      fail(`the inclusion proof of ${name} does not lead to the tx root of block ${entry.height}`, where);
    }
    const body = signed.tx.body as { readonly loanId?: unknown; readonly orderId?: unknown };
    const type = signed.tx.type;
    if (body.loanId !== undefined) {
      if (body.loanId !== loan.id) fail(`${name} is a ${type} of loan #${String(body.loanId)}, not of loan #${loan.id}`, where);
    } else if (ORIGINATING.has(type)) {
      if (body.orderId !== loan.orderId) fail(`${name} is a ${type} of order #${String(body.orderId)}, not of order #${loan.orderId} the loan was made from`, where);
      // A take or an acceptance is the borrower's; a funding is one of the loan's lenders'.
      const signer = signed.tx.signer;
      if (type === 'fund-request' ? !loan.shares.some((share) => share.lender === signer) : signer !== loan.borrower) {
        fail(`${name} is a ${type} signed by ${short(signer)}, who is not ${type === 'fund-request' ? 'a lender' : 'the borrower'} of loan #${loan.id}`, where);
      }
      // A loan taken from an offer lends exactly what the take asked for.
      if (type === 'take-offer' && (body as { readonly amount?: unknown }).amount !== loan.principal) {
        fail(`${name} takes ${String((body as { readonly amount?: unknown }).amount)}, not the loan's principal ${loan.principal}`, where);
      }
      if (header.time === loan.startTime) origination = true;
    } else {
      fail(`${name} is a ${type}, which does not concern a loan`, where);
    }
    checks.txs++;
  }
  // The loan starts at the time of the block whose transaction made it.
  if (!origination) fail(`the file holds no take-offer, fund-request or accept-funding of order #${loan.orderId} in a block at the loan's start time ${loan.startTime}`);
}
