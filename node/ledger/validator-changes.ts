import { type CanonicalValue, encodeCanonical, parseJson, utf8, type ValidatorSetChange, validatorChangesDecoder } from '../../contracts/index.js';

/**
 * The proofs of every change to the validator set this chain has made, kept as node data under
 * one key and rewritten with the block that adopts a change (in the same atomic write). They let
 * a peer that starts from a snapshot, an auditor's loan file and the loan page follow the set
 * from genesis to each later height without replaying the chain.
 */
export const VALIDATOR_CHANGES_KEY = 'validator-changes';

/** Most bytes the stored list may take. */
const MAX_BYTES = 256 << 20;

export function encodeValidatorChanges(changes: readonly ValidatorSetChange[]): Uint8Array {
  return utf8(encodeCanonical(changes.map((change) => ({ ...change })) as unknown as CanonicalValue));
}

/** Decodes the stored list strictly; throws a Refusal on anything else. */
export function decodeValidatorChanges(bytes: Uint8Array): ValidatorSetChange[] {
  return validatorChangesDecoder(parseJson(bytes, MAX_BYTES), 'validatorChanges');
}
