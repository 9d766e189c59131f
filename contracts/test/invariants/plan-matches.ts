/** Planning the transactions that meet an order: take an offer, fund a request, accept funding. */
import type { MarketState } from '../../state/market-state.js';
import type { LendOffer, Order } from '../../state/records.js';
import type { ActionOf } from './actions.js';
import { actorFor, actorOfAccount, atLeastOne, finish, pct, pick, type Planned, type RunContext } from './planned.js';
import type { Actor } from './signing.js';
import { openOrders } from './state-queries.js';

/** Some order of `side`: usually an open one, sometimes an id that is closed or never was. */
function pickOrderId(run: RunContext, side: Order['side'], index: number): number {
  const open = openOrders(run.state).filter((o) => o.side === side);
  if (index % 10 === 9 || open.length === 0) return 1 + (index % (run.state.counters().nextOrderId + 1));
  return (pick(open, index) as Order).id;
}

/** Open requests some lender has begun to fund. */
function fundedRequests(state: MarketState): Order[] {
  return openOrders(state).filter((o) => o.side === 'borrow' && o.commitments.length > 0);
}

/** As much of a lend offer as the borrower's collateral covers, within the ticket range. */
function affordable(state: MarketState, offer: LendOffer, borrower: Actor): bigint {
  const amount = offer.maxTicket < offer.remaining ? offer.maxTicket : offer.remaining;
  if (!offer.collateral) return amount;
  const principalDecimals = BigInt(state.requireAsset(offer.asset).decimals);
  const collateralDecimals = BigInt(state.requireAsset(offer.collateral.asset).decimals);
  const held = state.balance(borrower.key.account, offer.collateral.asset);
  const covered = (held * 10_000n * 10n ** principalDecimals) / (BigInt(offer.collateral.ratioBps) * 10n ** collateralDecimals);
  return covered < amount ? covered : amount;
}

function takeAmount(state: MarketState, offer: LendOffer, borrower: Actor, a: ActionOf<'take'>): bigint {
  switch (a.mode) {
    case 'percent':
      return pct(offer.remaining, a.percent);
    case 'remaining':
      return offer.remaining;
    case 'min':
      return offer.minTicket;
    case 'max':
      return offer.maxTicket;
    case 'over':
      return offer.remaining + 1n;
    case 'affordable':
      return affordable(state, offer, borrower);
  }
}

export function planTake(run: RunContext, a: ActionOf<'take'>): Planned {
  const orderId = pickOrderId(run, 'lend', a.pick);
  const offer = run.state.order(orderId);
  const signer = actorFor(run, a.who);
  const amount = offer && offer.side === 'lend' ? takeAmount(run.state, offer, signer, a) : 1n;
  return finish(run, signer, 'take-offer', { orderId, amount: atLeastOne(amount) }, a.tamper);
}

export function planFund(run: RunContext, a: ActionOf<'fund'>): Planned {
  // half the time a request that lenders have already begun to fund, so that loans get several lenders
  const begun = fundedRequests(run.state);
  const orderId = a.pick % 2 === 0 && begun.length > 0 ? (pick(begun, a.pick >> 1) as Order).id : pickOrderId(run, 'borrow', a.pick);
  const request = run.state.order(orderId);
  const signer = actorFor(run, a.who);
  let amount = 1n;
  if (request && request.side === 'borrow') {
    amount = a.mode === 'remaining' ? request.remaining : a.mode === 'over' ? request.remaining + 1n : pct(request.remaining, a.percent);
    const held = run.state.balance(signer.key.account, request.asset);
    if (a.mode === 'percent' && amount > held && held > 0n) amount = held;
  }
  return finish(run, signer, 'fund-request', { orderId, amount: atLeastOne(amount) }, a.tamper);
}

export function planAccept(run: RunContext, a: ActionOf<'accept'>): Planned {
  // mostly a request some lender has funded, which its owner may accept if it allows partial funding
  const funded = fundedRequests(run.state);
  const orderId = a.own && funded.length > 0 ? (pick(funded, a.pick) as Order).id : pickOrderId(run, 'borrow', a.pick);
  const request = run.state.order(orderId);
  const owner = a.own && request ? actorOfAccount(run, request.owner) : undefined;
  return finish(run, owner ?? actorFor(run, a.who), 'accept-funding', { orderId }, a.tamper);
}
