import { MAX_AMOUNT, collateralRequired } from '../../contracts/money';
import { amountOf, formatAmount, parseAmount } from '../lib/amounts';
import type { AssetInfo } from '../wallet/describe';

/** The order fields a take or a funding is checked against (amounts as decimal strings, as the API gives them). */
export interface OrderTerms {
  readonly asset: string;
  readonly remaining: string;
  readonly ticket: { readonly min: string; readonly max: string } | null;
  readonly collateral: { readonly asset: string; readonly ratioBps: number | null } | null;
}

/** What the form is checked against: the assets and, when known, what the account may spend per asset. */
export interface TakeContext {
  readonly assets: ReadonlyMap<string, AssetInfo>;
  readonly balances?: ReadonlyMap<string, bigint> | undefined;
}

export type Checked = { readonly amount: bigint; readonly collateral?: { readonly asset: string; readonly amount: bigint } } | { readonly error: string; readonly collateral?: { readonly asset: string; readonly amount: bigint } };

function readAmount(text: string, decimals: number): bigint | string {
  const parsed = parseAmount(text, decimals);
  if ('error' in parsed) return parsed.error;
  if (parsed.amount === 0n) return 'The amount must be more than zero.';
  if (parsed.amount > MAX_AMOUNT) return 'That amount is larger than the chain can hold.';
  return parsed.amount;
}

/** The collateral a take of `amount` locks, by the chain's own rule (rounded up, in the lender's favour). */
export function collateralFor(order: OrderTerms, amount: bigint, assets: ReadonlyMap<string, AssetInfo>): { asset: string; amount: bigint } | undefined {
  const c = order.collateral;
  if (!c || c.ratioBps === null) return undefined;
  const loan = assets.get(order.asset);
  const held = assets.get(c.asset);
  if (!loan || !held) return undefined;
  return { asset: c.asset, amount: collateralRequired(amount, c.ratioBps, loan.decimals, held.decimals) };
}

/** The smallest and largest a borrower may take from an offer now, as take-offer checks it. */
export function takeRange(order: OrderTerms): { readonly min: bigint; readonly max: bigint } {
  const remaining = amountOf(order.remaining);
  const max = order.ticket && amountOf(order.ticket.max) < remaining ? amountOf(order.ticket.max) : remaining;
  const min = order.ticket && amountOf(order.ticket.min) < remaining ? amountOf(order.ticket.min) : remaining;
  return { min, max };
}

/** A borrower's amount for a lend offer: within the offer's tickets, with the collateral it needs held. */
export function checkTake(text: string, order: OrderTerms, ctx: TakeContext): Checked {
  const decimals = ctx.assets.get(order.asset)?.decimals ?? 0;
  const fmt = (amount: bigint, asset: string) => `${formatAmount(amount, ctx.assets.get(asset)?.decimals ?? 0)} ${asset}`;
  const amount = readAmount(text, decimals);
  if (typeof amount === 'string') return { error: amount };
  const remaining = amountOf(order.remaining);
  const { min, max } = takeRange(order);
  const collateral = collateralFor(order, amount, ctx.assets);
  const withCollateral = collateral ? { collateral } : {};
  if (amount > remaining) return { error: `The offer has only ${fmt(remaining, order.asset)} left.`, ...withCollateral };
  if (amount > max) return { error: `One borrower may take at most ${fmt(max, order.asset)} from this offer.`, ...withCollateral };
  if (amount < min && amount !== remaining) return { error: `One borrower must take at least ${fmt(min, order.asset)} from this offer.`, ...withCollateral };
  const held = collateral ? ctx.balances?.get(collateral.asset) : undefined;
  if (collateral && held !== undefined && held < collateral.amount) {
    return { error: `This loan needs ${fmt(collateral.amount, collateral.asset)} of collateral but you hold ${fmt(held, collateral.asset)}.`, collateral };
  }
  return { amount, ...withCollateral };
}

/** A lender's amount for a borrow request: no more than it still needs, and no more than the lender holds. */
export function checkFunding(text: string, order: OrderTerms, ctx: TakeContext): Checked {
  const decimals = ctx.assets.get(order.asset)?.decimals ?? 0;
  const amount = readAmount(text, decimals);
  if (typeof amount === 'string') return { error: amount };
  const remaining = amountOf(order.remaining);
  if (amount > remaining) return { error: `The request needs only ${formatAmount(remaining, decimals)} ${order.asset} more.` };
  const held = ctx.balances?.get(order.asset);
  if (held !== undefined && held < amount) return { error: `You hold ${formatAmount(held, decimals)} ${order.asset} you can spend.` };
  return { amount };
}
