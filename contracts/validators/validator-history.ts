import { type BlockHeader, type CommitCertificate, type Validator, validatorsHash } from '../chain/block.js';
import { commitDecoder, headerDecoder } from '../chain/block-codec.js';
import { checkCommit } from '../chain/commit.js';
import { utf8 } from '../codec/canonical.js';
import { arrayOf, object, type Decoder } from '../codec/schema.js';
import { refuse } from '../errors.js';
import { type StateProof, stateProofDecoder, verifyStateProof } from '../proofs/state-proof.js';
import { decodeRecord } from '../state/record-codec.js';
import { stateKey } from '../state/records.js';
import { ADOPTION_DELAY, MAX_VALIDATORS, type ValidatorSetRecord } from './validator-set.js';

/**
 * Proof that the validator set changed: the header of the block that adopted the change, that
 * block's commit (signed by the set then in effect), and the state's `validators` record after
 * it with its proof against the header's state root. From the genesis set, a chain of these
 * gives the set of every height, with no need to trust whoever served them.
 */
export interface ValidatorSetChange {
  readonly header: BlockHeader;
  readonly commit: CommitCertificate;
  /** The `validators` record's canonical encoding. */
  readonly record: string;
  readonly proof: StateProof;
}

/** Most validator changes a proof of history carries. */
export const MAX_VALIDATOR_CHANGES = 100_000;

const recordText: Decoder<string> = (value, path) => {
  if (typeof value !== 'string' || value.length > 1 << 20) refuse('BAD_FIELD', `${path} must be a record's canonical text`, { field: path });
  return value;
};

export const validatorChangeDecoder: Decoder<ValidatorSetChange> = object({ header: headerDecoder, commit: commitDecoder, record: recordText, proof: stateProofDecoder });
export const validatorChangesDecoder: Decoder<ValidatorSetChange[]> = arrayOf(validatorChangeDecoder, MAX_VALIDATOR_CHANGES);

/** A chain of validator changes that does not verify: its message names the change and why. */
export class ValidatorHistoryError extends Error {
  override readonly name = 'ValidatorHistoryError';
}

/** The validator set of every height, from genesis and the changes proven since. */
export class ValidatorHistory {
  private constructor(private readonly epochs: readonly { readonly from: number; readonly validators: readonly Validator[] }[]) {}

  static ofGenesis(validators: readonly Validator[]): ValidatorHistory {
    return new ValidatorHistory([{ from: 1, validators }]);
  }

  /** The set that commits block `height`, as far as the changes known tell it. */
  at(height: number): readonly Validator[] {
    for (let i = this.epochs.length - 1; i > 0; i--) if (height >= this.epochs[i]!.from) return this.epochs[i]!.validators;
    return this.epochs[0]!.validators;
  }

  /** Each set with the first height it commits, oldest first. */
  sets(): readonly { readonly from: number; readonly validators: readonly Validator[] }[] {
    return this.epochs;
  }

  /** This history with one more change, verified against the set in effect at its block; throws ValidatorHistoryError. */
  extend(chainId: string, change: ValidatorSetChange, verify?: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean): ValidatorHistory {
    const { header } = change;
    const fail = (reason: string): never => {
      throw new ValidatorHistoryError(`the validator change at height ${header.height}: ${reason}`);
    };
    const last = this.epochs[this.epochs.length - 1]!;
    if (header.chainId !== chainId) fail(`it is for chain ${header.chainId}`);
    // A change is adopted only once the one before it has taken effect.
    if (header.height < last.from) fail(`it comes before the set of height ${last.from} took effect`);
    const set = this.at(header.height);
    const fault = checkCommit(header, change.commit, set, verify);
    if (fault !== undefined) fail(`its commit does not verify against the set then in effect (${fault})`);
    let record: ValidatorSetRecord;
    try {
      record = decodeRecord(stateKey.validators(), change.record) as ValidatorSetRecord;
    } catch {
      return fail('its record is not a validator set in canonical form');
    }
    if (!verifyStateProof(header.stateRoot, stateKey.validators(), utf8(change.record), change.proof)) fail("its record's proof does not verify against the block's state root");
    if (record.adoptedAt !== header.height || record.from !== header.height + ADOPTION_DELAY) fail(`its record was not adopted in this block`);
    if (validatorsHash(record.previous) !== validatorsHash(set)) fail('the set its record replaces is not the one in effect');
    if (record.validators.length === 0 || record.validators.length > MAX_VALIDATORS) fail('its record holds no valid set');
    return new ValidatorHistory([...this.epochs, { from: record.from, validators: record.validators }]);
  }
}

/**
 * Verifies a chain of validator changes from the genesis set, in height order; returns the
 * history they prove, or throws ValidatorHistoryError naming the first that does not verify.
 */
export function verifyValidatorHistory(
  chainId: string,
  genesisValidators: readonly Validator[],
  changes: readonly ValidatorSetChange[],
  verify?: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean,
): ValidatorHistory {
  let history = ValidatorHistory.ofGenesis(genesisValidators);
  for (const change of changes) history = history.extend(chainId, change, verify);
  return history;
}
