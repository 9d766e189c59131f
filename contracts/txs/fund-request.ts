import { integer, object, positiveAmount } from '../codec/schema.js';
import { refuse } from '../errors.js';
import { commitToRequest, hasRoomForLender } from '../orders/fill.js';
import { requireCounterparty } from '../orders/lookup.js';
import { defineTx } from './definition.js';
import { checkFunds } from './fields.js';

const fundRequestBody = object({ orderId: integer(1, Number.MAX_SAFE_INTEGER), amount: positiveAmount });

/**
 * A lender funds all or part of a borrow request at the request's rate. The funds wait in
 * escrow with the request; when it is fully funded the loan is made, with every lender
 * holding a share in proportion to what it funded.
 */
export const fundRequest = defineTx({
  type: 'fund-request',
  body: fundRequestBody,
  verify(state, ctx, { signer, body }) {
    const request = requireCounterparty(state, ctx, body.orderId, 'borrow', signer);
    if (body.amount > request.remaining) {
      refuse('EXCEEDS_REMAINING', `request ${request.id} needs ${request.remaining} more`, { remaining: request.remaining.toString() });
    }
    if (!hasRoomForLender(state, request, signer)) {
      refuse('LENDER_LIMIT', `a loan may have at most ${state.params().maxLendersPerLoan} lenders`, { max: state.params().maxLendersPerLoan });
    }
    checkFunds(state, signer, request.asset, body.amount);
  },
  execute(state, ctx, { signer, body }) {
    const request = requireCounterparty(state, ctx, body.orderId, 'borrow', signer);
    state.addBalance(signer, request.asset, -body.amount);
    commitToRequest(state, ctx, request, signer, body.amount);
  },
});
