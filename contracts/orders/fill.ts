import { originateLoan } from '../loans/originate.js';
import { ceilDiv, minBig } from '../money.js';
import type { MarketState } from '../state/market-state.js';
import type { BorrowRequest, Commitment, LendOffer, Loan, LoanTerms, Order } from '../state/records.js';
import type { BlockContext } from '../txs/definition.js';
import { closeOrder } from './close.js';

export function termsOf(order: Order): LoanTerms {
  return { asset: order.asset, term: order.term, schedule: order.schedule, installments: order.installments };
}

/**
 * A borrower takes `amount` of an offer: a loan at the offer's rate with the offer's owner
 * as its one lender, funded from the offer's escrow. The collateral must already be out of
 * the borrower's hands.
 */
export function takeFromOffer(
  state: MarketState,
  ctx: BlockContext,
  offer: LendOffer,
  borrower: string,
  amount: bigint,
  collateral: { readonly asset: string; readonly amount: bigint } | undefined,
): Loan {
  const updated: LendOffer = { ...offer, remaining: offer.remaining - amount };
  state.putOrder(updated);
  if (updated.remaining === 0n) closeOrder(state, updated, 'filled');
  else state.emit({ type: 'orderChanged', order: updated });
  return originateLoan(state, ctx, {
    borrower,
    terms: termsOf(offer),
    aprBps: offer.aprBps,
    orderId: offer.id,
    lenders: [{ lender: offer.owner, amount }],
    ...(collateral ? { collateral } : {}),
  });
}

/** Whether one more lender may join this request's loan. */
export function hasRoomForLender(state: MarketState, request: BorrowRequest, lender: string): boolean {
  return request.commitments.some((c) => c.lender === lender) || request.commitments.length < state.params().maxLendersPerLoan;
}

/**
 * A lender commits `amount` to a request, at the request's rate. The funds must already be
 * out of the lender's balance. When the request is fully funded, its loan is made.
 */
export function commitToRequest(state: MarketState, ctx: BlockContext, request: BorrowRequest, lender: string, amount: bigint): void {
  const commitments: Commitment[] = [...request.commitments];
  const at = commitments.findIndex((c) => c.lender === lender);
  if (at >= 0) commitments[at] = { lender, amount: (commitments[at] as Commitment).amount + amount };
  else commitments.push({ lender, amount });
  const updated: BorrowRequest = { ...request, remaining: request.remaining - amount, commitments };
  state.putOrder(updated);
  state.emit({ type: 'committed', requestId: request.id, lender, amount });
  if (updated.remaining === 0n) originateFromRequest(state, ctx, updated, 'filled');
  else state.emit({ type: 'orderChanged', order: updated });
}

/**
 * Makes the loan of a request from its lenders' commitments and closes the request. A fully
 * funded request locks all its remaining collateral; a partly funded one that the borrower
 * accepts locks its share (rounded up, in the lenders' favour) and returns the rest.
 */
export function originateFromRequest(state: MarketState, ctx: BlockContext, request: BorrowRequest, reason: 'filled' | 'accepted'): Loan {
  const committed = request.commitments.reduce((sum, c) => sum + c.amount, 0n);
  let locked = 0n;
  let remainingRequest = request;
  if (request.collateral) {
    const share = ceilDiv(request.collateral.amount * committed, request.amount);
    locked = request.remaining === 0n ? request.collateral.remaining : minBig(request.collateral.remaining, share);
    remainingRequest = { ...request, collateral: { ...request.collateral, remaining: request.collateral.remaining - locked } };
  }
  remainingRequest = { ...remainingRequest, commitments: [] };
  state.putOrder(remainingRequest);
  const loan = originateLoan(state, ctx, {
    borrower: request.owner,
    terms: termsOf(request),
    aprBps: request.maxAprBps,
    orderId: request.id,
    lenders: request.commitments,
    ...(request.collateral ? { collateral: { asset: request.collateral.asset, amount: locked } } : {}),
  });
  closeOrder(state, remainingRequest, reason);
  return loan;
}
