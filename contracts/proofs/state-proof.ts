import { canonicalBytes, toHex, utf8, type CanonicalValue } from '../codec/canonical.js';
import { arrayOf, type Decoder, matching, object, optional } from '../codec/schema.js';
import type { StateValue } from '../state/records.js';
import { type BytesLike, equalBytes, hashBytes, hashLeaf, hashNode, HASH_BYTES, isHashHex, sha256Of } from './hashing.js';

/**
 * The state root: a compact sparse Merkle tree over every record of the market state.
 *
 * - A record's path is its tree key, keyHash = SHA-256(UTF-8 of the state key string, e.g.
 *   `loan/17`): 256 bits, read most significant bit first; bit 0 (the top bit of byte 0)
 *   chooses the root's child, 0 = left, 1 = right.
 * - Its value is valueHash = SHA-256(the record's canonical encoding, `canonicalBytes`).
 * - leaf node     = SHA-256(0x00 || keyHash || valueHash)
 * - inner node    = SHA-256(0x01 || left || right)
 * - empty subtree = 32 zero bytes
 * - Compaction: a subtree that holds exactly one leaf is that leaf node itself, wherever it
 *   sits; a subtree of two or more leaves is an inner node, even when one of its halves is
 *   empty. So a leaf sits at the first depth where its path prefix is its own: about log2(N)
 *   for N records (the compact sparse Merkle tree, as Diem's Jellyfish tree, binary).
 * - The root of the empty state is 32 zero bytes; of one record, that record's leaf node.
 *
 * The tree is a function of the set of (key, value) pairs alone, not of the order they were
 * written in.
 *
 * A proof for a key is the hashes of the siblings on its path, from the deepest (the sibling
 * of the leaf or of the empty slot the path ends in) up to the root's children; its length is
 * that depth. Membership: the path ends in the key's own leaf. Non-membership: it ends in an
 * empty subtree, or in another key's leaf (the `occupant`), whose keyHash shares the path's
 * prefix and differs from the key's.
 */
export interface StateProof {
  /** Sibling hashes, lowercase hex, deepest first: `siblings[0]` is the proven position's sibling. */
  readonly siblings: readonly string[];
  /** Non-membership only: the other key's leaf that occupies this key's slot. */
  readonly occupant?: { readonly keyHash: string; readonly valueHash: string };
}

const proofHash = matching(/^[0-9a-f]{64}$/, 'a SHA-256 hash in 64 lowercase hex characters');

/** A state proof as JSON carries it (a loan file, a validator change). */
export const stateProofDecoder: Decoder<StateProof> = object({
  siblings: arrayOf(proofHash, 256),
  occupant: optional(object({ keyHash: proofHash, valueHash: proofHash })),
});

/** The state root of an empty state: 32 zero bytes, in hex. */
export const EMPTY_STATE_ROOT = '00'.repeat(HASH_BYTES);

const EMPTY = new Uint8Array(HASH_BYTES);
const KEY_BITS = HASH_BYTES * 8;
// In UTF-16 a lone surrogate would encode as U+FFFD, so two key strings would share a path.
const LONE_SURROGATE = /\p{Cs}/u;

/** keyHash: the tree path of a state key, SHA-256 of its UTF-8. */
export function stateKeyHash(key: string): Uint8Array {
  return sha256Of(utf8(key));
}

/** valueHash: SHA-256 of a record's canonical encoding bytes. */
export function stateValueHash(value: Uint8Array): Uint8Array {
  return sha256Of(value);
}

/** The leaf node of a record: SHA-256(0x00 || keyHash || valueHash). */
export function stateLeafHash(keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array {
  return hashLeaf(keyHash, valueHash);
}

/** The bytes a record stands for in the tree: its canonical encoding (what proofs verify). */
export function stateValueBytes(record: StateValue): Uint8Array {
  return canonicalBytes(record as CanonicalValue);
}

/** A record's valueHash: SHA-256 of its canonical encoding. Everyone hashes values this way. */
export function stateLeafValue(record: StateValue): Uint8Array {
  return stateValueHash(stateValueBytes(record));
}

/** Bit `depth` of a 256-bit path, most significant bit of byte 0 first. */
export function pathBit(path: Uint8Array, depth: number): number {
  return ((path[depth >>> 3] as number) >>> (7 - (depth & 7))) & 1;
}

/**
 * Whether `proof` shows, against `root` (bytes or lowercase hex), that the state holds `key`
 * with a record whose canonical encoding is `value`, or, when `value` is undefined, that it
 * holds no record under `key`. Pure; false for any malformed input, never a throw.
 */
export function verifyStateProof(root: BytesLike, key: string, value: Uint8Array | undefined, proof: StateProof): boolean {
  const expected = hashBytes(root);
  if (!expected || typeof key !== 'string' || LONE_SURROGATE.test(key)) return false;
  if (value !== undefined && !(value instanceof Uint8Array)) return false;
  const siblings = readSiblings(proof);
  if (!siblings) return false;
  const occupant = (proof as { readonly occupant?: unknown }).occupant;
  const keyHash = stateKeyHash(key);
  const depth = siblings.length;

  let hash: Uint8Array;
  if (value !== undefined) {
    if (occupant !== undefined) return false;
    hash = stateLeafHash(keyHash, stateValueHash(value));
  } else if (occupant === undefined) {
    hash = EMPTY;
  } else {
    const other = readOccupant(occupant);
    if (!other || equalBytes(other.keyHash, keyHash)) return false;
    // A leaf at depth d holds the only key under its d-bit prefix, which must be this key's.
    for (let i = 0; i < depth; i++) if (pathBit(other.keyHash, i) !== pathBit(keyHash, i)) return false;
    hash = stateLeafHash(other.keyHash, other.valueHash);
  }
  for (let j = 0; j < depth; j++) {
    const sibling = siblings[j] as Uint8Array;
    hash = pathBit(keyHash, depth - 1 - j) === 1 ? hashNode(sibling, hash) : hashNode(hash, sibling);
  }
  return equalBytes(hash, expected);
}

/**
 * The state root of a set of records, built from scratch: (state key, canonical encoding)
 * pairs, a later pair for the same key replacing an earlier one. O(N log N); the node keeps an
 * incremental tree instead, and this is the reference it must agree with.
 */
export function stateRootOf(entries: Iterable<readonly [string, Uint8Array]>): Uint8Array {
  const sorted = sortedLeaves(entries);
  return subtreeHash(sorted, 0, sorted.length, 0);
}

/**
 * The proof that the state of these records holds `key` (or holds no record under it), built
 * from scratch as `stateRootOf` builds the root: the reference for offline tools and tests; the
 * node proves from its incremental tree.
 */
export function stateProofOf(entries: Iterable<readonly [string, Uint8Array]>, key: string): StateProof {
  const leaves = sortedLeaves(entries);
  const keyHash = stateKeyHash(key);
  const siblings: string[] = [];
  let [start, end, depth] = [0, leaves.length, 0];
  while (end - start > 1) {
    const split = splitOf(leaves, start, end, depth);
    const right = pathBit(keyHash, depth) === 1;
    siblings.push(toHex(right ? subtreeHash(leaves, start, split, depth + 1) : subtreeHash(leaves, split, end, depth + 1)));
    [start, end] = right ? [split, end] : [start, split];
    depth += 1;
  }
  siblings.reverse();
  const other = end - start === 1 ? (leaves[start] as Leaf) : undefined;
  if (!other || equalBytes(other.keyHash, keyHash)) return { siblings };
  return { siblings, occupant: { keyHash: toHex(other.keyHash), valueHash: toHex(other.valueHash) } };
}

interface Leaf {
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array;
  readonly leaf: Uint8Array;
}

/** The records' leaves by key hash, a later record of a key replacing an earlier one. */
function sortedLeaves(entries: Iterable<readonly [string, Uint8Array]>): Leaf[] {
  const leaves = new Map<string, Leaf>();
  for (const [key, value] of entries) {
    const keyHash = stateKeyHash(key);
    const valueHash = stateValueHash(value);
    leaves.set(toHex(keyHash), { keyHash, valueHash, leaf: stateLeafHash(keyHash, valueHash) });
  }
  return [...leaves.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, leaf]) => leaf);
}

/** The first of sorted leaves [start, end) whose path has bit `depth` set. */
function splitOf(leaves: readonly Leaf[], start: number, end: number, depth: number): number {
  let split = start;
  while (split < end && pathBit((leaves[split] as Leaf).keyHash, depth) === 0) split++;
  return split;
}

/** Hash of the subtree at `depth` holding sorted leaves [start, end), which share a depth-bit prefix. */
function subtreeHash(leaves: readonly Leaf[], start: number, end: number, depth: number): Uint8Array {
  if (end === start) return EMPTY;
  if (end - start === 1) return (leaves[start] as Leaf).leaf;
  const split = splitOf(leaves, start, end, depth);
  return hashNode(subtreeHash(leaves, start, split, depth + 1), subtreeHash(leaves, split, end, depth + 1));
}

function readSiblings(proof: unknown): Uint8Array[] | undefined {
  if (typeof proof !== 'object' || proof === null) return undefined;
  const siblings = (proof as { readonly siblings?: unknown }).siblings;
  if (!Array.isArray(siblings) || siblings.length > KEY_BITS) return undefined;
  const out: Uint8Array[] = [];
  for (const sibling of siblings as readonly unknown[]) {
    const bytes = isHashHex(sibling) ? hashBytes(sibling) : undefined;
    if (!bytes) return undefined;
    out.push(bytes);
  }
  return out;
}

function readOccupant(occupant: unknown): { keyHash: Uint8Array; valueHash: Uint8Array } | undefined {
  if (typeof occupant !== 'object' || occupant === null) return undefined;
  const { keyHash, valueHash } = occupant as { readonly keyHash?: unknown; readonly valueHash?: unknown };
  if (!isHashHex(keyHash) || !isHashHex(valueHash)) return undefined;
  return { keyHash: hashBytes(keyHash) as Uint8Array, valueHash: hashBytes(valueHash) as Uint8Array };
}
