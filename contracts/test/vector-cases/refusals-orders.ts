/** refusals-orders.json: orders refused for their terms, their owner, the book's limits or what is left of them. */
import type { KeyPair } from '../../tx/keys.js';
import type { VectorCase } from '../vector-format.js';
import { refusal, type Scenario } from './scenario.js';
import { alice, bob, borrowRequest, carol, COL, LENDING_FUNDS, lendOffer, market, type OfferFields, type RequestFields, T0, USD } from './shared.js';

/** The orders most of these cases start from: 100 USD at 10 %. */
const SMALL_OFFER = { amount: 100n * USD, aprBps: 1000 };
const SMALL_REQUEST = { amount: 100n * USD, maxAprBps: 1000, partial: true };
/** An offer lending 300 to 800 of its 1,000 USD at a time. */
const TICKETED_OFFER = { amount: 1_000n * USD, aprBps: 900, minTicket: 300n * USD, maxTicket: 800n * USD };

/** A refusal's setup: Alice's offer is order 1, posted in a pre block at T0; then `wire` is refused. */
const afterOffer =
  (offer: OfferFields, wire: (s: Scenario) => string) =>
  (s: Scenario): string => {
    s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer(offer)));
    return wire(s);
  };

/** A refusal's setup: Bob's request is order 1, posted in a pre block at T0; then `wire` is refused. */
const afterRequest =
  (request: RequestFields, wire: (s: Scenario) => string) =>
  (s: Scenario): string => {
    s.block(T0, s.sign(bob, 'post-borrow-request', borrowRequest(request)));
    return wire(s);
  };

/** `key` takes `amount` of offer 1. */
const takeOffer1 = (s: Scenario, key: KeyPair, amount: bigint): string => s.sign(key, 'take-offer', { orderId: 1, amount });

export const orderRefusals = (): VectorCase[] => [
  refusal('term-below-minimum', 'A 30-second term where the network’s minimum is 60.', market(), T0, 'INVALID_TERMS', (s) =>
    s.sign(alice, 'post-lend-offer', { ...lendOffer(SMALL_OFFER), term: 30, installments: 1 }),
  ),
  refusal('term-not-divisible-by-installments', 'A 100-second term in 3 installments.', market(), T0, 'INVALID_TERMS', (s) =>
    s.sign(bob, 'post-borrow-request', { ...borrowRequest(SMALL_REQUEST), term: 100, installments: 3 }),
  ),
  refusal('collateral-in-the-loan-asset', 'An offer asking for USD collateral on a USD loan.', market(), T0, 'INVALID_TERMS', (s) =>
    s.sign(alice, 'post-lend-offer', lendOffer({ ...SMALL_OFFER, collateral: { asset: 'USD', ratioBps: 10_000 } })),
  ),
  refusal('expiry-not-in-the-future', 'An offer expiring at the block time itself.', market(), T0, 'EXPIRY_IN_PAST', (s) => s.sign(alice, 'post-lend-offer', lendOffer({ ...SMALL_OFFER, expiresAt: T0 }))),
  refusal(
    'open-order-limit',
    'With at most one open order per account, Alice posts a second offer.',
    market(LENDING_FUNDS, { maxOpenOrdersPerAccount: 1 }),
    T0 + 10,
    'TOO_MANY_ORDERS',
    afterOffer(SMALL_OFFER, (s) => s.sign(alice, 'post-lend-offer', lendOffer({ ...SMALL_OFFER, aprBps: 1100 }))),
  ),
  refusal('offer-above-balance', 'Alice offers more USD than she holds.', market(), T0, 'INSUFFICIENT_FUNDS', (s) => s.sign(alice, 'post-lend-offer', lendOffer({ ...SMALL_OFFER, amount: 10_000n * USD + 1n }))),
  refusal('request-collateral-above-balance', 'Bob offers more COL than he holds as collateral.', market(), T0, 'INSUFFICIENT_FUNDS', (s) =>
    s.sign(bob, 'post-borrow-request', borrowRequest({ ...SMALL_REQUEST, collateral: { asset: 'COL', amount: 1_000n * COL + 1n } })),
  ),
  refusal('cancel-unknown-order', 'There is no order 7.', market(), T0, 'ORDER_NOT_FOUND', (s) => s.sign(alice, 'cancel-order', { orderId: 7 })),
  refusal(
    'take-expired-offer',
    'The offer expires at T0+3600; Bob takes it in the block at T0+3600, before the end-of-block rule closes it.',
    market(),
    T0 + 3600,
    'OFFER_EXPIRED',
    afterOffer({ ...SMALL_OFFER, expiresAt: T0 + 3600 }, (s) => takeOffer1(s, bob, 50n * USD)),
  ),
  refusal('take-a-request', 'take-offer names a borrow request.', market(), T0 + 10, 'WRONG_ORDER_SIDE', afterRequest(SMALL_REQUEST, (s) => takeOffer1(s, carol, 50n * USD))),
  refusal('cancel-someone-elses-order', 'Bob tries to cancel Alice’s offer.', market(), T0 + 10, 'NOT_ORDER_OWNER', afterOffer(SMALL_OFFER, (s) => s.sign(bob, 'cancel-order', { orderId: 1 }))),
  refusal('take-own-offer', 'Alice tries to borrow from her own offer.', market(), T0 + 10, 'SELF_MATCH', afterOffer(SMALL_OFFER, (s) => takeOffer1(s, alice, 50n * USD))),
  refusal('take-below-minimum-ticket', 'The offer lends 300 to 800 at a time; Bob asks 299.', market(), T0 + 10, 'TICKET_OUT_OF_RANGE', afterOffer(TICKETED_OFFER, (s) => takeOffer1(s, bob, 299n * USD))),
  refusal('take-above-maximum-ticket', 'The offer lends 300 to 800 at a time; Bob asks 801.', market(), T0 + 10, 'TICKET_OUT_OF_RANGE', afterOffer(TICKETED_OFFER, (s) => takeOffer1(s, bob, 801n * USD))),
  refusal('take-more-than-remains', 'The offer has 100 USD; Bob asks 101.', market(), T0 + 10, 'EXCEEDS_REMAINING', afterOffer(SMALL_OFFER, (s) => takeOffer1(s, bob, 101n * USD))),
  refusal('fund-more-than-remains', 'The request needs 100 USD; Alice funds 101.', market(), T0 + 10, 'EXCEEDS_REMAINING', afterRequest(SMALL_REQUEST, (s) => s.sign(alice, 'fund-request', { orderId: 1, amount: 101n * USD }))),
  refusal(
    'take-without-enough-collateral',
    'The offer asks 1.5 COL per USD; 700 USD needs 1,050 COL and Bob holds 1,000.',
    market(),
    T0 + 10,
    'INSUFFICIENT_COLLATERAL',
    afterOffer({ amount: 1_000n * USD, aprBps: 1000, collateral: { asset: 'COL', ratioBps: 15_000 } }, (s) => takeOffer1(s, bob, 700n * USD)),
  ),
  refusal(
    'one-lender-too-many',
    'With at most one lender per loan, Carol funds a request Alice already funded.',
    market(LENDING_FUNDS, { maxLendersPerLoan: 1 }),
    T0 + 20,
    'LENDER_LIMIT',
    afterRequest({ amount: 500n * USD, maxAprBps: 1000, partial: true }, (s) => {
      s.block(T0 + 10, s.sign(alice, 'fund-request', { orderId: 1, amount: 100n * USD }));
      return s.sign(carol, 'fund-request', { orderId: 1, amount: 100n * USD });
    }),
  ),
  refusal(
    'accept-all-or-nothing-request',
    'Bob accepts partial funding of a request he posted as all or nothing.',
    market(),
    T0 + 20,
    'PARTIAL_NOT_ALLOWED',
    afterRequest({ amount: 500n * USD, maxAprBps: 1000, partial: false }, (s) => {
      s.block(T0 + 10, s.sign(alice, 'fund-request', { orderId: 1, amount: 100n * USD }));
      return s.sign(bob, 'accept-funding', { orderId: 1 });
    }),
  ),
  refusal(
    'accept-with-nothing-committed',
    'Bob accepts the funding of a request no lender has funded.',
    market(),
    T0 + 10,
    'NOTHING_COMMITTED',
    afterRequest({ amount: 500n * USD, maxAprBps: 1000, partial: true }, (s) => s.sign(bob, 'accept-funding', { orderId: 1 })),
  ),
];
