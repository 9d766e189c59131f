import { accountId, assetId, integer, object, oneOf, positiveAmount, type Decoder } from '../codec/schema.js';
import { refuse } from '../errors.js';
import { BPS, ceilDiv, MAX_AMOUNT } from '../money.js';
import { SECONDS_PER_YEAR } from '../params.js';
import type { MarketState } from '../state/market-state.js';
import type { LoanTerms } from '../state/records.js';
import { isValidAccountId } from '../tx/keys.js';
import type { BlockContext } from './definition.js';

/** An account that receives funds: refused unless it is a key someone can sign with. */
export const recipient: Decoder<string> = (value, path) => {
  const account = accountId(value, path);
  if (!isValidAccountId(account)) refuse('BAD_PUBLIC_KEY', `${path} is not an acceptable ed25519 public key`, { field: path });
  return account;
};

/** APR in basis points, up to 1,000 %. */
export const aprBps = integer(0, 100_000);
/** A time in seconds of block time. */
export const timestamp = integer(0, 2 ** 40);

/** The loan terms every order carries. */
export const termsFields = {
  asset: assetId,
  term: integer(1, 2 ** 32),
  schedule: oneOf('amortizing', 'bullet'),
  installments: integer(1, 1000),
} as const;

export const orderIdBody = object({ orderId: integer(1, Number.MAX_SAFE_INTEGER) });
export const loanIdBody = object({ loanId: integer(1, Number.MAX_SAFE_INTEGER) });
export const assetAmountBody = object({ asset: assetId, amount: positiveAmount });

/**
 * Refuses an order whose loans could owe more than MAX_AMOUNT in all: the principal, plus
 * simple interest on the whole principal for the whole term (which bounds both schedules'
 * interest), plus a unit of rounding per installment, plus the late fee on all of it.
 */
export function checkRepayableFits(state: MarketState, amount: bigint, aprBps: number, terms: LoanTerms): void {
  const interest = ceilDiv(amount * BigInt(aprBps) * BigInt(terms.term), BPS * BigInt(SECONDS_PER_YEAR));
  const due = amount + interest + BigInt(terms.installments);
  const bound = due + ceilDiv(due * BigInt(state.params().lateFeeBps), BPS);
  if (bound > MAX_AMOUNT) {
    refuse('AMOUNT_OUT_OF_RANGE', `a loan of ${amount} at ${aprBps} bps over ${terms.term} s could owe more than ${MAX_AMOUNT}`, { max: MAX_AMOUNT.toString() });
  }
}

/** Refuses terms this network does not allow, and an expiry not in the future. */
export function checkTerms(state: MarketState, ctx: BlockContext, terms: LoanTerms & { readonly expiresAt: number }): void {
  const params = state.params();
  state.requireAsset(terms.asset);
  if (terms.term < params.minTerm || terms.term > params.maxTerm) {
    refuse('INVALID_TERMS', `the term must be from ${params.minTerm} to ${params.maxTerm} seconds`, { min: params.minTerm, max: params.maxTerm });
  }
  if (terms.installments > params.maxInstallments) {
    refuse('INVALID_TERMS', `at most ${params.maxInstallments} installments`, { max: params.maxInstallments });
  }
  if (terms.term % terms.installments !== 0) {
    refuse('INVALID_TERMS', 'the term must divide evenly into the installments', { term: terms.term, installments: terms.installments });
  }
  if (terms.expiresAt <= ctx.time) refuse('EXPIRY_IN_PAST', 'the expiry must be after the block time', { expiresAt: terms.expiresAt, time: ctx.time });
}

/** Refuses a new order beyond the account's open-order limit. */
export function checkOrderLimit(state: MarketState, owner: string): void {
  const limit = state.params().maxOpenOrdersPerAccount;
  if (state.account(owner).openOrders >= limit) refuse('TOO_MANY_ORDERS', `an account may have at most ${limit} open orders`, { limit });
}

/** Refuses a spend above the balance. */
export function checkFunds(state: MarketState, account: string, asset: string, needed: bigint): void {
  const available = state.balance(account, asset);
  if (available < needed) {
    refuse('INSUFFICIENT_FUNDS', `the account holds ${available} ${asset} and needs ${needed}`, {
      account,
      asset,
      needed: needed.toString(),
      available: available.toString(),
    });
  }
}
