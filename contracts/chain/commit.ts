import { fromHex } from '../codec/canonical.js';
import { verifySignature } from '../tx/keys.js';
import { type BlockHeader, blockHash, type CommitCertificate, precommitBytes, type Validator, validatorsHash } from './block.js';

export type CommitFault =
  | 'WRONG_HEIGHT'
  | 'WRONG_BLOCK'
  | 'WRONG_VALIDATOR_SET'
  | 'UNKNOWN_VALIDATOR'
  | 'DUPLICATE_PRECOMMIT'
  | 'BAD_PRECOMMIT_SIGNATURE'
  | 'NO_QUORUM';

/** Whether signed power is a quorum: 3 × signed > 2 × total, in integers. */
export function isQuorum(signedPower: bigint, totalPower: bigint): boolean {
  return 3n * signedPower > 2n * totalPower;
}

/**
 * Checks that a commit certificate finalises this header under this validator set: it names
 * the header's height and hash, the set is the one the header names, every precommit is from
 * a distinct validator of the set with a valid signature, and their power is a quorum.
 * Returns undefined when it does, or the first fault found.
 */
export function checkCommit(
  header: BlockHeader,
  commit: CommitCertificate,
  validators: readonly Validator[],
  verify: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean = verifySignature,
): CommitFault | undefined {
  if (commit.height !== header.height) return 'WRONG_HEIGHT';
  const hash = blockHash(header);
  if (commit.blockHash !== hash) return 'WRONG_BLOCK';
  if (validatorsHash(validators) !== header.validatorsHash) return 'WRONG_VALIDATOR_SET';
  const power = new Map(validators.map((v) => [v.account, BigInt(v.power)]));
  const total = validators.reduce((sum, v) => sum + BigInt(v.power), 0n);
  const message = precommitBytes(header.chainId, commit.height, commit.round, hash);
  const seen = new Set<string>();
  let signed = 0n;
  for (const precommit of commit.precommits) {
    const weight = power.get(precommit.validator);
    if (weight === undefined) return 'UNKNOWN_VALIDATOR';
    if (seen.has(precommit.validator)) return 'DUPLICATE_PRECOMMIT';
    seen.add(precommit.validator);
    if (!/^[0-9a-f]{128}$/.test(precommit.signature) || !verify(fromHex(precommit.validator), message, fromHex(precommit.signature))) {
      return 'BAD_PRECOMMIT_SIGNATURE';
    }
    signed += weight;
  }
  return isQuorum(signed, total) ? undefined : 'NO_QUORUM';
}
