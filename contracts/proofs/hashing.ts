import { fromHex } from '../codec/canonical.js';
import { sha256Of } from '../crypto/sha256.js';

/**
 * The hash primitives of Lendnet's Merkle trees: SHA-256 with a one-byte domain prefix, as in
 * RFC 6962 §2.1, so a leaf can never be read as an inner node nor either as a tx root:
 *
 *   leaf     = SHA-256(0x00 || leaf data)
 *   node     = SHA-256(0x01 || left || right)
 *   tx root  = SHA-256(0x02 || tx count as 8 bytes big-endian || Merkle tree hash of the tx ids)
 *
 * The tx tree hashes a leaf's data as the tx id (33 input bytes); the state tree as keyHash ||
 * valueHash (65 input bytes). Every hash is 32 bytes.
 */

/** Prefix of a leaf's hash input. */
export const LEAF_PREFIX = 0x00;
/** Prefix of an inner node's hash input. */
export const NODE_PREFIX = 0x01;
/** Prefix of a tx root's hash input (the count-binding wrapper around the tx tree). */
export const TX_ROOT_PREFIX = 0x02;
/** Bytes in every hash. */
export const HASH_BYTES = 32;

/** A hash or other byte string given as bytes or as lowercase hex (as headers and proofs carry them). */
export type BytesLike = Uint8Array | string;

const HASH_HEX = /^[0-9a-f]{64}$/;

export { sha256Of };

/** SHA-256(0x00 || data): the hash of a leaf. */
export function hashLeaf(...data: readonly Uint8Array[]): Uint8Array {
  return sha256Of(Uint8Array.of(LEAF_PREFIX), ...data);
}

/** SHA-256(0x01 || left || right): the hash of an inner node. */
export function hashNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256Of(Uint8Array.of(NODE_PREFIX), left, right);
}

/** Whether a string is a 32-byte hash in lowercase hex. */
export function isHashHex(value: unknown): value is string {
  return typeof value === 'string' && HASH_HEX.test(value);
}

/** A 32-byte hash from bytes or lowercase hex, or undefined when it is not exactly that. */
export function hashBytes(input: unknown): Uint8Array | undefined {
  if (input instanceof Uint8Array) return input.length === HASH_BYTES ? input : undefined;
  return isHashHex(input) ? fromHex(input) : undefined;
}

/** Byte-wise equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
