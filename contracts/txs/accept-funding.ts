import { refuse } from '../errors.js';
import { originateFromRequest } from '../orders/fill.js';
import { requireOrder } from '../orders/lookup.js';
import type { MarketState } from '../state/market-state.js';
import type { BorrowRequest } from '../state/records.js';
import type { BlockContext } from './definition.js';
import { defineTx } from './definition.js';
import { orderIdBody } from './fields.js';

function acceptableRequest(state: MarketState, ctx: BlockContext, signer: string, id: number): BorrowRequest {
  const request = requireOrder(state, id);
  if (request.side !== 'borrow') refuse('WRONG_ORDER_SIDE', `order ${id} is a lend offer`, { orderId: id });
  if (request.owner !== signer) refuse('NOT_ORDER_OWNER', `request ${id} belongs to another account`, { orderId: id });
  if (request.expiresAt <= ctx.time) refuse('OFFER_EXPIRED', `request ${id} expired at ${request.expiresAt}`, { orderId: id, expiresAt: request.expiresAt });
  if (!request.partial) refuse('PARTIAL_NOT_ALLOWED', `request ${id} was posted as all-or-nothing`, { orderId: id });
  if (request.commitments.length === 0) refuse('NOTHING_COMMITTED', `no lender has funded request ${id} yet`, { orderId: id });
  return request;
}

/**
 * The borrower of a request that allows partial funding takes what lenders have committed
 * so far: the loan is made for that amount and the request closes.
 */
export const acceptFunding = defineTx({
  type: 'accept-funding',
  body: orderIdBody,
  verify(state, ctx, { signer, body }) {
    acceptableRequest(state, ctx, signer, body.orderId);
  },
  execute(state, ctx, { signer, body }) {
    originateFromRequest(state, ctx, acceptableRequest(state, ctx, signer, body.orderId), 'accepted');
  },
});
