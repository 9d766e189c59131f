import { type BlockHeader, blockHash, type CommitCertificate, type Validator, validatorsHash } from '../../contracts/chain/block';
import { checkCommit, type CommitFault } from '../../contracts/chain/commit';
import { isRefusal } from '../../contracts/errors';
import { type StateProof, verifyStateProof } from '../../contracts/proofs/state-proof';
import { verifyTxInclusion } from '../../contracts/proofs/tx-merkle';
import { decodeRecord } from '../../contracts/state/record-codec';
import type { Loan } from '../../contracts/state/records';
import { stateKey } from '../../contracts/state/records';
import { decodeTransaction, hasValidSignature } from '../../contracts/tx/envelope';
import { bodyDecoder } from '../../contracts/txs/registry';
import { ADOPTION_DELAY } from '../../contracts/validators/validator-set';
import { type ValidatorHistory, ValidatorHistoryError, type ValidatorSetChange, verifyValidatorHistory } from '../../contracts/validators/validator-history';

/**
 * The checks behind a loan page's "verified" marks, run in the browser with the code of
 * contracts/ that every node runs. Nothing the node says is taken on its word: a transaction's
 * id is recomputed from its bytes, its signature checked, its inclusion proof folded up to the
 * header's tx root, the header hashed and matched with a commit certificate signed by more than
 * 2/3 of the power of the validator set of its height. The page trusts only the chain's genesis
 * set (whose hash it shows); each later set is proven from it by the validator changes the node
 * serves, never taken from an answer on its word.
 */

/** The audit.validatorHistory answer: the genesis set and the proofs of every change adopted up to `height`. */
export interface ValidatorHistoryEvidence {
  readonly chainId: string;
  readonly height: number;
  readonly genesisValidators: readonly Validator[];
  readonly changes: readonly ValidatorSetChange[];
}

/** What the browser trusts: the chain and its genesis validators, and the sets proven from them since. */
export interface TrustAnchor {
  readonly chainId: string;
  readonly genesisValidators: readonly Validator[];
  /** How many changes of the set the node served. */
  readonly changes: number;
  /** The last height whose set the changes tell (a change adopted later applies ADOPTION_DELAY heights after it). */
  readonly knownThrough: number;
  /** The set of each height, or why the node's proofs of validator changes do not verify. */
  readonly history: ValidatorHistory | { readonly fault: string };
}

/**
 * The anchor the page checks commits against: the genesis set, followed through each change
 * with verifyValidatorHistory (every change's block committed by the set then in effect, its
 * new set proven in that block's state). Changes that do not verify leave no set trusted.
 */
export function trustAnchor(evidence: ValidatorHistoryEvidence): TrustAnchor {
  const { chainId, genesisValidators, changes, height } = evidence;
  let history: TrustAnchor['history'];
  try {
    history = verifyValidatorHistory(chainId, genesisValidators, changes);
  } catch (error) {
    if (!(error instanceof ValidatorHistoryError)) throw error;
    history = { fault: `the node's proofs of validator changes do not verify: ${error.message}` };
  }
  return { chainId, genesisValidators, changes: changes.length, knownThrough: height + ADOPTION_DELAY, history };
}

/** The audit.commit answer for a height: its header and the certificate that finalised it. */
export interface CommitEvidence {
  readonly header: BlockHeader;
  readonly commit: CommitCertificate;
}

/** The chain.tx or audit.txInclusion answer for a transaction. */
export interface TxEvidence {
  readonly id: string;
  readonly height: number;
  readonly index: number;
  readonly count: number;
  readonly encoded: string;
  readonly header: BlockHeader;
  readonly proof: readonly string[];
}

/** One check and how it went, in words a person reads. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
}

export interface Verdict {
  readonly ok: boolean;
  readonly checks: readonly Check[];
  /** The first check that failed, in words; undefined when all passed. */
  readonly failure?: string;
}

const COMMIT_FAULTS: Readonly<Record<CommitFault, string>> = {
  WRONG_HEIGHT: 'the commit certificate is for another height',
  WRONG_BLOCK: 'the commit certificate finalises another block',
  WRONG_VALIDATOR_SET: 'the block names a validator set other than the one proven for its height',
  UNKNOWN_VALIDATOR: 'a precommit is signed by a key that is not a validator',
  DUPLICATE_PRECOMMIT: 'a validator signed the commit twice',
  BAD_PRECOMMIT_SIGNATURE: 'a precommit signature does not verify',
  NO_QUORUM: 'the precommits hold 2/3 of the power or less',
};

function verdict(checks: Check[], failures: Map<string, string>): Verdict {
  const failed = checks.find((check) => !check.ok);
  return failed ? { ok: false, checks, failure: failures.get(failed.name) ?? failed.name } : { ok: true, checks };
}

/** The set that commits block `height` as proven from genesis, or why it is not known. */
function validatorsOf(anchor: TrustAnchor, height: number): readonly Validator[] | string {
  if ('fault' in anchor.history) return anchor.history.fault;
  if (height > anchor.knownThrough) return `the validator set of block ${height} is not known yet`;
  return anchor.history.at(height);
}

/** The header and its commit, checked against the validator set proven for its height: the block is final. */
function commitChecks(height: number, header: BlockHeader, evidence: CommitEvidence, anchor: TrustAnchor, failures: Map<string, string>): Check[] {
  const sameHeader = evidence.header.height === height && blockHash(evidence.header) === blockHash(header);
  const onChain = header.chainId === anchor.chainId;
  const validators = validatorsOf(anchor, height);
  const fault = sameHeader && typeof validators !== 'string' ? checkCommit(header, evidence.commit, validators) : undefined;
  failures.set('Block of this chain', `block ${height} is of chain ${header.chainId}, not ${anchor.chainId}`);
  failures.set('Header matches the committed block', `the header of block ${height} is not the one its commit certificate names`);
  failures.set('Commit signed by more than 2/3 of the validators', typeof validators === 'string' ? validators : fault ? COMMIT_FAULTS[fault] : 'the commit certificate does not verify');
  return [
    { name: 'Block of this chain', ok: onChain },
    { name: 'Header matches the committed block', ok: sameHeader },
    { name: 'Commit signed by more than 2/3 of the validators', ok: sameHeader && typeof validators !== 'string' && fault === undefined },
  ];
}

/**
 * A transaction is on the chain: its bytes hash to its id, it is signed by its signer, it is in
 * its block's tx root, and that block is final. `concerns` checks that the decoded transaction is
 * the one the event says (this loan, this order); it is given the decoded type and body.
 */
export function verifyTransaction(
  expected: { readonly id: string; readonly height: number },
  tx: TxEvidence,
  commit: CommitEvidence,
  anchor: TrustAnchor,
  concerns: (type: string, body: unknown) => boolean = () => true,
): Verdict {
  const failures = new Map<string, string>();
  let decoded: ReturnType<typeof decodeTransaction> | undefined;
  try {
    decoded = decodeTransaction(tx.encoded, { chainId: anchor.chainId, bodyOf: bodyDecoder });
  } catch (error) {
    if (!isRefusal(error)) throw error;
    failures.set('Transaction decodes', `the transaction's bytes do not decode: ${error.message}`);
  }
  const idMatches = decoded !== undefined && decoded.id === expected.id && tx.id === expected.id;
  failures.set('Id is the hash of its bytes', 'the transaction bytes do not hash to its id');
  failures.set('Signed by its signer', "the signature does not verify under the signer's key");
  failures.set('Concerns this loan', 'the transaction is about another loan or order');
  failures.set('In its block', `the transaction is not in block ${expected.height}, or its inclusion proof does not lead to the block's tx root`);
  const checks: Check[] = [
    { name: 'Transaction decodes', ok: decoded !== undefined },
    { name: 'Id is the hash of its bytes', ok: idMatches },
    { name: 'Signed by its signer', ok: decoded !== undefined && hasValidSignature(decoded) },
    { name: 'Concerns this loan', ok: decoded !== undefined && concerns(decoded.tx.type, decoded.tx.body) },
    {
      name: 'In its block',
      ok: tx.height === expected.height && tx.header.height === expected.height && verifyTxInclusion(tx.header.txRoot, expected.id, tx.index, tx.count, tx.proof),
    },
    ...commitChecks(expected.height, tx.header, commit, anchor, failures),
  ];
  return verdict(checks, failures);
}

/** A block is final: for what the end-of-block rules did there (late, default), which no transaction carries. */
export function verifyBlock(height: number, commit: CommitEvidence, anchor: TrustAnchor): Verdict {
  const failures = new Map<string, string>();
  return verdict(commitChecks(height, commit.header, commit, anchor, failures), failures);
}

/** The audit.stateProof answer for a loan. */
export interface LoanStateEvidence {
  readonly key: string;
  readonly encoded: string | null;
  readonly head: { readonly height: number; readonly hash: string; readonly stateRoot: string };
  readonly proof: StateProof;
}

/** The loan as the chain's state holds it, proven, or why it could not be. */
export type ProvenLoan = { readonly verdict: Verdict; readonly loan?: Loan; readonly height: number };

/**
 * A loan's current record, proven against the state root of a final block: the record's bytes are
 * in the state tree under the loan's key, and the head the proof is against is the header a
 * commit certificate finalises. The loan returned is decoded from the proven bytes themselves.
 */
export function verifyLoanState(loanId: number, evidence: LoanStateEvidence, commit: CommitEvidence, anchor: TrustAnchor): ProvenLoan {
  const failures = new Map<string, string>();
  const key = stateKey.loan(loanId);
  let loan: Loan | undefined;
  if (evidence.encoded !== null) {
    try {
      loan = decodeRecord(key, evidence.encoded) as Loan;
    } catch (error) {
      if (!isRefusal(error)) throw error;
    }
  }
  const headMatches = blockHash(commit.header) === evidence.head.hash && commit.header.stateRoot === evidence.head.stateRoot;
  failures.set('Record decodes', `the chain's state holds no readable record of loan #${loanId}`);
  failures.set('In the state of a final block', `the record's proof does not lead to the state root of block ${evidence.head.height}`);
  const checks: Check[] = [
    { name: 'Record decodes', ok: evidence.key === key && loan !== undefined && loan.id === loanId },
    {
      name: 'In the state of a final block',
      ok: headMatches && evidence.encoded !== null && verifyStateProof(evidence.head.stateRoot, key, new TextEncoder().encode(evidence.encoded), evidence.proof),
    },
    ...commitChecks(evidence.head.height, commit.header, commit, anchor, failures),
  ];
  return { verdict: verdict(checks, failures), loan, height: evidence.head.height };
}

/** The hash of the genesis validator set the page trusts, to compare with one's own copy of the genesis. */
export function anchorHash(anchor: TrustAnchor): string {
  return validatorsHash(anchor.genesisValidators);
}
