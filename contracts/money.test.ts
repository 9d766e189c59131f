/**
 * Money arithmetic (contracts/money.ts, docs/protocol.md §9.5–9.6): the pro-rata split with
 * its largest-remainder rule, and the collateral requirement rounded up across decimals.
 * The examples are worked by hand in the comments beside them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BPS, MAX_AMOUNT, ceilDiv, collateralRequired, minBig, splitProRata } from './money.js';

describe('amounts', () => {
  it('are bounded by 2^64 − 1 and rates by 10,000 bps', () => {
    expect(MAX_AMOUNT).toBe(18_446_744_073_709_551_615n);
    expect(BPS).toBe(10_000n);
  });

  it('ceilDiv rounds up, minBig takes the smaller', () => {
    expect(ceilDiv(10n, 5n)).toBe(2n);
    expect(ceilDiv(11n, 5n)).toBe(3n);
    expect(ceilDiv(0n, 5n)).toBe(0n);
    expect(ceilDiv(1n, MAX_AMOUNT)).toBe(1n);
    expect(minBig(3n, 2n)).toBe(2n);
    expect(minBig(-1n, 2n)).toBe(-1n);
  });
});

describe('splitProRata', () => {
  it('gives each holder the floor of its share, then leftover units by largest remainder', () => {
    // 100 × 1/6 = 16 r 4, 100 × 2/6 = 33 r 2, 100 × 3/6 = 50 r 0: 99 given, 1 left → the
    // largest remainder (4, the first holder)
    expect(splitProRata(100n, [1n, 2n, 3n])).toEqual([17n, 33n, 50n]);
    // 1 × 1/4 = 0 r 1, 1 × 2/4 = 0 r 2, 1 × 1/4 = 0 r 1: the unit goes to the largest
    // remainder (the middle holder), not to the first
    expect(splitProRata(1n, [1n, 2n, 1n])).toEqual([0n, 1n, 0n]);
    // 7 × 5/10 = 3 r 5, 7 × 3/10 = 2 r 1, 7 × 2/10 = 1 r 4: 6 given, 1 left → first (r 5)
    expect(splitProRata(7n, [5_000_000n, 3_000_000n, 2_000_000n])).toEqual([4n, 2n, 1n]);
    // 88,848,789 × 0.6 = 53,309,273.4 and × 0.4 = 35,539,515.6: floors 53,309,273 + 35,539,515,
    // 1 left → the second (remainder 0.6 > 0.4)
    expect(splitProRata(88_848_789n, [600_000_000n, 400_000_000n])).toEqual([53_309_273n, 35_539_516n]);
  });

  it('breaks ties in favour of the earlier holder', () => {
    // 100 / 3 = 33 r 1 each: 1 left, all remainders equal → the first
    expect(splitProRata(100n, [1n, 1n, 1n])).toEqual([34n, 33n, 33n]);
    // 10 / 3: 3 r 1 each → the first
    expect(splitProRata(10n, [1n, 1n, 1n])).toEqual([4n, 3n, 3n]);
    // 5 × 3/8 = 1 r 7, 5 × 3/8 = 1 r 7, 5 × 2/8 = 1 r 2: 2 left → the two r 7, in order
    expect(splitProRata(5n, [3n, 3n, 2n])).toEqual([2n, 2n, 1n]);
    // 1 between two equal holders → the first; 2 over [2, 1, 1] → 1 r 0, 0 r 2, 0 r 2: 1 left,
    // holders 1 and 2 tie on the largest remainder → holder 1
    expect(splitProRata(1n, [1n, 1n])).toEqual([1n, 0n]);
    expect(splitProRata(2n, [2n, 1n, 1n])).toEqual([1n, 1n, 0n]);
    // 2 over five equal holders: 0 r 2 each, 2 left → holders 0 and 1
    expect(splitProRata(2n, [1n, 1n, 1n, 1n, 1n])).toEqual([1n, 1n, 0n, 0n, 0n]);
  });

  it('gives nothing to zero weights and refuses an all-zero weight', () => {
    // 3 × 1/2 = 1 r 1 for holders 1 and 2, 0 r 0 for holder 0: 1 left → holder 1
    expect(splitProRata(3n, [0n, 1n, 1n])).toEqual([0n, 2n, 1n]);
    expect(splitProRata(0n, [1n, 2n])).toEqual([0n, 0n]);
    expect(splitProRata(MAX_AMOUNT, [1n])).toEqual([MAX_AMOUNT]);
    expect(() => splitProRata(5n, [0n, 0n])).toThrow(RangeError);
    expect(() => splitProRata(5n, [])).toThrow(RangeError);
  });

  it('sums exactly to the total and follows the largest-remainder rule (random inputs)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: 0n, max: 1_000n }), fc.bigInt({ min: 0n, max: MAX_AMOUNT })),
        fc.array(fc.oneof(fc.bigInt({ min: 0n, max: 10n }), fc.bigInt({ min: 0n, max: MAX_AMOUNT })), { minLength: 1, maxLength: 12 }),
        (total, weights) => {
          const weightSum = weights.reduce((a, b) => a + b, 0n);
          fc.pre(weightSum > 0n);
          const parts = splitProRata(total, weights);
          expect(parts).toHaveLength(weights.length);
          expect(parts.reduce((a, b) => a + b, 0n)).toBe(total);
          const extra = parts.map((part, i) => {
            const floor = (total * (weights[i] as bigint)) / weightSum;
            expect(part === floor || part === floor + 1n).toBe(true);
            if (weights[i] === 0n) expect(part).toBe(0n);
            return part - floor;
          });
          // every holder that got an extra unit ranks before every holder that did not:
          // a larger remainder, or the same remainder and an earlier position
          const remainder = (i: number) => (total * (weights[i] as bigint)) % weightSum;
          for (let i = 0; i < weights.length; i++) {
            for (let j = 0; j < weights.length; j++) {
              if (extra[i] === 1n && extra[j] === 0n) {
                expect(remainder(i) > remainder(j) || (remainder(i) === remainder(j) && i < j)).toBe(true);
              }
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('collateralRequired', () => {
  it('scales whole units across decimals', () => {
    // 100 USD (6 dp: 100,000,000) at 0.5 COL per USD = 50 COL = 5,000,000,000 (8 dp)
    expect(collateralRequired(100_000_000n, 5_000, 6, 8)).toBe(5_000_000_000n);
    // 100 USD at 1.5 COL per USD = 150 COL = 15,000,000,000 (§9.6)
    expect(collateralRequired(100_000_000n, 15_000, 6, 8)).toBe(15_000_000_000n);
    // 2 USD at 1 COL per USD: exactly 2 COL, not rounded up past it
    expect(collateralRequired(2_000_000n, 10_000, 6, 8)).toBe(200_000_000n);
    // 1 minor unit of USD at 0.5 COL per USD = 0.0000005 COL = 50 minor units of COL, exactly
    expect(collateralRequired(1n, 5_000, 6, 8)).toBe(50n);
  });

  it('rounds up to the collateral’s minor unit, in the lenders’ favour', () => {
    // 1 × 3,333 × 10^8 / (10^4 × 10^6) = 33.33 → 34
    expect(collateralRequired(1n, 3_333, 6, 8)).toBe(34n);
    // a COL loan (8 dp) against USD (6 dp): 1 × 15,000 × 10^6 / (10^4 × 10^8) = 0.015 → 1, never 0
    expect(collateralRequired(1n, 15_000, 8, 6)).toBe(1n);
    // 12.345678 USD at 1.2345 units per USD of a 0-decimal asset: 12,345,678 × 12,345 / 10^10
    // = 152,407,394,910 / 10^10 = 15.24… → 16
    expect(collateralRequired(12_345_678n, 12_345, 6, 0)).toBe(16n);
    // 333 × 12,500 × 10^2 / (10^4 × 10^6) = 0.041625 → 1 (§9.6)
    expect(collateralRequired(333n, 12_500, 6, 2)).toBe(1n);
    // a 2-decimal loan asset against an 18-decimal collateral: 0.01 at 1 bps = 10^-6 whole units = 10^12 minor units
    expect(collateralRequired(1n, 1, 2, 18)).toBe(1_000_000_000_000n);
  });

  it('is the least amount that covers the ratio (random inputs)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MAX_AMOUNT }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 0, max: 18 }),
        fc.integer({ min: 0, max: 18 }),
        (principal, ratioBps, principalDecimals, collateralDecimals) => {
          const required = collateralRequired(principal, ratioBps, principalDecimals, collateralDecimals);
          const need = principal * BigInt(ratioBps) * 10n ** BigInt(collateralDecimals);
          const per = BPS * 10n ** BigInt(principalDecimals);
          // covers: required × 10,000 × 10^dp ≥ principal × ratio × 10^dc …
          expect(required * per >= need).toBe(true);
          // … and one unit less would not
          if (required > 0n) expect((required - 1n) * per < need).toBe(true);
          else expect(principal).toBe(0n);
        },
      ),
      { numRuns: 500 },
    );
  });
});
