/**
 * Money is bigint minor units of an asset. No amount on the wire, in state or in an event
 * may exceed MAX_AMOUNT (2^64 − 1), and no asset's supply may either, so every balance and
 * escrow fits an unsigned 64-bit integer in any language.
 */
export const MAX_AMOUNT = (1n << 64n) - 1n;

/** Basis points in one whole: rates and ratios are integers of bps. */
export const BPS = 10_000n;

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** numerator / denominator rounded half-up (…0.5 goes up), for a non-negative numerator and positive denominator. */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

export function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

/**
 * Splits `total` among holders in proportion to their weights, exactly: each gets the floor
 * of its share, then the units left over go one each to the holders with the largest
 * fractional remainders, ties broken by position in the list (earlier first). The parts sum
 * to `total`.
 */
export function splitProRata(total: bigint, weights: readonly bigint[]): bigint[] {
  const weightSum = weights.reduce((sum, w) => sum + w, 0n);
  if (weightSum <= 0n) throw new RangeError('pro-rata split needs a positive total weight');
  const parts = weights.map((w) => (total * w) / weightSum);
  let left = total - parts.reduce((sum, p) => sum + p, 0n);
  if (left === 0n) return parts;
  const order = weights
    .map((w, index) => ({ index, remainder: (total * w) % weightSum }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of order) {
    if (left === 0n) break;
    parts[index] = (parts[index] as bigint) + 1n;
    left -= 1n;
  }
  return parts;
}

/**
 * Collateral required for `principal`, at `ratioBps` units of collateral per unit of the
 * principal's asset (whole units, so decimals are scaled), rounded up to the minor unit.
 */
export function collateralRequired(principal: bigint, ratioBps: number, principalDecimals: number, collateralDecimals: number): bigint {
  const numerator = principal * BigInt(ratioBps) * 10n ** BigInt(collateralDecimals);
  const denominator = BPS * 10n ** BigInt(principalDecimals);
  return ceilDiv(numerator, denominator);
}
