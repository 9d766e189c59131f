import { describe, expect, it } from 'vitest';
import { applyTransaction, isRefusal, type MarketState, type SignedTransaction } from '../../contracts/index.js';
import { signed, testKey, testState } from '../../contracts/test/fixtures.js';
import { Mempool, MempoolRefusal } from './mempool.js';

const alice = testKey('alice');
const bob = testKey('bob');
const carol = testKey('carol');
const ctx = { height: 1, time: 1_000 };
const transfer = (key = alice, nonce = 0n, amount = 1n, to = bob) => signed(key, nonce, 'transfer', { asset: 'USD', to: to.account, amount });

/** A state where alice, bob and carol hold 100 dollars each, and a mempool on it. */
function setUp(limits = { maxTxs: 10, maxPerAccount: 5 }) {
  const holder = { state: testState({ allocations: [alice, bob, carol].map((key) => ({ account: key.account, asset: 'USD', amount: 100n })) }) };
  const pool = new Mempool(limits, { state: () => holder.state, context: () => ctx });
  /** Applies transactions to the base, as a committed block would. */
  const commit = (...txs: SignedTransaction<unknown>[]) => {
    for (const tx of txs) applyTransaction(holder.state, ctx, tx.tx);
  };
  return { holder, pool, commit };
}

function refusalOf(action: () => void): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof MempoolRefusal || isRefusal(error)) return error.code;
    throw error;
  }
}

function balances(state: MarketState): bigint[] {
  return [alice, bob, carol].map((key) => state.balance(key.account, 'USD'));
}

describe('mempool', () => {
  it('admits an account’s transactions in nonce order with no gap', () => {
    const { pool, commit } = setUp();
    commit(transfer(alice, 0n), transfer(alice, 1n), transfer(alice, 2n));
    pool.settle([]);
    expect(refusalOf(() => pool.add(transfer(alice, 2n)))).toBe('BAD_NONCE'); // replayed
    expect(refusalOf(() => pool.add(transfer(alice, 4n)))).toBe('BAD_NONCE'); // future
    pool.add(transfer(alice, 3n));
    pool.add(transfer(alice, 4n));
    expect(refusalOf(() => pool.add(transfer(alice, 4n)))).toBe('ALREADY_KNOWN');
    expect(pool.size).toBe(2);
  });

  it('checks funds against the pending state: waiting transactions count, the base is not touched', () => {
    const { holder, pool } = setUp();
    pool.add(transfer(alice, 0n, 60n));
    // 40 left once the first transfer is in: 50 more overdraws, 40 does not.
    expect(refusalOf(() => pool.add(transfer(alice, 1n, 50n)))).toBe('INSUFFICIENT_FUNDS');
    pool.add(transfer(alice, 1n, 40n));
    // Bob may spend what alice's waiting transfers will give him.
    pool.add(transfer(bob, 0n, 200n, carol));
    expect(refusalOf(() => pool.add(transfer(bob, 1n, 1n, carol)))).toBe('INSUFFICIENT_FUNDS');
    expect(pool.size).toBe(3);
    expect(balances(holder.state)).toEqual([100n, 100n, 100n]);
  });

  it('is bounded per account and in total, with coded refusals that change nothing', () => {
    const { pool } = setUp({ maxTxs: 3, maxPerAccount: 2 });
    pool.add(transfer(alice, 0n));
    pool.add(transfer(alice, 1n));
    expect(refusalOf(() => pool.add(transfer(alice, 2n)))).toBe('ACCOUNT_QUEUE_FULL');
    pool.add(transfer(bob, 0n));
    expect(refusalOf(() => pool.add(transfer(carol, 0n)))).toBe('MEMPOOL_FULL');
    expect(pool.size).toBe(3);
    // A refusal left nothing behind: alice's next nonce is still 2 in the pending state.
    const { pool: other } = setUp({ maxTxs: 3, maxPerAccount: 3 });
    other.add(transfer(alice, 0n));
    other.add(transfer(alice, 1n));
    expect(refusalOf(() => other.add(transfer(alice, 2n, 1_000n)))).toBe('INSUFFICIENT_FUNDS');
    other.add(transfer(alice, 2n));
    expect(other.size).toBe(3);
  });

  it('hands out transactions in arrival order and forgets them once settled', () => {
    const { pool, commit } = setUp();
    const order = [transfer(alice, 0n), transfer(bob, 0n), transfer(alice, 1n)];
    for (const tx of order) pool.add(tx);
    expect(pool.peek(10).map((tx) => tx.id)).toEqual(order.map((tx) => tx.id));
    expect(pool.peek(2)).toHaveLength(2);
    commit(order[0]!);
    expect(pool.settle([order[0]!.id])).toEqual([]);
    expect(pool.peek(10).map((tx) => tx.id)).toEqual([order[1]!.id, order[2]!.id]);
  });

  it('drops what no longer applies after a block, with the reason, and takes the account’s next nonce again', () => {
    const { pool } = setUp();
    const first = transfer(alice, 0n, 60n);
    const second = transfer(alice, 1n);
    // Bob can send 150 only with the 60 that alice's first transfer gives him.
    const spend = transfer(bob, 0n, 150n, carol);
    pool.add(first);
    pool.add(second);
    pool.add(spend);
    // The block refused `first`: alice's nonce stays 0 and bob never gets the 60.
    const dropped = pool.settle([first.id]);
    expect(dropped.map(({ tx, refusal }) => [tx.id, refusal.code])).toEqual([
      [second.id, 'BAD_NONCE'],
      [spend.id, 'INSUFFICIENT_FUNDS'],
    ]);
    expect(pool.size).toBe(0);
    pool.add(transfer(alice, 0n, 2n));
    expect(pool.size).toBe(1);
  });

  it('offers its pending state as the next block only when that block is exactly what it applied, at the same height and time', () => {
    const { pool } = setUp();
    expect(pool.pendingBlock(ctx, 10)).toBeUndefined(); // nothing waiting
    const txs = [transfer(alice, 0n, 5n), transfer(bob, 0n, 7n, carol)];
    for (const tx of txs) pool.add(tx);
    const block = pool.pendingBlock(ctx, 10);
    expect(block?.included.map((tx) => tx.id)).toEqual(txs.map((tx) => tx.id));
    expect(block?.txEvents).toHaveLength(2);
    expect(block?.fork.balance(carol.account, 'USD')).toBe(107n);
    expect(pool.pendingBlock({ ...ctx, time: ctx.time + 1 }, 10)).toBeUndefined(); // another time
    expect(pool.pendingBlock({ ...ctx, height: 2 }, 10)).toBeUndefined(); // another height
    expect(pool.pendingBlock(ctx, 1)).toBeUndefined(); // does not fit in one block
  });

  it('applies what arrives at the time it started its pending state with, until the next block', () => {
    let time = 1_000;
    const state = testState({ allocations: [{ account: alice.account, asset: 'USD', amount: 100n }] });
    const pool = new Mempool({ maxTxs: 10, maxPerAccount: 5 }, { state: () => state, context: () => ({ height: 1, time }) });
    pool.add(transfer(alice, 0n));
    time += 1;
    pool.add(transfer(alice, 1n));
    expect(pool.pendingBlock({ height: 1, time: 1_000 }, 10)?.included).toHaveLength(2);
    expect(pool.pendingBlock({ height: 1, time: 1_001 }, 10)).toBeUndefined();
    // After a block, the rest are tried again at the clock's time.
    pool.settle([]);
    expect(pool.pendingBlock({ height: 1, time: 1_001 }, 10)?.included).toHaveLength(2);
  });
});
