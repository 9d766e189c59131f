import { BPS, ceilDiv, collateralRequired, minBig } from '../money.js';
import { bucketOf } from '../state/book.js';
import type { MarketState } from '../state/market-state.js';
import type { BorrowRequest, LendOffer } from '../state/records.js';
import type { BlockContext } from '../txs/definition.js';
import { closeOrder } from './close.js';
import { commitToRequest, hasRoomForLender, takeFromOffer } from './fill.js';

/**
 * Crossing orders match at once, deterministically: only within one bucket (asset, term,
 * schedule, installments), best rate first, then oldest, at the resting order's rate, never
 * between two orders of one account, never with an expired order, and only where the
 * request's collateral meets the offer's requirement.
 */

/** Whether a request's collateral meets an offer's requirement, over the request's whole amount. */
export function collateralMeets(state: MarketState, offer: LendOffer, request: BorrowRequest): boolean {
  if (!offer.collateral) return true;
  if (!request.collateral || request.collateral.asset !== offer.collateral.asset) return false;
  const principalDecimals = BigInt(state.requireAsset(request.asset).decimals);
  const collateralDecimals = BigInt(state.requireAsset(request.collateral.asset).decimals);
  return request.collateral.amount * BPS * 10n ** principalDecimals >= BigInt(offer.collateral.ratioBps) * request.amount * 10n ** collateralDecimals;
}

/** The ticket an offer would lend into a gap of `wanted`, or 0n if its ticket rules forbid it. */
export function ticketFor(offer: LendOffer, wanted: bigint): bigint {
  const ticket = minBig(minBig(offer.remaining, offer.maxTicket), wanted);
  return ticket >= offer.minTicket || ticket === offer.remaining ? ticket : 0n;
}

/** A new lend offer funds resting requests that accept its rate, at each request's rate. */
export function matchNewOffer(state: MarketState, ctx: BlockContext, offerId: number): void {
  let offer = state.order(offerId) as LendOffer;
  let changed = false;
  for (const id of state.book.ranked(bucketOf(offer), 'borrow')) {
    const request = state.order(id);
    if (!request || request.side !== 'borrow') continue;
    if (request.maxAprBps < offer.aprBps) break;
    if (request.owner === offer.owner || request.expiresAt <= ctx.time || !collateralMeets(state, offer, request)) continue;
    if (!hasRoomForLender(state, request, offer.owner)) continue;
    const ticket = ticketFor(offer, request.remaining);
    if (ticket === 0n) continue;
    offer = { ...offer, remaining: offer.remaining - ticket };
    state.putOrder(offer);
    changed = true;
    commitToRequest(state, ctx, request, offer.owner, ticket);
    if (offer.remaining === 0n) {
      closeOrder(state, offer, 'filled');
      return;
    }
  }
  if (changed) state.emit({ type: 'orderChanged', order: offer });
}

interface PlannedTake {
  readonly offer: LendOffer;
  readonly amount: bigint;
  readonly collateral: bigint;
}

/**
 * A new borrow request takes from resting offers at or below its maximum APR, each take a
 * loan at that offer's rate with a proportional part of the request's collateral. A request
 * that does not allow partial funding takes only if the whole amount can be filled at once.
 */
export function matchNewRequest(state: MarketState, ctx: BlockContext, requestId: number): void {
  const request = state.order(requestId) as BorrowRequest;
  const takes = planTakes(state, ctx, request);
  const filled = takes.reduce((sum, take) => sum + take.amount, 0n);
  if (takes.length === 0 || (!request.partial && filled < request.remaining)) return;

  let current = request;
  for (const take of takes) {
    current = {
      ...current,
      remaining: current.remaining - take.amount,
      ...(current.collateral ? { collateral: { ...current.collateral, remaining: current.collateral.remaining - take.collateral } } : {}),
    };
    state.putOrder(current);
    const collateral = current.collateral && take.collateral > 0n ? { asset: current.collateral.asset, amount: take.collateral } : undefined;
    takeFromOffer(state, ctx, take.offer, current.owner, take.amount, collateral);
  }
  if (current.remaining === 0n) closeOrder(state, current, 'filled');
  else state.emit({ type: 'orderChanged', order: current });
}

function planTakes(state: MarketState, ctx: BlockContext, request: BorrowRequest): PlannedTake[] {
  const takes: PlannedTake[] = [];
  let wanted = request.remaining;
  let collateralLeft = request.collateral?.remaining ?? 0n;
  for (const id of state.book.ranked(bucketOf(request), 'lend')) {
    if (wanted === 0n) break;
    const offer = state.order(id);
    if (!offer || offer.side !== 'lend') continue;
    if (offer.aprBps > request.maxAprBps) break;
    if (offer.owner === request.owner || offer.expiresAt <= ctx.time || !collateralMeets(state, offer, request)) continue;
    const amount = ticketFor(offer, wanted);
    if (amount === 0n) continue;
    let collateral = 0n;
    if (request.collateral) {
      collateral = amount === wanted ? collateralLeft : minBig(collateralLeft, ceilDiv(request.collateral.amount * amount, request.amount));
    }
    if (offer.collateral) {
      const principalDecimals = state.requireAsset(request.asset).decimals;
      const collateralDecimals = state.requireAsset(offer.collateral.asset).decimals;
      if (collateral < collateralRequired(amount, offer.collateral.ratioBps, principalDecimals, collateralDecimals)) continue;
    }
    takes.push({ offer, amount, collateral });
    wanted -= amount;
    collateralLeft -= collateral;
  }
  return takes;
}
