/** matching.json: taking offers, funding requests, and new orders crossing the book. */
import type { VectorCase } from '../vector-format.js';
import { type Scenario, scenario } from './scenario.js';
import { alice, bob, borrowRequest, carol, COL, eventsOf, expectBalances, lendOffer, market, MONTH, T0, USD } from './shared.js';

/** The book of the last two cases: 300 USD at 8 % (Alice), 200 at 9 % and 500 at 11 % (Carol), so 500 USD at or below 10 %. */
function postBookWith500UpToTenPercent(s: Scenario): void {
  s.block(
    T0,
    s.sign(alice, 'post-lend-offer', lendOffer({ amount: 300n * USD, aprBps: 800 })),
    s.sign(carol, 'post-lend-offer', lendOffer({ amount: 200n * USD, aprBps: 900 })),
    s.sign(carol, 'post-lend-offer', lendOffer({ amount: 500n * USD, aprBps: 1100 })),
  );
}

export const matchingCases = (): VectorCase[] => [
  scenario(
    'take-part-of-an-offer',
    'Bob takes 400 USD of a 1,000 USD offer asking 1.5 COL per USD: he locks 600 COL and the offer keeps 600 USD.',
    market(),
    (s) => {
      s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 1_000n * USD, aprBps: 1200, minTicket: 100n * USD, collateral: { asset: 'COL', ratioBps: 15_000 } })));
      s.tx(T0 + 100, s.sign(bob, 'take-offer', { orderId: 1, amount: 400n * USD }));
      s.expect('offer 1 remaining', s.order(1)?.remaining, 600_000_000n);
      s.expect('loan 1 principal', s.loan(1).principal, 400_000_000n);
      s.expect('loan 1 collateral', s.loan(1).collateral, { asset: 'COL', amount: 60_000_000_000n });
      s.expect('loan 1 plan', s.loan(1).plan, [
        { due: T0 + 100 + MONTH, principal: 0n, interest: 4_000_000n },
        { due: T0 + 100 + 2 * MONTH, principal: 0n, interest: 4_000_000n },
        { due: T0 + 100 + 3 * MONTH, principal: 400_000_000n, interest: 4_000_000n },
      ]);
      expectBalances(s, [bob, 'USD', 500_000_000n], [bob, 'COL', 40_000_000_000n]);
    },
  ),
  scenario(
    'offer-ticket-bounds',
    'An offer of 1,000 USD lends 300 to 800 at a time: Bob takes the maximum 800, then the 200 left, below the minimum but the whole remainder.',
    market(),
    (s) => {
      s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 1_000n * USD, aprBps: 900, minTicket: 300n * USD, maxTicket: 800n * USD })));
      s.tx(T0 + 10, s.sign(bob, 'take-offer', { orderId: 1, amount: 800n * USD }));
      const last = s.tx(T0 + 20, s.sign(bob, 'take-offer', { orderId: 1, amount: 200n * USD }));
      s.expect('offer closed as filled', eventsOf(last, 'orderClosed')[0]?.reason, 'filled');
      s.expect('loan principals', [s.loan(1).principal, s.loan(2).principal], [800_000_000n, 200_000_000n]);
      s.expect('Alice open orders', s.state.account(alice.account).openOrders, 0);
      s.expect('Bob loans taken', s.credit(bob).loansTaken, 2);
    },
  ),
  scenario(
    'request-funded-by-two-lenders',
    'Bob asks 900 USD (all or nothing) against 1,000 COL; Alice funds 300, Carol 600, and the loan is made with shares 300/600.',
    market(),
    (s) => {
      s.block(T0, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 900n * USD, maxAprBps: 1200, partial: false, collateral: { asset: 'COL', amount: 1_000n * COL } })));
      const first = s.tx(T0 + 10, s.sign(alice, 'fund-request', { orderId: 1, amount: 300n * USD }));
      s.expect('no loan after the first lender', eventsOf(first, 'loanOriginated').length, 0);
      s.tx(T0 + 20, s.sign(carol, 'fund-request', { orderId: 1, amount: 600n * USD }));
      s.expect('loan 1 shares', s.loan(1).shares, [
        { lender: alice.account, principal: 300_000_000n },
        { lender: carol.account, principal: 600_000_000n },
      ]);
      s.expect('loan 1 rate', s.loan(1).aprBps, 1200);
      s.expect('loan 1 collateral', s.loan(1).collateral?.amount, 100_000_000_000n);
      expectBalances(s, [bob, 'USD', 1_000_000_000n], [alice, 'USD', 9_700_000_000n]);
      s.expect('request 1', s.order(1), undefined);
    },
  ),
  scenario(
    'accept-funding-of-a-partial-request',
    'Bob asks 1,000 USD (partial allowed) against 800 COL; Alice funds 250 and Bob accepts: a 250 USD loan locking 200 COL, the other 600 COL returned.',
    market(),
    (s) => {
      s.block(T0, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 1_000n * USD, maxAprBps: 1100, partial: true, collateral: { asset: 'COL', amount: 800n * COL } })));
      s.block(T0 + 10, s.sign(alice, 'fund-request', { orderId: 1, amount: 250n * USD }));
      const events = s.tx(T0 + 20, s.sign(bob, 'accept-funding', { orderId: 1 }));
      s.expect('request closed as accepted', eventsOf(events, 'orderClosed')[0]?.reason, 'accepted');
      s.expect('loan 1 principal', s.loan(1).principal, 250_000_000n);
      s.expect('loan 1 collateral', s.loan(1).collateral?.amount, 20_000_000_000n);
      expectBalances(s, [bob, 'COL', 80_000_000_000n], [bob, 'USD', 350_000_000n]);
    },
  ),
  scenario(
    'new-offer-crosses-resting-requests',
    'Requests rest at 10 % (300 USD), 15 % (200 USD) and 8 % (100 USD). A 600 USD offer at 9 % funds the 15 % request, then the 10 % one, each at the request’s rate; the 8 % one does not cross and 100 USD of the offer rests.',
    market(),
    (s) => {
      s.block(
        T0,
        s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 300n * USD, maxAprBps: 1000, partial: true })),
        s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 200n * USD, maxAprBps: 1500, partial: true })),
        s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 100n * USD, maxAprBps: 800, partial: true })),
      );
      const events = s.tx(T0 + 10, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 600n * USD, aprBps: 900 })));
      const loans = eventsOf(events, 'loanOriginated').map((event) => [event.loan.orderId, event.loan.aprBps, event.loan.principal]);
      s.expect('loans made (order, rate, principal)', loans, [[2, 1500, 200_000_000n], [1, 1000, 300_000_000n]]);
      s.expect('offer 4 remaining', s.order(4)?.remaining, 100_000_000n);
      s.expect('request 3 untouched', s.order(3)?.remaining, 100_000_000n);
      expectBalances(s, [bob, 'USD', 600_000_000n], [alice, 'USD', 9_400_000_000n]);
    },
  ),
  scenario(
    'new-request-crosses-resting-offers',
    'Offers rest at 9 % (Alice, 500), 8 % (Carol, 300), 8 % (Alice, 300) and 12 % (Carol, 500). Bob asks 700 at most 10 %, all or nothing, against 700 COL: he takes the two 8 % offers, oldest first, then 100 of the 9 % one, each at the offer’s rate, with collateral split in proportion (the last take gets what is left).',
    market(),
    (s) => {
      s.block(
        T0,
        s.sign(alice, 'post-lend-offer', lendOffer({ amount: 500n * USD, aprBps: 900 })),
        s.sign(carol, 'post-lend-offer', lendOffer({ amount: 300n * USD, aprBps: 800 })),
        s.sign(alice, 'post-lend-offer', lendOffer({ amount: 300n * USD, aprBps: 800 })),
        s.sign(carol, 'post-lend-offer', lendOffer({ amount: 500n * USD, aprBps: 1200 })),
      );
      const events = s.tx(T0 + 10, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 700n * USD, maxAprBps: 1000, partial: false, collateral: { asset: 'COL', amount: 700n * COL } })));
      const loans = eventsOf(events, 'loanOriginated').map((event) => [event.loan.orderId, event.loan.aprBps, event.loan.principal, event.loan.collateral?.amount]);
      s.expect('loans made (offer, rate, principal, collateral)', loans, [
        [2, 800, 300_000_000n, 30_000_000_000n],
        [3, 800, 300_000_000n, 30_000_000_000n],
        [1, 900, 100_000_000n, 10_000_000_000n],
      ]);
      s.expect('request 5 closed', s.order(5), undefined);
      s.expect('offer 1 remaining', s.order(1)?.remaining, 400_000_000n);
      s.expect('offer 4 untouched', s.order(4)?.remaining, 500_000_000n);
      expectBalances(s, [bob, 'USD', 800_000_000n], [bob, 'COL', 30_000_000_000n]);
    },
  ),
  scenario(
    'all-or-nothing-request-rests-when-it-cannot-fill',
    'Only 500 USD is offered at or below 10 %; Bob’s all-or-nothing request for 600 matches nothing and rests on the book.',
    market(),
    (s) => {
      postBookWith500UpToTenPercent(s);
      const events = s.tx(T0 + 10, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 600n * USD, maxAprBps: 1000, partial: false })));
      s.expect('event types', events.map((event) => event.type), ['orderPosted']);
      s.expect('request 4 remaining', s.order(4)?.remaining, 600_000_000n);
      s.expect('offers untouched', [s.order(1)?.remaining, s.order(2)?.remaining], [300_000_000n, 200_000_000n]);
      expectBalances(s, [bob, 'USD', 100_000_000n]);
    },
  ),
  scenario(
    'partial-request-takes-what-it-can',
    'The same book, but Bob allows partial funding: he takes 300 at 8 % and 200 at 9 %, and 100 USD of his request rests.',
    market(),
    (s) => {
      postBookWith500UpToTenPercent(s);
      s.tx(T0 + 10, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 600n * USD, maxAprBps: 1000, partial: true })));
      s.expect('loan rates', [s.loan(1).aprBps, s.loan(2).aprBps], [800, 900]);
      s.expect('request 4 remaining', s.order(4)?.remaining, 100_000_000n);
      s.expect('offers 1 and 2 closed', [s.order(1), s.order(2)], [undefined, undefined]);
      expectBalances(s, [bob, 'USD', 600_000_000n]);
    },
  ),
];
