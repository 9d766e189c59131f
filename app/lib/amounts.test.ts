import { describe, expect, it } from 'vitest';
import { formatAmount, parseAmount, wholeUnits } from './amounts';

describe('amounts on screen', () => {
  it('shows minor units in the asset unit, grouped, with two decimals at least', () => {
    expect(formatAmount(1_000_000_000n, 6)).toBe('1,000.00');
    expect(formatAmount(100_000_000n, 6)).toBe('100.00');
    expect(formatAmount(1n, 8)).toBe('0.00000001');
    expect(formatAmount(150_000_000n, 8)).toBe('1.50');
    expect(formatAmount(18_446_744_073_709_551_615n, 6)).toBe('18,446,744,073,709.551615');
    expect(formatAmount(5n, 0)).toBe('5');
  });

  it('reads what a person types back into the same minor units, exactly', () => {
    expect(parseAmount('1,000', 6)).toEqual({ amount: 1_000_000_000n });
    expect(parseAmount('0.00000001', 8)).toEqual({ amount: 1n });
    expect(parseAmount('18446744073709.551615', 6)).toEqual({ amount: 18_446_744_073_709_551_615n });
    expect(parseAmount('1.1234567', 6)).toEqual({ error: 'This asset has at most 6 decimal places.' });
    expect(parseAmount('ten', 6)).toHaveProperty('error');
    expect(wholeUnits(1000n, 6)).toBe(1_000_000_000n);
  });
});
