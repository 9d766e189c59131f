import { sha256HexOfText } from '../crypto/sha256.js';
import { encodeCanonical, utf8 } from '../codec/canonical.js';

/** The domain tags that start every hashed header and every signed vote. */
export const BLOCK_DOMAIN = 'lendnet/block/v1';
export const VOTE_DOMAIN = 'lendnet/vote/v1';

/**
 * A block header: what a commit certificate signs (through the block hash) and what proofs
 * verify against. Hashes are lowercase hex; times are seconds.
 */
export interface BlockHeader {
  readonly chainId: string;
  readonly height: number;
  /** The proposer's time; never before the previous block's. */
  readonly time: number;
  /** Hash of the previous block's header; 64 zeros for height 1. */
  readonly previousHash: string;
  /** Merkle root of the block's tx ids (contracts/proofs/tx-merkle.ts). */
  readonly txRoot: string;
  /** Root of the sparse Merkle tree of the whole state after the block (contracts/proofs/state-proof.ts). */
  readonly stateRoot: string;
  /** Hash of the validator set that must commit this block. */
  readonly validatorsHash: string;
  /** The proposer's account (ed25519 public key, hex). */
  readonly proposer: string;
}

export const GENESIS_PREVIOUS_HASH = '0'.repeat(64);

/** SHA-256 of the domain tag, a newline and the header's canonical encoding. */
export function blockHash(header: BlockHeader): string {
  return sha256HexOfText(`${BLOCK_DOMAIN}\n${encodeCanonical({ ...header })}`);
}

/** A validator of a height: its key and its voting power. */
export interface Validator {
  readonly account: string;
  readonly power: number;
}

/** SHA-256 of the canonical encoding of the validator list, in the order genesis gives it. */
export function validatorsHash(validators: readonly Validator[]): string {
  return sha256HexOfText(`lendnet/validators/v1\n${encodeCanonical(validators.map((v) => ({ ...v })))}`);
}

/** A precommit: a validator's signature that it commits this block at this height and round. */
export interface Precommit {
  readonly validator: string;
  /** ed25519 signature over `precommitBytes`, lowercase hex. */
  readonly signature: string;
}

/** Proof that a block is final: precommits of validators holding more than 2/3 of the power. */
export interface CommitCertificate {
  readonly height: number;
  readonly round: number;
  readonly blockHash: string;
  readonly precommits: readonly Precommit[];
}

/** The bytes a validator signs to precommit a block. */
export function precommitBytes(chainId: string, height: number, round: number, hash: string): Uint8Array {
  return voteBytes(chainId, 'precommit', height, round, hash);
}

/** The two votes of a consensus round. */
export type VoteType = 'prevote' | 'precommit';

/**
 * The bytes a validator signs to vote in a round: for a block (its hash), or for nothing (null,
 * written as an empty hash). A precommit for a block is `precommitBytes`, which commit
 * certificates carry.
 */
export function voteBytes(chainId: string, type: VoteType, height: number, round: number, hash: string | null): Uint8Array {
  return utf8(`${VOTE_DOMAIN}\n${chainId}\n${encodeCanonical({ blockHash: hash ?? '', height, round, type })}`);
}

export const PROPOSAL_DOMAIN = 'lendnet/proposal/v1';

/**
 * The bytes a proposer signs to propose a block in a round: the block's hash (its header's,
 * which precommits sign) and its content hash (`blockContentHash`: the whole block, body
 * included, so that no one relaying the proposal can change the transactions or the carried
 * commit under the proposer's signature). `validRound` is the round in which the block
 * gathered a quorum of prevotes, or -1 (then the field is left out).
 */
export function proposalBytes(chainId: string, height: number, round: number, validRound: number, hash: string, contentHash: string): Uint8Array {
  const fields = validRound >= 0 ? { blockHash: hash, contentHash, height, round, validRound } : { blockHash: hash, contentHash, height, round };
  return utf8(`${PROPOSAL_DOMAIN}\n${chainId}\n${encodeCanonical(fields)}`);
}
