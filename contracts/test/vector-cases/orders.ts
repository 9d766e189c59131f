/** orders.json: posting, cancelling and expiring offers and requests. */
import type { VectorCase } from '../vector-format.js';
import { scenario } from './scenario.js';
import { alice, AMORTIZING_3M, bob, borrowRequest, carol, COL, eventsOf, expectBalances, lendOffer, market, T0, USD } from './shared.js';

export const orderCases = (): VectorCase[] => [
  scenario('post-lend-offer-escrows-funds', 'A lend offer takes its whole amount out of the lender’s balance into escrow.', market(), (s) => {
    s.tx(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 1_000n * USD, aprBps: 1200, minTicket: 100n * USD, maxTicket: 500n * USD, collateral: { asset: 'COL', ratioBps: 15_000 } })));
    expectBalances(s, [alice, 'USD', 9_000_000_000n]);
    s.expect('offer 1 remaining', s.order(1)?.remaining, 1_000_000_000n);
    s.expect('Alice open orders', s.state.account(alice.account).openOrders, 1);
  }),
  scenario('post-borrow-request-escrows-collateral', 'A borrow request escrows the collateral it offers; no lender money moves yet.', market(), (s) => {
    s.tx(T0, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 500n * USD, maxAprBps: 1500, partial: true, collateral: { asset: 'COL', amount: 600n * COL }, terms: AMORTIZING_3M })));
    expectBalances(s, [bob, 'COL', 40_000_000_000n], [bob, 'USD', 100_000_000n]);
    s.expect('request 1 remaining', s.order(1)?.remaining, 500_000_000n);
  }),
  scenario('cancel-offer-returns-remaining-escrow', 'Bob took 200 USD of Alice’s 1,000 USD offer; Alice cancels and gets the 800 left.', market(), (s) => {
    s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 1_000n * USD, aprBps: 1000 })));
    s.block(T0 + 10, s.sign(bob, 'take-offer', { orderId: 1, amount: 200n * USD }));
    s.tx(T0 + 20, s.sign(alice, 'cancel-order', { orderId: 1 }));
    expectBalances(s, [alice, 'USD', 9_800_000_000n]);
    s.expect('offer 1', s.order(1), undefined);
    s.expect('Alice open orders', s.state.account(alice.account).openOrders, 0);
  }),
  scenario('cancel-request-returns-commitments-and-collateral', 'Alice committed 300 USD to Bob’s partial request; Bob cancels: Alice gets her 300 back, Bob his collateral.', market(), (s) => {
    s.block(T0, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 1_000n * USD, maxAprBps: 1200, partial: true, collateral: { asset: 'COL', amount: 800n * COL } })));
    s.block(T0 + 10, s.sign(alice, 'fund-request', { orderId: 1, amount: 300n * USD }));
    s.tx(T0 + 20, s.sign(bob, 'cancel-order', { orderId: 1 }));
    expectBalances(s, [alice, 'USD', 10_000_000_000n], [bob, 'COL', 100_000_000_000n]);
    s.expect('request 1', s.order(1), undefined);
  }),
  scenario(
    'expiry-returns-escrow-at-end-of-block',
    'An offer and a request (with Carol’s commitment) expire at T0+3600: nothing at 3599, both close at the end of the block at 3600, offer first (lower id).',
    market(),
    (s) => {
      s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 1_000n * USD, aprBps: 1000, expiresAt: T0 + 3600 })));
      s.block(T0 + 10, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 500n * USD, maxAprBps: 1200, partial: true, collateral: { asset: 'COL', amount: 400n * COL }, terms: AMORTIZING_3M, expiresAt: T0 + 3600 })));
      s.block(T0 + 20, s.sign(carol, 'fund-request', { orderId: 2, amount: 100n * USD }));
      s.expect('events before expiry', s.endBlock(T0 + 3599), []);
      const closed = eventsOf(s.endBlock(T0 + 3600), 'orderClosed');
      s.expect('closed orders', closed.map((event) => [event.orderId, event.reason]), [[1, 'expired'], [2, 'expired']]);
      expectBalances(s, [alice, 'USD', 10_000_000_000n], [carol, 'USD', 10_000_000_000n], [bob, 'COL', 100_000_000_000n]);
    },
  ),
];
