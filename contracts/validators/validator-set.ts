import type { Validator } from '../chain/block.js';
import { isQuorum } from '../chain/commit.js';
import { refuse } from '../errors.js';
import { isValidAccountId } from '../tx/keys.js';

/**
 * The validator set as the state holds it, under the key `validators`. A change is proposed by a
 * validator and signed (approved) by others; once the validators that signed it hold more than
 * 2/3 of the power, it is adopted in that block and the new set commits blocks from
 * ADOPTION_DELAY heights later. Only one change is in flight at a time, and adopting one drops
 * every other open proposal (their approvals were counted against the set being replaced).
 */
export interface ValidatorSetRecord {
  /** The set that commits the blocks from height `from` on, in the order that rotates proposers. */
  readonly validators: readonly Validator[];
  readonly from: number;
  /** The set that commits the blocks before `from` (at genesis, the same set). */
  readonly previous: readonly Validator[];
  /** The block whose transaction adopted `validators`; 0 for the genesis set. */
  readonly adoptedAt: number;
  /** Open proposals, oldest first. */
  readonly proposals: readonly ValidatorProposal[];
  readonly nextProposal: number;
}

/** A proposed change to one validator: added with `power`, its power changed, or removed (power 0). */
export interface ValidatorProposal {
  readonly id: number;
  readonly account: string;
  readonly power: number;
  readonly proposer: string;
  /** The height of the block that holds the proposal. */
  readonly height: number;
  /** The validators that signed it, the proposer first. */
  readonly approvals: readonly string[];
}

/** Heights between the block that adopts a change and the first block the new set commits. */
export const ADOPTION_DELAY = 2;
/** Most validators in a set (as in a genesis). */
export const MAX_VALIDATORS = 1_000;
/** Most power one validator may hold. */
export const MAX_VALIDATOR_POWER = 1_000_000;
/** Most proposals open at once. */
export const MAX_OPEN_PROPOSALS = 16;

/** The record a chain starts with: its genesis validators, committing from height 1. */
export function genesisValidatorSet(validators: readonly Validator[]): ValidatorSetRecord {
  const set = validators.map((v) => ({ account: v.account, power: v.power }));
  return { validators: set, from: 1, previous: set, adoptedAt: 0, proposals: [], nextProposal: 1 };
}

/**
 * The set that commits block `height`, read from the state after a block from the record's
 * `adoptedAt` up to `height` − 1 (a change is adopted ADOPTION_DELAY heights before it applies,
 * and no other change is adopted in between, so the set of the next two heights is known).
 */
export function validatorsAt(record: ValidatorSetRecord, height: number): readonly Validator[] {
  return height >= record.from ? record.validators : record.previous;
}

export function totalPower(validators: readonly Validator[]): bigint {
  return validators.reduce((sum, v) => sum + BigInt(v.power), 0n);
}

/** The set with the proposal's change made: added at the end, its power changed in place, or removed. */
export function applyChange(validators: readonly Validator[], change: { readonly account: string; readonly power: number }): Validator[] {
  const index = validators.findIndex((v) => v.account === change.account);
  if (index < 0) return [...validators, { account: change.account, power: change.power }];
  if (change.power === 0) return validators.filter((_, i) => i !== index);
  return validators.map((v, i) => (i === index ? { account: v.account, power: change.power } : v));
}

/** The set in effect at the block, refusing a signer outside it. */
export function requireValidator(record: ValidatorSetRecord | undefined, height: number, signer: string): readonly Validator[] {
  const set = record ? validatorsAt(record, height) : [];
  if (!set.some((v) => v.account === signer)) refuse('NOT_A_VALIDATOR', 'only a validator of the current set may propose or approve a validator change', { account: signer });
  return set;
}

/** No new proposal or approval while an adopted change has yet to take effect. */
export function requireNoChangeInFlight(record: ValidatorSetRecord, height: number): void {
  if (height < record.from) {
    refuse('VALIDATOR_CHANGE_PENDING', `a validator change adopted at height ${record.adoptedAt} takes effect at height ${record.from}`, { from: record.from });
  }
}

/** Refuses a change that changes nothing or leaves a set no network could run. */
export function checkChange(set: readonly Validator[], change: { readonly account: string; readonly power: number }): void {
  const current = set.find((v) => v.account === change.account);
  if (!current && change.power === 0) refuse('INVALID_VALIDATOR_CHANGE', `${change.account.slice(0, 16)}… is not a validator, so it cannot be removed`, { account: change.account });
  // No precommit could ever verify under a key that breaks the account-key rule: its power would be dead weight.
  if (!current && !isValidAccountId(change.account)) refuse('INVALID_VALIDATOR_CHANGE', 'a new validator must be an acceptable ed25519 public key', { account: change.account });
  if (current && current.power === change.power) refuse('INVALID_VALIDATOR_CHANGE', `the validator already has power ${change.power}`, { account: change.account });
  const after = applyChange(set, change);
  if (after.length === 0) refuse('INVALID_VALIDATOR_CHANGE', 'the last validator cannot be removed');
  if (after.length > MAX_VALIDATORS) refuse('INVALID_VALIDATOR_CHANGE', `a set holds at most ${MAX_VALIDATORS} validators`);
}

/** Whether these approvers hold more than 2/3 of the set's power. */
export function approvedBy(set: readonly Validator[], approvals: readonly string[]): { readonly power: bigint; readonly total: bigint; readonly adopted: boolean } {
  const voters = new Set(approvals);
  const power = set.reduce((sum, v) => (voters.has(v.account) ? sum + BigInt(v.power) : sum), 0n);
  const total = totalPower(set);
  return { power, total, adopted: isQuorum(power, total) };
}
