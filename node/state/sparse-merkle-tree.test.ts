import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../contracts/codec/canonical.js';
import { EMPTY_STATE_ROOT, type StateProof, stateProofOf, stateRootOf, stateValueBytes, stateValueHash, verifyStateProof } from '../../contracts/proofs/state-proof.js';
import { MarketState } from '../../contracts/state/market-state.js';
import { encodedChanges, SparseMerkleTree } from './sparse-merkle-tree.js';

// The four records of contracts/proofs/state-proof.test.ts, whose root was computed by hand.
const records = new Map<string, Uint8Array>([
  ['params', utf8('{"a":"1"}')],
  ['loan/1', utf8('{"id":"1"}')],
  ['balance/alice/usd', utf8('"250"')],
  ['order/7', utf8('{"id":"7"}')],
]);
const FOUR_ROOT = '89dfd92dd801dccc4e04f9e2f84e91ac4c973b3176b30f2fb84df39e9b31ec89';

function roundTrip(proof: StateProof): StateProof {
  return JSON.parse(JSON.stringify(proof)) as StateProof;
}

/** Checks the tree against the from-scratch reference (noble hashes) and every proof against its root. */
function expectMatches(tree: SparseMerkleTree, model: ReadonlyMap<string, Uint8Array>, absent: readonly string[]): void {
  const root = tree.rootHex();
  expect(root).toBe(toHex(stateRootOf(model)));
  expect(tree.size).toBe(model.size);
  for (const [key, value] of model) {
    expect(verifyStateProof(root, key, value, roundTrip(tree.prove(key)))).toBe(true);
    expect(toHex(tree.valueHash(key)!)).toBe(toHex(stateValueHash(value)));
  }
  for (const key of absent.filter((probe) => !model.has(probe))) {
    expect(verifyStateProof(root, key, undefined, roundTrip(tree.prove(key)))).toBe(true);
    expect(tree.valueHash(key)).toBeUndefined();
  }
}

describe('sparse Merkle tree', () => {
  it('has the zero root when empty and the hand-computed root for four records', () => {
    const tree = new SparseMerkleTree();
    expect(tree.rootHex()).toBe(EMPTY_STATE_ROOT);
    expect(tree.size).toBe(0);
    expect(verifyStateProof(tree.root(), 'params', undefined, tree.prove('params'))).toBe(true);
    expect(toHex(tree.applyChanges(records))).toBe(FOUR_ROOT);
    expectMatches(tree, records, ['asset/btc', 'loan/2', 'counters']);
    expect(SparseMerkleTree.fromEntries([...records].reverse()).rootHex()).toBe(FOUR_ROOT);
  });

  it('re-compacts on delete: removing all but one record leaves that record as the root', () => {
    const tree = SparseMerkleTree.fromEntries(records);
    tree.applyChanges(new Map([['order/7', undefined], ['loan/1', undefined], ['params', undefined], ['absent', undefined]]));
    expect(tree.size).toBe(1);
    expect(tree.stats().innerNodes).toBe(0);
    expect(tree.rootHex()).toBe(toHex(stateRootOf([['balance/alice/usd', records.get('balance/alice/usd')!]])));
    tree.applyChanges(new Map([['balance/alice/usd', undefined]]));
    expect(tree.rootHex()).toBe(EMPTY_STATE_ROOT);
    expect(tree.stats()).toMatchObject({ leaves: 0, innerNodes: 0 });
  });

  it('proves every key present or absent as the reference prover built from scratch does', () => {
    const entries = Array.from({ length: 300 }, (_, i) => [`balance/${i}/usd`, utf8(`"${i}"`)] as const);
    const tree = SparseMerkleTree.fromEntries(entries);
    for (const key of [...entries.map(([k]) => k), 'absent', 'balance/999/usd', 'params']) {
      const proof = stateProofOf(entries, key);
      expect(proof, key).toEqual(tree.prove(key));
      const value = entries.find(([k]) => k === key)?.[1];
      expect(verifyStateProof(tree.rootHex(), key, value, proof), key).toBe(true);
    }
    expect(stateProofOf([], 'params')).toEqual({ siblings: [] });
  });

  it('rehashes only the path of a changed key', () => {
    const entries = Array.from({ length: 5000 }, (_, i) => [`balance/${i}/usd`, utf8(`"${i}"`)] as const);
    const tree = SparseMerkleTree.fromEntries(entries);
    expect(tree.stats().lastRehashed).toBe(tree.stats().innerNodes);
    const depth = tree.prove('balance/42/usd').siblings.length;
    tree.applyChanges(new Map([['balance/42/usd', utf8('"43"')]]));
    expect(tree.stats().lastRehashed).toBe(depth);
    tree.applyChanges(new Map([['balance/42/usd', utf8('"43"')]]));
    expect(tree.stats().lastRehashed).toBe(0);
    tree.applyChanges(new Map([['balance/42/usd', undefined]]));
    expect(tree.stats().lastRehashed).toBeLessThanOrEqual(depth);
    const model = new Map(entries);
    model.delete('balance/42/usd');
    expect(tree.rootHex()).toBe(toHex(stateRootOf(model)));
  });

  it('follows a market state block by block through its changes', () => {
    const state = new MarketState();
    const tree = new SparseMerkleTree();
    const encoded = () => state.entries().map(([key, value]) => [key, stateValueBytes(value)] as const);
    state.putAccount('alice', { nonce: 1n, openOrders: 0 });
    state.addBalance('alice', 'usd', 500n);
    state.addBalance('bob', 'usd', 20n);
    tree.applyChanges(encodedChanges(state.takeChanges()));
    expect(tree.rootHex()).toBe(toHex(stateRootOf(encoded())));
    state.addBalance('bob', 'usd', -20n);
    state.putAccount('alice', { nonce: 2n, openOrders: 1 });
    tree.applyChanges(encodedChanges(state.takeChanges()));
    expect(tree.size).toBe(2);
    expect(tree.rootHex()).toBe(toHex(stateRootOf(encoded())));
  });

  it('refuses a key with a lone surrogate, which UTF-8 could not tell from U+FFFD', () => {
    expect(() => new SparseMerkleTree().applyChanges(new Map([['loan/\ud800', utf8('"1"')]]))).toThrow(TypeError);
  });
});

// Keys from a small set, so updates, deletes of present keys and re-inserts are common.
const keyArb = fc.oneof(fc.stringMatching(/^(account|balance|order)\/[0-9a-f]$/), fc.stringMatching(/^(account|balance|order)\/[0-9a-f]{2}$/));
const blockArb = fc.array(fc.tuple(keyArb, fc.option(fc.uint8Array({ maxLength: 16 }), { freq: 3, nil: undefined })), { maxLength: 40 });

describe('sparse Merkle tree, for any history of blocks', () => {
  it('after each block equals a tree built from scratch, and proves every key present or absent', () => {
    fc.assert(
      fc.property(fc.array(blockArb, { minLength: 1, maxLength: 8 }), fc.array(keyArb, { maxLength: 8 }), (blocks, probes) => {
        const tree = new SparseMerkleTree();
        const model = new Map<string, Uint8Array>();
        for (const block of blocks) {
          const changes = new Map(block);
          for (const [key, value] of changes) {
            if (value === undefined) model.delete(key);
            else model.set(key, value);
          }
          tree.applyChanges(changes);
          expectMatches(tree, model, [...probes, ...changes.keys()]);
        }
        expect(tree.rootHex()).toBe(SparseMerkleTree.fromEntries([...model].reverse()).rootHex());
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same root whatever order one block lists its changes in', () => {
    fc.assert(
      fc.property(blockArb, blockArb, fc.func(fc.integer()), (first, second, order) => {
        const changes = new Map(second);
        const shuffled = new Map([...changes].sort(([a], [b]) => order(a) - order(b)));
        const a = new SparseMerkleTree();
        const b = new SparseMerkleTree();
        a.applyChanges(new Map(first));
        b.applyChanges(new Map(first));
        expect(toHex(a.applyChanges(changes))).toBe(toHex(b.applyChanges(shuffled)));
      }),
      { numRuns: 150 },
    );
  });
});
