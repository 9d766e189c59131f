import { assetId, boolean, object, optional, positiveAmount } from '../codec/schema.js';
import { refuse } from '../errors.js';
import { matchNewRequest } from '../orders/matching.js';
import type { BorrowRequest } from '../state/records.js';
import { defineTx } from './definition.js';
import { aprBps, checkFunds, checkOrderLimit, checkRepayableFits, checkTerms, termsFields, timestamp } from './fields.js';

const borrowRequestBody = object({
  ...termsFields,
  amount: positiveAmount,
  maxAprBps: aprBps,
  collateral: optional(object({ asset: assetId, amount: positiveAmount })),
  partial: boolean,
  expiresAt: timestamp,
});

/** A borrower asks for funds up to a rate, escrowing the collateral it offers. */
export const postBorrowRequest = defineTx({
  type: 'post-borrow-request',
  body: borrowRequestBody,
  verify(state, ctx, { signer, body }) {
    checkTerms(state, ctx, body);
    checkRepayableFits(state, body.amount, body.maxAprBps, body);
    if (body.collateral) {
      state.requireAsset(body.collateral.asset);
      if (body.collateral.asset === body.asset) refuse('INVALID_TERMS', 'collateral must be another asset than the loan');
      checkFunds(state, signer, body.collateral.asset, body.collateral.amount);
    }
    checkOrderLimit(state, signer);
  },
  execute(state, ctx, { signer, body }) {
    const request: BorrowRequest = {
      id: state.nextOrderId(),
      side: 'borrow',
      owner: signer,
      asset: body.asset,
      term: body.term,
      schedule: body.schedule,
      installments: body.installments,
      amount: body.amount,
      remaining: body.amount,
      maxAprBps: body.maxAprBps,
      partial: body.partial,
      ...(body.collateral ? { collateral: { asset: body.collateral.asset, amount: body.collateral.amount, remaining: body.collateral.amount } } : {}),
      commitments: [],
      createdAt: ctx.time,
      expiresAt: body.expiresAt,
    };
    if (body.collateral) state.addBalance(signer, body.collateral.asset, -body.collateral.amount);
    const account = state.account(signer);
    state.putAccount(signer, { ...account, openOrders: account.openOrders + 1 });
    state.putOrder(request);
    state.emit({ type: 'orderPosted', order: request });
    matchNewRequest(state, ctx, request.id);
  },
});
