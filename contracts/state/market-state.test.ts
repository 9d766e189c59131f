import { describe, expect, it } from 'vitest';
import { applyTransaction } from '../machine.js';
import { testKey, testState, Wallets } from '../test/fixtures.js';

const alice = testKey('alice');
const bob = testKey('bob');
const ctx = { height: 1, time: 1_000 };

describe('a fork of the market state', () => {
  it('reads through to its base, keeps its own writes and deletions, and leaves the base as it was', () => {
    const base = testState({ allocations: [{ account: alice.account, asset: 'USD', amount: 100n }] });
    const before = JSON.stringify(base.entries(), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    const fork = base.fork();
    const wallets = new Wallets();
    // Alice sends everything to Bob: her balance record is removed in the fork, Bob's created.
    applyTransaction(fork, ctx, wallets.sign(alice, 'transfer', { asset: 'USD', to: bob.account, amount: 100n }).tx);
    expect(fork.balance(alice.account, 'USD')).toBe(0n);
    expect(fork.balance(bob.account, 'USD')).toBe(100n);
    expect(fork.account(alice.account).nonce).toBe(1n);
    expect(fork.entries().some(([key]) => key.includes(alice.account) && key.startsWith('balance/'))).toBe(false);
    expect(base.balance(alice.account, 'USD')).toBe(100n);
    expect(base.account(alice.account).nonce).toBe(0n);
    expect(JSON.stringify(base.entries(), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).toBe(before);
    // A fork's changes are its own writes only.
    expect([...fork.takeChanges().keys()].every((key) => key.includes(alice.account) || key.includes(bob.account))).toBe(true);
  });

  it('refuses to be read once its base has changed', () => {
    const base = testState({ allocations: [{ account: alice.account, asset: 'USD', amount: 100n }] });
    const fork = base.fork();
    expect(fork.balance(alice.account, 'USD')).toBe(100n);
    applyTransaction(base, ctx, new Wallets().sign(alice, 'transfer', { asset: 'USD', to: bob.account, amount: 1n }).tx);
    expect(() => fork.balance(alice.account, 'USD')).toThrow(/stale/);
  });
});
