import { describe, expect, it } from 'vitest';
import { applyTransaction, bodyDecoder, type CanonicalValue, decodeTransaction, encodeCanonical, isRefusal, type MarketEvent, type SignedTransaction } from '../../contracts/index.js';
import { CHAIN_ID, signed, testKey, testState } from '../../contracts/test/fixtures.js';
import { absorbBlock, InvalidBlockError, proposeBlock, replayBlock } from './execute.js';

const alice = testKey('alice');
const bob = testKey('bob');
const decode = (wire: string) => decodeTransaction(wire, { chainId: CHAIN_ID, bodyOf: bodyDecoder });

function candidates() {
  return [
    signed(alice, 0n, 'faucet', { asset: 'USD', amount: 1_000n }),
    signed(alice, 1n, 'transfer', { asset: 'USD', to: bob.account, amount: 5_000n }), // more than alice has
    signed(alice, 1n, 'transfer', { asset: 'USD', to: bob.account, amount: 400n }),
    signed(bob, 0n, 'transfer', { asset: 'USD', to: alice.account, amount: 100n }),
  ].map((tx) => decode(tx.encoded));
}

/** A test state with these transactions replayed and the block ended, for comparison. */
function testStateAfter(txs: readonly SignedTransaction<unknown>[]) {
  const state = testState();
  replayBlock(state, { height: 1, time: 10 }, txs);
  return state;
}

const canonical = (changes: Map<string, unknown>) => encodeCanonical([...changes].map(([k, v]) => [k, (v ?? '-') as CanonicalValue]));

describe('block execution', () => {
  it('a proposal includes what applies and leaves out refusals with their codes', () => {
    const state = testState();
    const block = proposeBlock(state, { height: 1, time: 10 }, candidates());
    expect(block.included.map((tx) => tx.tx.nonce)).toEqual([0n, 1n, 0n]);
    expect(block.refused.map((r) => r.refusal.code)).toEqual(['INSUFFICIENT_FUNDS']);
    expect(state.balance(bob.account, 'USD')).toBe(300n);
    expect([...block.changes.keys()]).toContain(`balance/${bob.account}/USD`);
  });

  it('replaying the included transactions on the same start gives the same changes', () => {
    const proposed = proposeBlock(testState(), { height: 1, time: 10 }, candidates());
    const replayed = replayBlock(testState(), { height: 1, time: 10 }, proposed.included);
    expect(canonical(replayed.changes)).toBe(canonical(proposed.changes));
    expect(encodeCanonical(replayed.txEvents as unknown as CanonicalValue)).toBe(encodeCanonical(proposed.txEvents as unknown as CanonicalValue));
  });

  it('taking in a fork the transactions were applied to gives the block executing them gives', () => {
    const ctx = { height: 1, time: 10 };
    const proposed = proposeBlock(testState(), ctx, candidates());
    const base = testState();
    const fork = base.fork();
    const included: ReturnType<typeof candidates> = [];
    const txEvents: MarketEvent[][] = [];
    for (const tx of candidates()) {
      try {
        txEvents.push(applyTransaction(fork, ctx, tx.tx));
        included.push(tx);
      } catch (error) {
        if (!isRefusal(error)) throw error;
      }
    }
    const absorbed = absorbBlock(base, ctx, { fork, included, txEvents });
    expect(absorbed.included.map((tx) => tx.id)).toEqual(proposed.included.map((tx) => tx.id));
    expect(canonical(absorbed.changes)).toBe(canonical(proposed.changes));
    expect(encodeCanonical(absorbed.txEvents as unknown as CanonicalValue)).toBe(encodeCanonical(proposed.txEvents as unknown as CanonicalValue));
    expect(encodeCanonical(base.entries() as unknown as CanonicalValue)).toBe(encodeCanonical(testStateAfter(proposed.included).entries() as unknown as CanonicalValue));
    // A fork of a state that has moved on is refused.
    const stale = base.fork();
    applyTransaction(base, { height: 2, time: 11 }, signed(bob, 1n, 'transfer', { asset: 'USD', to: alice.account, amount: 1n }).tx);
    expect(() => base.absorb(stale)).toThrow(/absorb/);
  });

  it('a block holding a refused transaction is invalid, naming it', () => {
    const all = candidates();
    expect(() => replayBlock(testState(), { height: 4, time: 10 }, all)).toThrow(InvalidBlockError);
    try {
      replayBlock(testState(), { height: 4, time: 10 }, all);
    } catch (error) {
      expect(error).toMatchObject({ height: 4, index: 1, refusal: { code: 'INSUFFICIENT_FUNDS' } });
    }
  });
});
