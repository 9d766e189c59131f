import { integer, object, positiveAmount } from '../codec/schema.js';
import { refuse } from '../errors.js';
import { collateralRequired } from '../money.js';
import { takeFromOffer } from '../orders/fill.js';
import { requireCounterparty } from '../orders/lookup.js';
import type { MarketState } from '../state/market-state.js';
import type { LendOffer } from '../state/records.js';
import { defineTx } from './definition.js';

/** The collateral a take of `amount` from this offer must lock, or undefined if it needs none. */
export function collateralForTake(state: MarketState, offer: LendOffer, amount: bigint): { asset: string; amount: bigint } | undefined {
  if (!offer.collateral) return undefined;
  const principalDecimals = state.requireAsset(offer.asset).decimals;
  const collateralDecimals = state.requireAsset(offer.collateral.asset).decimals;
  return { asset: offer.collateral.asset, amount: collateralRequired(amount, offer.collateral.ratioBps, principalDecimals, collateralDecimals) };
}

const takeOfferBody = object({ orderId: integer(1, Number.MAX_SAFE_INTEGER), amount: positiveAmount });

/** A borrower takes all or part of a lend offer at its rate, locking the collateral it asks for. */
export const takeOffer = defineTx({
  type: 'take-offer',
  body: takeOfferBody,
  verify(state, ctx, { signer, body }) {
    const offer = requireCounterparty(state, ctx, body.orderId, 'lend', signer);
    if (body.amount > offer.remaining) {
      refuse('EXCEEDS_REMAINING', `offer ${offer.id} has ${offer.remaining} left`, { remaining: offer.remaining.toString() });
    }
    if (body.amount > offer.maxTicket || (body.amount < offer.minTicket && body.amount !== offer.remaining)) {
      refuse('TICKET_OUT_OF_RANGE', `offer ${offer.id} lends from ${offer.minTicket} to ${offer.maxTicket} at a time`, {
        min: offer.minTicket.toString(),
        max: offer.maxTicket.toString(),
      });
    }
    const collateral = collateralForTake(state, offer, body.amount);
    if (collateral) {
      const available = state.balance(signer, collateral.asset);
      if (available < collateral.amount) {
        refuse('INSUFFICIENT_COLLATERAL', `the loan needs ${collateral.amount} ${collateral.asset} of collateral and the account holds ${available}`, {
          asset: collateral.asset,
          needed: collateral.amount.toString(),
          available: available.toString(),
        });
      }
    }
  },
  execute(state, ctx, { signer, body }) {
    const offer = requireCounterparty(state, ctx, body.orderId, 'lend', signer);
    const collateral = collateralForTake(state, offer, body.amount);
    if (collateral) state.addBalance(signer, collateral.asset, -collateral.amount);
    takeFromOffer(state, ctx, offer, signer, body.amount, collateral);
  },
});
