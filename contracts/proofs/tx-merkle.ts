import { toHex } from '../codec/canonical.js';
import { type BytesLike, equalBytes, hashBytes, hashLeaf, hashNode, HASH_BYTES, isHashHex, sha256Of, TX_ROOT_PREFIX } from './hashing.js';

/**
 * The tx root of a block: a Merkle tree over its tx ids in block order, built exactly as the
 * Merkle Tree Hash of RFC 6962 §2.1 (RFC 9162 §2.1.1):
 *
 *   MTH({})      = SHA-256()                                   (the hash of no bytes)
 *   MTH({d0})    = SHA-256(0x00 || d0)
 *   MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))  k = largest power of two < n
 *
 * and then bound to the number of transactions:
 *
 *   txRoot(D[n]) = SHA-256(0x02 || n as 8 bytes big-endian || MTH(D[n]))
 *
 * RFC 6962 leaves the tree size outside the root (a signed tree head carries it); a block
 * header carries only the root, so the root itself commits to the count. Without that, a proof
 * for (index 1 of 2) also verifies as (index 2 of 3), and a loan file could misstate where a
 * transaction sits in its block.
 */

/** Sibling hashes (lowercase hex) from the leaf's level up to the root's children: RFC 9162's inclusion path. */
export type TxInclusionProof = readonly string[];

/** SHA-256 of no bytes: MTH of an empty list. */
const EMPTY_TREE_HASH = sha256Of();

/** The tx root of a block with no transactions: SHA-256(0x02 || 00×8 || SHA-256()). */
export const EMPTY_TX_ROOT = toHex(sha256Of(Uint8Array.of(TX_ROOT_PREFIX), countBytes(0), EMPTY_TREE_HASH));

// A height's proof has at most one sibling per level of a tree of 2^53 leaves.
const MAX_PROOF_LENGTH = 53;

/** The tx root of tx ids (32 bytes each, as bytes or lowercase hex), in block order. */
export function txRoot(txIds: readonly BytesLike[]): Uint8Array {
  const leaves = leafHashes(txIds);
  return bindCount(leaves.length, leaves.length === 0 ? EMPTY_TREE_HASH : treeHash(leaves, 0, leaves.length));
}

/** The inclusion proof of the tx at `index` (RFC 9162 §2.1.3.1: PATH(m, D[n])). */
export function txInclusionProof(txIds: readonly BytesLike[], index: number): TxInclusionProof {
  const leaves = leafHashes(txIds);
  if (!Number.isSafeInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`no tx at index ${index} of ${leaves.length}`);
  }
  const path: string[] = [];
  let start = 0;
  let end = leaves.length;
  let m = index;
  // Walk down from the root, collecting the subtree hash on the side the leaf is not on; the
  // proof lists them from the leaf upwards, so it is reversed at the end.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      path.push(toHex(treeHash(leaves, start + k, end)));
      end = start + k;
    } else {
      path.push(toHex(treeHash(leaves, start, start + k)));
      start += k;
      m -= k;
    }
  }
  return path.reverse();
}

/**
 * Whether `proof` shows that `txId` is the transaction at `index` of the `count` transactions
 * under `root` (bytes or lowercase hex). Pure; false for malformed input, never a throw.
 * The walk is RFC 9162 §2.1.3.2, then the count is bound as `txRoot` binds it.
 */
export function verifyTxInclusion(root: BytesLike, txId: BytesLike, index: number, count: number, proof: TxInclusionProof): boolean {
  const expected = hashBytes(root);
  const id = hashBytes(txId);
  if (!expected || !id || !Array.isArray(proof) || proof.length > MAX_PROOF_LENGTH) return false;
  if (!Number.isSafeInteger(count) || !Number.isSafeInteger(index) || index < 0 || index >= count) return false;
  let fn = index;
  let sn = count - 1;
  let hash = hashLeaf(id);
  for (const sibling of proof as readonly unknown[]) {
    const p = isHashHex(sibling) ? hashBytes(sibling) : undefined;
    if (!p || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      hash = hashNode(p, hash);
      // Climb past the levels where this subtree is the lone right edge, which has no sibling.
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      hash = hashNode(hash, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(bindCount(count, hash), expected);
}

function bindCount(count: number, treeRoot: Uint8Array): Uint8Array {
  return sha256Of(Uint8Array.of(TX_ROOT_PREFIX), countBytes(count), treeRoot);
}

function countBytes(count: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(count));
  return out;
}

function leafHashes(txIds: readonly BytesLike[]): Uint8Array[] {
  return txIds.map((txId, i) => {
    const id = hashBytes(txId);
    if (!id) throw new TypeError(`tx id ${i} is not ${HASH_BYTES} bytes (or their lowercase hex)`);
    return hashLeaf(id);
  });
}

/** MTH over leaf hashes [start, end), end > start. */
function treeHash(leaves: readonly Uint8Array[], start: number, end: number): Uint8Array {
  if (end - start === 1) return leaves[start] as Uint8Array;
  const k = splitPoint(end - start);
  return hashNode(treeHash(leaves, start, start + k), treeHash(leaves, start + k, end));
}

/** The largest power of two smaller than n (n > 1). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
