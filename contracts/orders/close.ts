import type { MarketEvent } from '../events.js';
import type { MarketState } from '../state/market-state.js';
import type { Order } from '../state/records.js';

type CloseReason = Extract<MarketEvent, { type: 'orderClosed' }>['reason'];

/**
 * Takes an order off the book and returns whatever it still holds in escrow: an offer's
 * remaining funds to the lender; a request's lenders' commitments to each lender and its
 * remaining collateral to the borrower.
 */
export function closeOrder(state: MarketState, order: Order, reason: CloseReason): void {
  if (order.side === 'lend') {
    state.addBalance(order.owner, order.asset, order.remaining);
  } else {
    for (const commitment of order.commitments) state.addBalance(commitment.lender, order.asset, commitment.amount);
    if (order.collateral) state.addBalance(order.owner, order.collateral.asset, order.collateral.remaining);
  }
  state.deleteOrder(order.id);
  const account = state.account(order.owner);
  state.putAccount(order.owner, { ...account, openOrders: account.openOrders - 1 });
  state.emit({ type: 'orderClosed', orderId: order.id, reason });
}
