import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../codec/canonical.js';
import { hashLeaf, hashNode, sha256Of } from './hashing.js';
import { EMPTY_TX_ROOT, txInclusionProof, txRoot, verifyTxInclusion } from './tx-merkle.js';

// Roots computed independently with Python's hashlib from the definitions in tx-merkle.ts.
const ids = ['tx0', 'tx1', 'tx2'].map((text) => sha256(utf8(text)));
const VECTORS = {
  empty: 'f0c1e0b4cd1983b9c92909f8145cc102993e4c797489c0ba98639fd93056b82f',
  one: '001f169febfb116c5806f014cf764a61b3ffcafd3be1636e1272b40b722bd130',
  three: '790c259baa31a343f602eea1907be9b7678ed32f282834cb54100466ce95c5fc',
};

/** RFC 6962's tree built bottom-up instead: pair neighbours, carry an odd last node up unhashed. */
function bottomUpTreeHash(txIds: readonly Uint8Array[]): Uint8Array {
  if (txIds.length === 0) return sha256Of();
  let level = txIds.map((id) => hashLeaf(id));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? hashNode(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

function countBound(count: number, treeHash: Uint8Array): Uint8Array {
  const countBytes = new Uint8Array(8);
  new DataView(countBytes.buffer).setBigUint64(0, BigInt(count));
  return sha256Of(Uint8Array.of(0x02), countBytes, treeHash);
}

/** A copy of `hex` with the nibble at `index` changed to a different hex digit. */
function tamperHex(hex: string, index: number, by: number): string {
  const digit = (Number.parseInt(hex[index]!, 16) + 1 + (by % 15)) % 16;
  return hex.slice(0, index) + digit.toString(16) + hex.slice(index + 1);
}

const distinctIds = (maxLength: number) =>
  fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength, selector: (id) => toHex(id) });

describe('tx root', () => {
  it('matches roots computed by hand for 0, 1 and 3 transactions', () => {
    expect(EMPTY_TX_ROOT).toBe(VECTORS.empty);
    expect(toHex(txRoot([]))).toBe(VECTORS.empty);
    expect(toHex(txRoot(ids.slice(0, 1)))).toBe(VECTORS.one);
    expect(toHex(txRoot(ids))).toBe(VECTORS.three);
    expect(toHex(txRoot(ids.map(toHex)))).toBe(VECTORS.three);
  });

  it('is the RFC 6962 tree hash, bound to the count, for any number of transactions', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 70 }), (txIds) => {
        expect(toHex(txRoot(txIds))).toBe(toHex(countBound(txIds.length, bottomUpTreeHash(txIds))));
      }),
    );
  });

  it('refuses tx ids that are not 32 bytes', () => {
    expect(() => txRoot([new Uint8Array(31)])).toThrow(TypeError);
    expect(() => txRoot(['AB'.repeat(32)])).toThrow(TypeError);
  });
});

describe('tx inclusion proofs', () => {
  it('proves every transaction of a three-transaction block', () => {
    const root = txRoot(ids);
    expect(txInclusionProof(ids, 2)).toEqual([toHex(hashNode(hashLeaf(ids[0]!), hashLeaf(ids[1]!)))]);
    for (let i = 0; i < 3; i++) expect(verifyTxInclusion(root, ids[i]!, i, 3, txInclusionProof(ids, i))).toBe(true);
    expect(verifyTxInclusion(toHex(root), toHex(ids[1]!), 1, 3, txInclusionProof(ids, 1))).toBe(true);
    expect(() => txInclusionProof(ids, 3)).toThrow(RangeError);
  });

  it('binds the count: the proof of tx 1 of 2 does not verify as tx 2 of 3', () => {
    const two = ids.slice(0, 2);
    const proof = txInclusionProof(two, 1);
    expect(verifyTxInclusion(txRoot(two), two[1]!, 1, 2, proof)).toBe(true);
    expect(verifyTxInclusion(txRoot(two), two[1]!, 2, 3, proof)).toBe(false);
  });

  it('verifies every transaction, also after a JSON round trip, and at no other index or count', () => {
    fc.assert(
      fc.property(distinctIds(40), fc.nat(), (txIds, pick) => {
        const root = toHex(txRoot(txIds));
        const index = pick % txIds.length;
        const proof = JSON.parse(JSON.stringify(txInclusionProof(txIds, index))) as string[];
        expect(verifyTxInclusion(fromHex(root), txIds[index]!, index, txIds.length, proof)).toBe(true);
        for (let count = 1; count <= txIds.length + 2; count++) {
          for (let other = 0; other < count; other++) {
            if (other === index && count === txIds.length) continue;
            expect(verifyTxInclusion(root, txIds[index]!, other, count, proof)).toBe(false);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('fails when any byte of the proof, the tx id or the root is changed', () => {
    fc.assert(
      fc.property(distinctIds(40), fc.nat(), fc.nat(), fc.nat(), fc.nat(), (txIds, pick, at, by, which) => {
        const index = pick % txIds.length;
        const count = txIds.length;
        const root = toHex(txRoot(txIds));
        const id = toHex(txIds[index]!);
        const proof = txInclusionProof(txIds, index);
        const nibble = at % 64;
        expect(verifyTxInclusion(tamperHex(root, nibble, by), id, index, count, proof)).toBe(false);
        expect(verifyTxInclusion(root, tamperHex(id, nibble, by), index, count, proof)).toBe(false);
        if (proof.length > 0) {
          const level = which % proof.length;
          const tampered = proof.map((sibling, i) => (i === level ? tamperHex(sibling, nibble, by) : sibling));
          expect(verifyTxInclusion(root, id, index, count, tampered)).toBe(false);
          expect(verifyTxInclusion(root, id, index, count, proof.slice(0, -1))).toBe(false);
        }
        expect(verifyTxInclusion(root, id, index, count, [...proof, root])).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses malformed input without throwing', () => {
    const root = txRoot(ids);
    const proof = txInclusionProof(ids, 0);
    expect(verifyTxInclusion(root, ids[0]!, 0, 3, proof.map((p) => p.toUpperCase()))).toBe(false);
    expect(verifyTxInclusion(root, ids[0]!, 0, 3, [proof[0]!.slice(2), proof[1]!])).toBe(false);
    expect(verifyTxInclusion(root, ids[0]!, -1, 3, proof)).toBe(false);
    expect(verifyTxInclusion(root, ids[0]!, 0.5, 3, proof)).toBe(false);
    expect(verifyTxInclusion(root, ids[0]!, 0, Number.NaN, proof)).toBe(false);
    expect(verifyTxInclusion(root.slice(1), ids[0]!, 0, 3, proof)).toBe(false);
    expect(verifyTxInclusion(root, 'zz', 0, 3, proof)).toBe(false);
    expect(verifyTxInclusion(root, ids[0]!, 0, 3, 'nope' as unknown as string[])).toBe(false);
  });
});
