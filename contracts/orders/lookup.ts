import { refuse } from '../errors.js';
import type { MarketState } from '../state/market-state.js';
import type { BorrowRequest, LendOffer, Order } from '../state/records.js';
import type { BlockContext } from '../txs/definition.js';

export function requireOrder(state: MarketState, id: number): Order {
  return state.order(id) ?? refuse('ORDER_NOT_FOUND', `order ${id} is not open (it may be filled, cancelled or expired)`, { orderId: id });
}

/** An open, unexpired order of one side that someone other than its owner is trading with. */
export function requireCounterparty<S extends Order['side']>(
  state: MarketState,
  ctx: BlockContext,
  id: number,
  side: S,
  signer: string,
): S extends 'lend' ? LendOffer : BorrowRequest {
  const order = requireOrder(state, id);
  if (order.side !== side) refuse('WRONG_ORDER_SIDE', `order ${id} is a ${order.side === 'lend' ? 'lend offer' : 'borrow request'}`, { orderId: id });
  if (order.expiresAt <= ctx.time) refuse('OFFER_EXPIRED', `order ${id} expired at ${order.expiresAt}`, { orderId: id, expiresAt: order.expiresAt });
  if (order.owner === signer) refuse('SELF_MATCH', 'an account cannot lend to itself', { orderId: id });
  return order as S extends 'lend' ? LendOffer : BorrowRequest;
}
