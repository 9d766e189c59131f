import { refuse } from '../errors.js';
import { closeOrder } from '../orders/close.js';
import { requireOrder } from '../orders/lookup.js';
import { defineTx } from './definition.js';
import { orderIdBody } from './fields.js';

/** The owner takes an order off the book; its escrow goes back where it came from. */
export const cancelOrder = defineTx({
  type: 'cancel-order',
  body: orderIdBody,
  verify(state, _ctx, { signer, body }) {
    const order = requireOrder(state, body.orderId);
    if (order.owner !== signer) refuse('NOT_ORDER_OWNER', `order ${body.orderId} belongs to another account`, { orderId: body.orderId });
  },
  execute(state, _ctx, { body }) {
    closeOrder(state, requireOrder(state, body.orderId), 'cancelled');
  },
});
