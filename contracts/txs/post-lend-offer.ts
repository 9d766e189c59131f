import { assetId, integer, object, optional, positiveAmount } from '../codec/schema.js';
import { refuse } from '../errors.js';
import { matchNewOffer } from '../orders/matching.js';
import type { LendOffer } from '../state/records.js';
import { defineTx } from './definition.js';
import { aprBps, checkFunds, checkOrderLimit, checkRepayableFits, checkTerms, termsFields, timestamp } from './fields.js';

const lendOfferBody = object({
  ...termsFields,
  amount: positiveAmount,
  minTicket: positiveAmount,
  maxTicket: positiveAmount,
  aprBps,
  collateral: optional(object({ asset: assetId, ratioBps: integer(1, 10_000_000) })),
  expiresAt: timestamp,
});

/** A lender offers funds at a rate and terms; the funds are escrowed until taken, cancelled or expired. */
export const postLendOffer = defineTx({
  type: 'post-lend-offer',
  body: lendOfferBody,
  verify(state, ctx, { signer, body }) {
    checkTerms(state, ctx, body);
    checkRepayableFits(state, body.amount, body.aprBps, body);
    if (body.minTicket > body.maxTicket) refuse('INVALID_TERMS', 'the minimum ticket is above the maximum ticket');
    if (body.collateral) {
      state.requireAsset(body.collateral.asset);
      if (body.collateral.asset === body.asset) refuse('INVALID_TERMS', 'collateral must be another asset than the loan');
    }
    checkOrderLimit(state, signer);
    checkFunds(state, signer, body.asset, body.amount);
  },
  execute(state, ctx, { signer, body }) {
    const offer: LendOffer = {
      id: state.nextOrderId(),
      side: 'lend',
      owner: signer,
      asset: body.asset,
      term: body.term,
      schedule: body.schedule,
      installments: body.installments,
      amount: body.amount,
      remaining: body.amount,
      minTicket: body.minTicket,
      maxTicket: body.maxTicket,
      aprBps: body.aprBps,
      ...(body.collateral ? { collateral: { asset: body.collateral.asset, ratioBps: body.collateral.ratioBps } } : {}),
      createdAt: ctx.time,
      expiresAt: body.expiresAt,
    };
    state.addBalance(signer, body.asset, -body.amount);
    const account = state.account(signer);
    state.putAccount(signer, { ...account, openOrders: account.openOrders + 1 });
    state.putOrder(offer);
    state.emit({ type: 'orderPosted', order: offer });
    matchNewOffer(state, ctx, offer.id);
  },
});
