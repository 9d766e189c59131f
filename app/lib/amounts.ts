/**
 * Money on screen. Amounts are bigint minor units end to end (docs/protocol.md §1); these turn
 * them into an asset's units for people and back, with no JS number in between.
 */

/**
 * An amount in its asset's units, thousands grouped: 1000000000n at 6 decimals is "1,000.00".
 * Shows at least `minFraction` decimals and every significant one after that.
 */
export function formatAmount(amount: bigint, decimals: number, minFraction = 2): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString(10).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  let fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  if (fraction.length < Math.min(minFraction, decimals)) fraction = fraction.padEnd(Math.min(minFraction, decimals), '0');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction === '' ? '' : `.${fraction}`}`;
}

/** A decimal string from the API (an amount) as a bigint; 0n for anything that is not one. */
export function amountOf(text: string | null | undefined): bigint {
  return text && /^\d{1,78}$/.test(text) ? BigInt(text) : 0n;
}

/** What a person typed ("1,250.5") in minor units, or a plain-word reason it is not an amount. */
export function parseAmount(text: string, decimals: number): { amount: bigint } | { error: string } {
  const cleaned = text.trim().replace(/[,_\s]/g, '');
  if (cleaned === '') return { error: 'Enter an amount.' };
  const match = /^(\d*)(?:\.(\d*))?$/.exec(cleaned);
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) return { error: 'Enter an amount in figures, such as 1,250.50.' };
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) return { error: `This asset has at most ${decimals} decimal places.` };
  return { amount: BigInt((match[1] || '0') + fraction.padEnd(decimals, '0')) };
}

/** A whole number of an asset's units in minor units: wholeUnits(1000n, 6) = 1000000000n. */
export function wholeUnits(units: bigint, decimals: number): bigint {
  return units * 10n ** BigInt(decimals);
}
