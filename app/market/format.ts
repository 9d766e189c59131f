import { amountOf, formatAmount } from '../lib/amounts';
import type { AssetInfo } from '../wallet/describe';

/** An amount from the API (a decimal string) in its asset's units: "1,250.00 USD". */
export function money(text: string | bigint, asset: string, assets: ReadonlyMap<string, AssetInfo>): string {
  const amount = typeof text === 'bigint' ? text : amountOf(text);
  const info = assets.get(asset);
  return info ? `${formatAmount(amount, info.decimals)} ${asset}` : `${amount.toString(10)} minor units of ${asset}`;
}

/** A schedule and its installments in words: "Amortizing, 12 installments". */
export function scheduleText(schedule: 'amortizing' | 'bullet', installments: number): string {
  const name = schedule === 'amortizing' ? 'Amortizing' : 'Bullet';
  return `${name}, ${installments} installment${installments === 1 ? '' : 's'}`;
}

/** An owner's credit record in a few words: "no loans yet", "3 repaid, 1 default". */
export function creditText(credit: { readonly loansTaken: number; readonly loansRepaid: number; readonly defaults: number }): string {
  if (credit.loansTaken === 0) return 'No loans yet';
  const defaults = `${credit.defaults} default${credit.defaults === 1 ? '' : 's'}`;
  return `${credit.loansRepaid} of ${credit.loansTaken} repaid, ${defaults}`;
}
