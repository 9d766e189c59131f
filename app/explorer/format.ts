import { formatAmount } from '../lib/amounts';
import type { AssetInfo } from '../wallet/describe';

/** A block time (Unix seconds) as people read it, in UTC so every reader sees the same words. */
export function formatTime(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) return '—';
  const iso = new Date(seconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** How long ago a block time was, from `now` (both seconds): "4 s ago", "3 min ago". */
export function ageText(seconds: number, now: number): string {
  const age = Math.max(0, now - seconds);
  if (age < 60) return `${age} s ago`;
  if (age < 3_600) return `${Math.floor(age / 60)} min ago`;
  if (age < 86_400) return `${Math.floor(age / 3_600)} h ago`;
  return `${Math.floor(age / 86_400)} days ago`;
}

/** A 64-hex hash or account cut to its ends: "d5bf4a3f…778576ac4". */
export function shortHex(hex: string): string {
  return hex.length <= 20 ? hex : `${hex.slice(0, 8)}…${hex.slice(-8)}`;
}

/** A signed decimal string from the API (a balance delta) as a bigint; 0n if it is not one. */
export function signedAmountOf(text: string | null | undefined): bigint {
  return text && /^-?\d{1,78}$/.test(text) ? BigInt(text) : 0n;
}

/** An amount with its asset, "1,000.00 USD"; minor units when the asset is not known. */
export function money(amount: string, asset: string, assets: ReadonlyMap<string, AssetInfo>): string {
  const value = signedAmountOf(amount);
  const info = assets.get(asset);
  return info ? `${formatAmount(value, info.decimals)} ${asset}` : `${value.toString(10)} minor units of ${asset}`;
}

/** A rate in basis points as a percentage: 650 → "6.50 %". */
export function rateText(bps: number): string {
  return `${(bps / 100).toFixed(2)} %`;
}

/** A term in seconds in the largest whole unit: 15552000 → "180 days". */
export function termText(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} days`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} hours`;
  return `${seconds} seconds`;
}

/** "1 transaction", "3 transactions". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** What people type for a hash or account, checked: 64 hex characters, lowercased; else undefined. */
export function hexId(text: string): string | undefined {
  const trimmed = text.trim();
  return /^[0-9a-fA-F]{64}$/.test(trimmed) ? trimmed.toLowerCase() : undefined;
}

/** A block height from a URL segment: 0 … 2^53−1 written in digits; else undefined. */
export function heightOf(text: string): number | undefined {
  if (!/^\d{1,15}$/.test(text)) return undefined;
  const height = Number(text);
  return Number.isSafeInteger(height) ? height : undefined;
}
