import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, fromHex, toHex, utf8 } from '../codec/canonical.js';
import type { AccountRecord } from '../state/records.js';
import { hashNode } from './hashing.js';
import {
  EMPTY_STATE_ROOT,
  pathBit,
  type StateProof,
  stateKeyHash,
  stateLeafHash,
  stateLeafValue,
  stateRootOf,
  stateValueBytes,
  stateValueHash,
  verifyStateProof,
} from './state-proof.js';

interface Leaf {
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array;
}

const ZERO = new Uint8Array(32);

function leavesOf(entries: ReadonlyMap<string, Uint8Array>): Leaf[] {
  return [...entries].map(([key, value]) => ({ keyHash: stateKeyHash(key), valueHash: stateValueHash(value) }));
}

/** The subtree hash of leaves sharing a depth-bit prefix, straight from the definition. */
function subtree(leaves: readonly Leaf[], depth: number): Uint8Array {
  if (leaves.length === 0) return ZERO;
  if (leaves.length === 1) return stateLeafHash(leaves[0]!.keyHash, leaves[0]!.valueHash);
  return hashNode(
    subtree(leaves.filter((l) => pathBit(l.keyHash, depth) === 0), depth + 1),
    subtree(leaves.filter((l) => pathBit(l.keyHash, depth) === 1), depth + 1),
  );
}

/** A proof built by walking the definition over the whole set: the reference prover. */
function referenceProof(entries: ReadonlyMap<string, Uint8Array>, key: string): StateProof {
  const keyHash = stateKeyHash(key);
  let leaves = leavesOf(entries);
  const topDown: string[] = [];
  for (let depth = 0; leaves.length > 1; depth++) {
    const bit = pathBit(keyHash, depth);
    topDown.push(toHex(subtree(leaves.filter((l) => pathBit(l.keyHash, depth) !== bit), depth + 1)));
    leaves = leaves.filter((l) => pathBit(l.keyHash, depth) === bit);
  }
  const siblings = topDown.reverse();
  const end = leaves[0];
  if (!end || toHex(end.keyHash) === toHex(keyHash)) return { siblings };
  return { siblings, occupant: { keyHash: toHex(end.keyHash), valueHash: toHex(end.valueHash) } };
}

/** A copy of `hex` with the nibble at `index` changed to a different hex digit. */
function tamperHex(hex: string, index: number, by: number): string {
  const digit = (Number.parseInt(hex[index]!, 16) + 1 + (by % 15)) % 16;
  return hex.slice(0, index) + digit.toString(16) + hex.slice(index + 1);
}

// Four records whose key hashes begin 1010…, 0110…, 01011001, 01011101: `params` alone on the
// right, `loan/1` at 011, and balance and order sharing 0101 1 before they fork at bit 5.
const records = new Map<string, Uint8Array>([
  ['params', utf8('{"a":"1"}')],
  ['loan/1', utf8('{"id":"1"}')],
  ['balance/alice/usd', utf8('"250"')],
  ['order/7', utf8('{"id":"7"}')],
]);
// Roots computed independently with Python's hashlib from the definition in state-proof.ts.
const ROOTS = {
  one: '05def1160f991e03a7c436dfdd865a37a29bf14fff59b1938e6c7e0ffdef49ac',
  two: '0098e442b359048d716f4eea610c55a00c9bebed41035894e785d4ac518a30e9',
  four: '89dfd92dd801dccc4e04f9e2f84e91ac4c973b3176b30f2fb84df39e9b31ec89',
};

function leafOf(key: string): string {
  return toHex(stateLeafHash(stateKeyHash(key), stateValueHash(records.get(key)!)));
}

describe('state tree definition', () => {
  it('matches roots computed by hand', () => {
    const pick = (...keys: string[]) => keys.map((key) => [key, records.get(key)!] as const);
    expect(toHex(stateRootOf([]))).toBe(EMPTY_STATE_ROOT);
    expect(toHex(stateRootOf(pick('params')))).toBe(ROOTS.one);
    expect(toHex(stateRootOf(pick('params', 'loan/1')))).toBe(ROOTS.two);
    expect(toHex(stateRootOf(records))).toBe(ROOTS.four);
    expect(toHex(stateKeyHash('params'))).toBe('a20b52fae57cc7a99c9651f1b573950fd211823e3ace3bb9c273c06430f24cd3');
  });

  it('hashes a record as SHA-256 of its canonical encoding', () => {
    const account: AccountRecord = { nonce: 3n, openOrders: 1 };
    expect(toHex(stateValueBytes(account))).toBe(toHex(canonicalBytes({ nonce: 3n, openOrders: 1 })));
    expect(toHex(stateLeafValue(account))).toBe(toHex(sha256(utf8('{"nonce":"3","openOrders":"1"}'))));
    expect(toHex(stateLeafValue(250n))).toBe(toHex(sha256(utf8('"250"'))));
  });

  it('proves a deep leaf with the siblings on its path, deepest first', () => {
    const proof = referenceProof(records, 'balance/alice/usd');
    expect(proof).toEqual({ siblings: [leafOf('order/7'), EMPTY_STATE_ROOT, EMPTY_STATE_ROOT, leafOf('loan/1'), EMPTY_STATE_ROOT, leafOf('params')] });
    expect(verifyStateProof(ROOTS.four, 'balance/alice/usd', records.get('balance/alice/usd'), proof)).toBe(true);
    expect(verifyStateProof(fromHex(ROOTS.four), 'balance/alice/usd', records.get('balance/alice/usd'), proof)).toBe(true);
  });

  it('proves absence by an empty slot and by another leaf in the slot', () => {
    // `asset/btc` hashes to 00…, an empty subtree under the root's left child.
    expect(pathBit(stateKeyHash('asset/btc'), 0) + pathBit(stateKeyHash('asset/btc'), 1)).toBe(0);
    const empty = referenceProof(records, 'asset/btc');
    expect(empty.occupant).toBeUndefined();
    expect(verifyStateProof(ROOTS.four, 'asset/btc', undefined, empty)).toBe(true);
    // `loan/2` hashes to 1…, where `params` is the only leaf.
    expect(pathBit(stateKeyHash('loan/2'), 0)).toBe(1);
    const occupied = referenceProof(records, 'loan/2');
    expect(occupied.occupant?.keyHash).toBe(toHex(stateKeyHash('params')));
    expect(verifyStateProof(ROOTS.four, 'loan/2', undefined, occupied)).toBe(true);
    expect(verifyStateProof(ROOTS.four, 'params', undefined, occupied)).toBe(false);
    expect(verifyStateProof(EMPTY_STATE_ROOT, 'params', undefined, { siblings: [] })).toBe(true);
  });

  it('refuses malformed proofs without throwing', () => {
    const value = records.get('params')!;
    const proof = referenceProof(records, 'params');
    const verify = (p: unknown, root: unknown = ROOTS.four) => verifyStateProof(root as string, 'params', value, p as StateProof);
    expect(verify(proof)).toBe(true);
    expect(verify({ siblings: proof.siblings.map((s) => s.toUpperCase()) })).toBe(false);
    expect(verify({ siblings: [proof.siblings[0]!.slice(2)] })).toBe(false);
    expect(verify({ ...proof, occupant: { keyHash: EMPTY_STATE_ROOT, valueHash: EMPTY_STATE_ROOT } })).toBe(false);
    expect(verify({ siblings: Array.from({ length: 257 }, () => EMPTY_STATE_ROOT) })).toBe(false);
    expect(verify({})).toBe(false);
    expect(verify(null)).toBe(false);
    expect(verify(proof, 'not hex')).toBe(false);
    expect(verify(proof, new Uint8Array(31))).toBe(false);
    expect(verifyStateProof(ROOTS.four, 'loan/2', undefined, { siblings: [ROOTS.four], occupant: { keyHash: 'x', valueHash: 'y' } })).toBe(false);
    expect(verifyStateProof(ROOTS.four, 'params\ud800', value, proof)).toBe(false);
  });
});

// State-like keys from a small alphabet, so absent keys and near-miss keys are common.
const stateKeyArb = fc.stringMatching(/^(account|balance|loan|order)\/[0-9a-f]{1,3}$/);
const entriesArb = fc
  .uniqueArray(fc.tuple(stateKeyArb, fc.uint8Array({ maxLength: 24 })), { maxLength: 60, selector: ([key]) => key })
  .map((pairs) => new Map(pairs));

describe('state proofs, for any state', () => {
  it('root does not depend on the order records are listed in', () => {
    fc.assert(
      fc.property(entriesArb, fc.func(fc.integer()), (entries, order) => {
        const shuffled = [...entries].sort(([a], [b]) => order(a) - order(b) || (a < b ? -1 : 1));
        expect(toHex(stateRootOf(shuffled))).toBe(toHex(stateRootOf(entries)));
        expect(toHex(stateRootOf(entries))).toBe(toHex(subtree(leavesOf(entries), 0)));
      }),
      { numRuns: 100 },
    );
  });

  it('every record proves membership and other keys prove absence, also after a JSON round trip', () => {
    fc.assert(
      fc.property(entriesArb, fc.array(stateKeyArb, { maxLength: 10 }), (entries, probes) => {
        const root = toHex(stateRootOf(entries));
        for (const [key, value] of entries) {
          const proof = JSON.parse(JSON.stringify(referenceProof(entries, key))) as StateProof;
          expect(verifyStateProof(root, key, value, proof)).toBe(true);
          expect(verifyStateProof(root, key, undefined, proof)).toBe(false);
        }
        for (const key of probes.filter((probe) => !entries.has(probe))) {
          const proof = JSON.parse(JSON.stringify(referenceProof(entries, key))) as StateProof;
          expect(verifyStateProof(root, key, undefined, proof)).toBe(true);
          expect(verifyStateProof(root, key, new Uint8Array(0), proof)).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('fails when any byte of the proof, the value, the key or the root is changed', () => {
    fc.assert(
      fc.property(entriesArb, stateKeyArb, fc.nat(), fc.nat(), fc.nat(), (entries, probe, at, by, which) => {
        const root = toHex(stateRootOf(entries));
        const key = entries.size > 0 && which % 2 === 0 ? [...entries.keys()][which % entries.size]! : probe;
        const value = entries.get(key);
        const proof = referenceProof(entries, key);
        const nibble = at % 64;
        expect(verifyStateProof(root, key, value, proof)).toBe(true);

        expect(verifyStateProof(tamperHex(root, nibble, by), key, value, proof)).toBe(false);
        proof.siblings.forEach((_, level) => {
          const siblings = proof.siblings.map((s, i) => (i === level ? tamperHex(s, nibble, by) : s));
          expect(verifyStateProof(root, key, value, { ...proof, siblings })).toBe(false);
        });
        if (proof.siblings.length > 0) expect(verifyStateProof(root, key, value, { ...proof, siblings: proof.siblings.slice(1) })).toBe(false);
        expect(verifyStateProof(root, key, value, { ...proof, siblings: [EMPTY_STATE_ROOT, ...proof.siblings] })).toBe(false);
        if (proof.occupant) {
          const { keyHash, valueHash } = proof.occupant;
          expect(verifyStateProof(root, key, value, { ...proof, occupant: { keyHash: tamperHex(keyHash, nibble, by), valueHash } })).toBe(false);
          expect(verifyStateProof(root, key, value, { ...proof, occupant: { keyHash, valueHash: tamperHex(valueHash, nibble, by) } })).toBe(false);
        }
        if (value) {
          const changed = value.length === 0 ? Uint8Array.of(by % 256) : value.map((b, i) => (i === at % value.length ? b ^ (1 + (by % 255)) : b));
          expect(verifyStateProof(root, key, changed, proof)).toBe(false);
          expect(verifyStateProof(root, key, undefined, proof)).toBe(false);
        } else {
          expect(verifyStateProof(root, key, Uint8Array.of(by % 256), proof)).toBe(false);
        }
        // Another key: a membership proof never carries over; an absence proof carries over
        // only to a key that is absent too (one sharing the empty slot or the occupant's slot).
        const position = at % key.length;
        const otherKey = key.slice(0, position) + String.fromCharCode(0x21 + ((key.charCodeAt(position) - 0x20 + (by % 94)) % 94)) + key.slice(position + 1);
        if (otherKey !== key && verifyStateProof(root, otherKey, value, proof)) {
          expect(value).toBeUndefined();
          expect(entries.has(otherKey)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
