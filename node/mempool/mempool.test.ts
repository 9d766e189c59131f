import { describe, expect, it } from 'vitest';
import type { SignedTransaction } from '../../contracts/index.js';
import { signed, testKey } from '../../contracts/test/fixtures.js';
import { Mempool, MempoolRefusal } from './mempool.js';

const alice = testKey('alice');
const bob = testKey('bob');
const transfer = (key = alice, nonce = 0n, amount = 1n) => signed(key, nonce, 'transfer', { asset: 'USD', to: bob.account, amount });

function refusalOf(action: () => void): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof MempoolRefusal) return error.code;
    throw error;
  }
}

describe('mempool', () => {
  it('admits an account’s transactions in nonce order with no gap', () => {
    const committed = new Map<string, bigint>([[alice.account, 3n]]);
    const pool = new Mempool({ maxTxs: 10, maxPerAccount: 5 }, (a) => committed.get(a) ?? 0n);
    expect(refusalOf(() => pool.add(transfer(alice, 2n)))).toBe('BAD_NONCE'); // replayed
    expect(refusalOf(() => pool.add(transfer(alice, 4n)))).toBe('BAD_NONCE'); // future
    pool.add(transfer(alice, 3n));
    pool.add(transfer(alice, 4n));
    expect(refusalOf(() => pool.add(transfer(alice, 4n)))).toBe('ALREADY_KNOWN');
    expect(pool.size).toBe(2);
  });

  it('is bounded per account and in total, with coded refusals that change nothing', () => {
    const pool = new Mempool({ maxTxs: 3, maxPerAccount: 2 }, () => 0n);
    pool.add(transfer(alice, 0n));
    pool.add(transfer(alice, 1n));
    expect(refusalOf(() => pool.add(transfer(alice, 2n)))).toBe('ACCOUNT_QUEUE_FULL');
    pool.add(transfer(bob, 0n));
    expect(refusalOf(() => pool.add(transfer(testKey('carol'), 0n)))).toBe('MEMPOOL_FULL');
    expect(pool.size).toBe(3);
  });

  it('hands out transactions in arrival order and forgets them once settled', () => {
    const committed = new Map<string, bigint>();
    const pool = new Mempool({ maxTxs: 10, maxPerAccount: 5 }, (a) => committed.get(a) ?? 0n);
    const order: SignedTransaction<unknown>[] = [transfer(alice, 0n), transfer(bob, 0n), transfer(alice, 1n)];
    for (const tx of order) pool.add(tx);
    expect(pool.peek(10).map((tx) => tx.id)).toEqual(order.map((tx) => tx.id));
    expect(pool.peek(2)).toHaveLength(2);
    committed.set(alice.account, 1n);
    expect(pool.settle([order[0]!.id])).toEqual([]);
    expect(pool.peek(10).map((tx) => tx.id)).toEqual([order[1]!.id, order[2]!.id]);
  });

  it('drops an account’s later transactions when an earlier one was refused, and says which', () => {
    const pool = new Mempool({ maxTxs: 10, maxPerAccount: 5 }, () => 0n);
    const first = transfer(alice, 0n);
    const second = transfer(alice, 1n);
    pool.add(first);
    pool.add(second);
    // the block refused `first`, so alice's committed nonce stays 0 and `second` can never apply
    expect(pool.settle([first.id]).map((tx) => tx.id)).toEqual([second.id]);
    expect(pool.size).toBe(0);
    pool.add(transfer(alice, 0n, 2n));
    expect(pool.size).toBe(1);
  });
});
