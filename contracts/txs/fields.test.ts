import { describe, expect, it } from 'vitest';
import { MAX_AMOUNT } from '../money.js';
import { genesisState, processTransaction } from '../machine.js';
import { testGenesis, testKey, testState, Wallets } from '../test/fixtures.js';

describe('an order whose loans could owe more than the maximum amount', () => {
  it('is refused with AMOUNT_OUT_OF_RANGE and changes nothing', () => {
    const lender = testKey('whale');
    const state = testState({ allocations: [{ account: lender.account, asset: 'USD', amount: MAX_AMOUNT / 2n }] });
    const w = new Wallets();
    const offer = (amount: bigint) =>
      w.sign(lender, 'post-lend-offer', {
        asset: 'USD', amount, minTicket: 1n, maxTicket: amount, aprBps: 100_000, term: 5 * 31_536_000,
        schedule: 'bullet', installments: 5, expiresAt: 10_000,
      });
    // 2^63 at 1000 % for five years owes about 51 times the principal: far above 2^64 − 1.
    const refused = processTransaction(state, { height: 1, time: 1 }, offer(MAX_AMOUNT / 2n).encoded);
    expect(refused.ok ? undefined : refused.refusal.code).toBe('AMOUNT_OUT_OF_RANGE');
    expect(state.account(lender.account).nonce).toBe(0n);
  });

  it('accepts the same terms on an amount whose total stays in range', () => {
    const lender = testKey('whale');
    const state = testState({ allocations: [{ account: lender.account, asset: 'USD', amount: 10n ** 15n }] });
    const tx = new Wallets().sign(lender, 'post-lend-offer', {
      asset: 'USD', amount: 10n ** 15n, minTicket: 1n, maxTicket: 10n ** 15n, aprBps: 100_000, term: 5 * 31_536_000,
      schedule: 'bullet', installments: 5, expiresAt: 10_000,
    });
    expect(processTransaction(state, { height: 1, time: 1 }, tx.encoded).ok).toBe(true);
  });
});

describe('genesis', () => {
  it('refuses an issuer that is not an acceptable public key', () => {
    const genesis = testGenesis();
    const smallOrder = '0100000000000000000000000000000000000000000000000000000000000000';
    const assets = genesis.assets.map((asset) => ({ ...asset, issuer: smallOrder }));
    expect(() => genesisState({ ...genesis, assets })).toThrow(expect.objectContaining({ code: 'BAD_FIELD' }));
  });
});
