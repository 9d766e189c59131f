/**
 * Schedule math (contracts/loans/schedule.ts, docs/protocol.md §9.2–9.3) against figures
 * computed independently of the code under test:
 *
 * - textbook annuity figures (the level payment P·r / (1 − (1 + r)^−n) that every amortization
 *   table and mortgage calculator publishes: 10,000 at 12 % over 12 months pays 888.49 a month,
 *   200,000 at 6 % over 30 years 1,199.10, 100,000 at 5 % over 30 years 536.82). With a term of
 *   365 days = 31,536,000 s cut into 12 (or 360 over 30 such years) installments, a period is
 *   2,628,000 s and the periodic rate is exactly APR / 12, as in those tables;
 * - whole schedules computed with Python's `decimal` module from the documented rules, pasted
 *   below as literals. The script (python3, 100 significant digits):
 *
 *   from decimal import Decimal as D, getcontext, ROUND_HALF_UP
 *   getcontext().prec = 100
 *   YEAR = 31_536_000
 *   def half_up(x): return int(x.quantize(D(1), rounding=ROUND_HALF_UP))
 *   def rate(apr_bps, period):   # r = APR × period / 365 days, half-up to 40 places
 *       return (D(apr_bps) * period / (D(10_000) * YEAR)).quantize(D(1).scaleb(-40), rounding=ROUND_HALF_UP)
 *   def plan(principal, apr_bps, term, n, schedule):
 *       r = rate(apr_bps, term // n)
 *       if schedule == 'bullet':
 *           interest = half_up(principal * r)
 *           return [(interest, principal if i == n - 1 else 0) for i in range(n)]
 *       payment = half_up(D(principal) / n) if r == 0 else half_up(principal * r / (1 - (1 + r) ** -n))
 *       rows, balance = [], principal
 *       for i in range(n):
 *           interest = half_up(balance * r)
 *           part = balance if i == n - 1 else payment - interest
 *           part = max(0, min(part, balance))
 *           rows.append((interest, part)); balance -= part
 *       return rows
 *   # digests: hashlib.sha256(';'.join(f'{i},{q}' for i, q in rows).encode()).hexdigest()
 *
 * - and, for random inputs, an independent decimal implementation with bignumber.js below (`decimalPlan`).
 */
import { createHash } from 'node:crypto';
import BigNumber from 'bignumber.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SECONDS_PER_YEAR } from '../params.js';
import type { Installment, Schedule } from '../state/records.js';
import { accruedInterest, buildPlan, levelPayment, periodicRate } from './schedule.js';

const YEAR = SECONDS_PER_YEAR;
const MONTH = YEAR / 12; // 2,628,000 s: a twelfth of the 365-day year

function rows(plan: readonly Installment[]): [bigint, bigint][] {
  return plan.map((p) => [p.interest, p.principal]);
}

function amortizing(principal: bigint, aprBps: number, term: number, installments: number, startTime = 0): Installment[] {
  return buildPlan({ principal, aprBps, term, installments, schedule: 'amortizing', startTime });
}

function bullet(principal: bigint, aprBps: number, term: number, installments: number, startTime = 0): Installment[] {
  return buildPlan({ principal, aprBps, term, installments, schedule: 'bullet', startTime });
}

const sum = (values: readonly bigint[]) => values.reduce((a, b) => a + b, 0n);

describe('the periodic rate', () => {
  it('is APR × period / 365 days, to 40 decimal places half-up', () => {
    // 12 % over a twelfth of the year: exactly 1 %
    expect(periodicRate(1200, MONTH)).toBe(10n ** 38n);
    // 6 % / 12 = 0.5 %
    expect(periodicRate(600, MONTH)).toBe(5n * 10n ** 37n);
    // 5 % / 12 = 0.0041666…, the 40th place rounded up (Python: rate(500, 2628000))
    expect(periodicRate(500, MONTH)).toBe(41666666666666666666666666666666666667n); // 0.0041666666666666666666666666666666666667
    // 12 % over 100 s (Python: rate(1200, 100) = 3.805175038051750380517503805175038E-7, i.e. to 40 places)
    expect(periodicRate(1200, 100)).toBe(3805175038051750380517503805175038n); // 0.0000003805175038051750380517503805175038
    expect(periodicRate(0, MONTH)).toBe(0n);
  });
});

describe('textbook annuities', () => {
  it('10,000.00 at 12 % over 12 months pays 888.49 a month', () => {
    // r = 1 % exactly; 10,000 × 0.01 / (1 − 1.01^−12) = 888.4878…  → 888.49 (1,000,000 cents → 88,849)
    const plan = amortizing(1_000_000n, 1200, YEAR, 12);
    expect(levelPayment(1_000_000n, periodicRate(1200, MONTH), 12)).toBe(88_849n);
    // Python plan(1_000_000, 1200, 31_536_000, 12, 'amortizing'): every row, interest then principal
    expect(rows(plan)).toEqual([
      [10000n, 78849n],
      [9212n, 79637n],
      [8415n, 80434n],
      [7611n, 81238n],
      [6798n, 82051n],
      [5978n, 82871n],
      [5149n, 83700n],
      [4312n, 84537n],
      [3467n, 85382n],
      [2613n, 86236n],
      [1751n, 87098n],
      [880n, 87967n],
    ]);
    // the first eleven pay the level 888.49; the last (879.67 + 8.80 = 888.47) absorbs the rounding
    for (const p of plan.slice(0, 11)) expect(p.interest + p.principal).toBe(88_849n);
    expect(sum(plan.map((p) => p.interest))).toBe(66_186n); // Python: total interest 661.86
    expect(sum(plan.map((p) => p.principal))).toBe(1_000_000n);
    // due times: one period apart from the start
    expect(plan.map((p) => p.due)).toEqual(Array.from({ length: 12 }, (_, i) => (i + 1) * MONTH));
  });

  it('200,000.00 at 6 % over 30 years pays 1,199.10 a month', () => {
    // r = 0.5 %; 200,000 × 0.005 / (1 − 1.005^−360) = 1,199.1010…  → 1,199.10
    const plan = amortizing(20_000_000n, 600, 30 * YEAR, 360);
    expect(plan).toHaveLength(360);
    expect(plan[0]!.interest + plan[0]!.principal).toBe(119_910n);
    // Python plan(20_000_000, 600, 30 * 31_536_000, 360, 'amortizing'):
    expect(rows([plan[0]!, plan[179]!, plan[358]!, plan[359]!])).toEqual([
      [100000n, 19910n], // first: 1,000.00 interest on 200,000.00
      [71292n, 48618n], // 180th
      [1191n, 118719n], // 359th
      [597n, 119417n], // last: 1,200.14, absorbing the rounding
    ]);
    expect(sum(plan.slice(0, 12).map((p) => p.interest))).toBe(1_193_319n); // first year's interest, Python
    expect(sum(plan.map((p) => p.interest))).toBe(23_167_704n); // Python: total interest 231,677.04
    expect(sum(plan.map((p) => p.principal))).toBe(20_000_000n);
    // every row: Python's SHA-256 of "interest,principal;…"
    expect(digest(plan)).toBe('c06e98007875d16860ace0bf642cf9d95e30bbe4fc7a8292ed7b85c8ec87214a');
  });

  it('100,000.00 at 5 % over 30 years pays 536.82 a month', () => {
    // r = 5 %/12; 100,000 × r / (1 − (1 + r)^−360) = 536.8216…  → 536.82
    const plan = amortizing(10_000_000n, 500, 30 * YEAR, 360);
    expect(plan[0]!.interest + plan[0]!.principal).toBe(53_682n);
    // Python plan(10_000_000, 500, 30 * 31_536_000, 360, 'amortizing'):
    expect(rows([plan[0]!, plan[179]!, plan[358]!, plan[359]!])).toEqual([
      [41667n, 12015n], // 416.666… rounds up to 416.67
      [28391n, 25291n],
      [445n, 53237n],
      [223n, 53591n],
    ]);
    expect(sum(plan.slice(0, 12).map((p) => p.interest))).toBe(496_650n);
    expect(sum(plan.map((p) => p.interest))).toBe(9_325_652n);
    expect(digest(plan)).toBe('e848aec352c3ca3e49db5372de6f4c7772d3c95f88633a18e0c3f1261fce4118');
  });
});

describe('schedules of devnet sizes and odd figures', () => {
  it('100 USD (6 decimals) at 12 % over 12 installments of 100 s', () => {
    // Python plan(100_000_000, 1200, 1200, 12, 'amortizing'): level payment 8,333,354
    const plan = amortizing(100_000_000n, 1200, 1200, 12, 1_000);
    expect(rows(plan)).toEqual([
      [38n, 8333316n],
      [35n, 8333319n],
      [32n, 8333322n],
      [29n, 8333325n],
      [25n, 8333329n],
      [22n, 8333332n],
      [19n, 8333335n],
      [16n, 8333338n],
      [13n, 8333341n],
      [10n, 8333344n],
      [6n, 8333348n],
      [3n, 8333351n],
    ]);
    expect(plan.map((p) => p.due)).toEqual(Array.from({ length: 12 }, (_, i) => 1_000 + (i + 1) * 100));
  });

  it('1,234,567 units at 19.99 % over 7 installments of 100 s', () => {
    // Python plan(1_234_567, 1999, 700, 7, 'amortizing'): payment 176,367; interest rounds to 1 then 0
    expect(rows(amortizing(1_234_567n, 1999, 700, 7))).toEqual([
      [1n, 176366n],
      [1n, 176366n],
      [1n, 176366n],
      [0n, 176367n],
      [0n, 176367n],
      [0n, 176367n],
      [0n, 176368n],
    ]);
  });

  it('rounds half up, never to even', () => {
    // bullet 50 units at 1 % a period: interest 0.5 → 1 (banker's rounding would give 0)
    expect(rows(bullet(50n, 1200, YEAR, 12)).slice(0, 2)).toEqual([
      [1n, 0n],
      [1n, 0n],
    ]);
    // 150 at 1 % over 2: interest 1.5 → 2; payment 150 × 0.01 / (1 − 1.01^−2) = 76.126 → 76;
    // then 76 × 0.01 = 0.76 → 1 (Python plan(150, 1200, 5_256_000, 2, 'amortizing'))
    expect(rows(amortizing(150n, 1200, 2 * MONTH, 2))).toEqual([
      [2n, 74n],
      [1n, 76n],
    ]);
  });
});

describe('bullet schedules', () => {
  it('pays interest only until the last installment, which also repays the principal', () => {
    // 10,000.00 at 12 % over 12 months: 100.00 of interest a month (Python: (10000, 0) …, (10000, 1000000))
    const plan = bullet(1_000_000n, 1200, YEAR, 12);
    expect(plan.slice(0, 11).every((p) => p.interest === 10_000n && p.principal === 0n)).toBe(true);
    expect(plan[11]).toEqual({ due: YEAR, interest: 10_000n, principal: 1_000_000n });
    // 5 USD at 7.5 % over 3 periods of 1,000 s: 5,000,000 × 0.0000023782… = 11.89 → 12 (Python)
    expect(rows(bullet(5_000_000n, 750, 3_000, 3))).toEqual([
      [12n, 0n],
      [12n, 0n],
      [12n, 5_000_000n],
    ]);
    // at 0 % a bullet is principal only, on the last due date
    expect(rows(bullet(777n, 0, 300, 3))).toEqual([
      [0n, 0n],
      [0n, 0n],
      [0n, 777n],
    ]);
  });
});

describe('0 % amortizing schedules', () => {
  it('pay principal / n rounded half-up, the last taking the rest', () => {
    // 1,000 / 3 = 333.33 → 333, last 334 (Python plan(1000, 0, 300, 3, 'amortizing'))
    expect(rows(amortizing(1_000n, 0, 300, 3))).toEqual([
      [0n, 333n],
      [0n, 333n],
      [0n, 334n],
    ]);
    // 10,000 / 7 = 1,428.57 → 1,429; the last takes 10,000 − 6 × 1,429 = 1,426 (Python)
    expect(rows(amortizing(10_000n, 0, 700, 7)).map(([, p]) => p)).toEqual([1429n, 1429n, 1429n, 1429n, 1429n, 1429n, 1426n]);
  });

  it('may leave installments of zero at either end for tiny principals', () => {
    // 6 / 4 = 1.5 → 2: the balance runs out before the last, which is zero (Python: 2, 2, 2, 0)
    expect(rows(amortizing(6n, 0, 120, 4)).map(([, p]) => p)).toEqual([2n, 2n, 2n, 0n]);
    // 1 / 4 = 0.25 → 0: only the last pays (Python: 0, 0, 0, 1)
    expect(rows(amortizing(1n, 0, 120, 4)).map(([, p]) => p)).toEqual([0n, 0n, 0n, 1n]);
  });
});

describe('schedule rules', () => {
  it('refuses a term that does not divide into the installments', () => {
    expect(() => amortizing(1_000n, 1200, 121, 4)).toThrow(RangeError);
    expect(() => bullet(1_000n, 1200, 10, 20)).toThrow(RangeError);
  });

  it('earns a period’s interest pro rata by time, rounded half-up', () => {
    expect(accruedInterest(1_000n, 0, 100)).toBe(0n);
    expect(accruedInterest(1_000n, -5, 100)).toBe(0n);
    expect(accruedInterest(1_000n, 100, 100)).toBe(1_000n);
    expect(accruedInterest(1_000n, 250, 100)).toBe(1_000n);
    expect(accruedInterest(1n, 50, 100)).toBe(1n); // 0.5 → 1
    expect(accruedInterest(3n, 50, 100)).toBe(2n); // 1.5 → 2
    expect(accruedInterest(1n, 49, 100)).toBe(0n); // 0.49 → 0
    // §9.7 example: 7,610,803 × 1,000,000 / 2,628,000 = 2,896,043.76 → 2,896,044
    expect(accruedInterest(7_610_803n, 1_000_000, MONTH)).toBe(2_896_044n);
  });

  const input = fc.record({
    principal: fc.oneof(fc.bigInt({ min: 1n, max: 10_000n }), fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: (1n << 64n) - 1n })),
    aprBps: fc.oneof(fc.constantFrom(0, 1, 1200, 100_000), fc.integer({ min: 0, max: 100_000 })),
    installments: fc.integer({ min: 1, max: 48 }),
    period: fc.oneof(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 3 * MONTH })),
    schedule: fc.constantFrom<Schedule>('amortizing', 'bullet'),
    startTime: fc.integer({ min: 0, max: 2 ** 33 }),
  });

  it('sums principal parts to the principal, never goes negative, and dues one period apart (random inputs)', () => {
    fc.assert(
      fc.property(input, ({ principal, aprBps, installments, period, schedule, startTime }) => {
        const plan = buildPlan({ principal, aprBps, term: period * installments, installments, schedule, startTime });
        expect(plan).toHaveLength(installments);
        expect(sum(plan.map((p) => p.principal))).toBe(principal);
        let balance = principal;
        plan.forEach((p, i) => {
          expect(p.interest >= 0n && p.principal >= 0n).toBe(true);
          expect(p.due).toBe(startTime + (i + 1) * period);
          balance -= p.principal;
          expect(balance >= 0n).toBe(true);
        });
        if (schedule === 'amortizing') {
          // every installment but the last pays the level payment, unless a limit to 0 … balance applied
          const payment = levelPayment(principal, periodicRate(aprBps, period), installments);
          let left = principal;
          for (const p of plan.slice(0, -1)) {
            if (p.principal > 0n && p.principal < left) expect(p.interest + p.principal).toBe(payment);
            left -= p.principal;
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('matches an independent decimal implementation of the documented rules (random inputs)', () => {
    fc.assert(
      fc.property(input, ({ principal, aprBps, installments, period, schedule }) => {
        const plan = buildPlan({ principal, aprBps, term: period * installments, installments, schedule, startTime: 0 });
        expect(rows(plan)).toEqual(decimalPlan(principal, aprBps, period, installments, schedule));
      }),
      { numRuns: 300 },
    );
  });
});

/** SHA-256 of "interest,principal;…", the digest the Python script prints. */
function digest(plan: readonly Installment[]): string {
  return createHash('sha256')
    .update(plan.map((p) => `${p.interest},${p.principal}`).join(';'))
    .digest('hex');
}

const Decimal = BigNumber.clone({ DECIMAL_PLACES: 200, ROUNDING_MODE: BigNumber.ROUND_HALF_UP, POW_PRECISION: 0, EXPONENTIAL_AT: 1e9 });

/**
 * The documented schedule rules again, written independently in decimal with bignumber.js
 * (200 decimal places, exact powers): the rate rounded half-up to 40 places, the level
 * payment as P·r / (1 − (1 + r)^−n), every rounding to minor units half-up.
 */
function decimalPlan(principal: bigint, aprBps: number, period: number, n: number, schedule: Schedule): [bigint, bigint][] {
  const rate = new Decimal(aprBps).times(period).div(new Decimal(10_000).times(YEAR)).decimalPlaces(40, BigNumber.ROUND_HALF_UP);
  const halfUp = (value: BigNumber) => BigInt(value.integerValue(BigNumber.ROUND_HALF_UP).toFixed(0));
  const amount = new Decimal(principal.toString());
  if (schedule === 'bullet') {
    const interest = halfUp(amount.times(rate));
    return Array.from({ length: n }, (_, i) => [interest, i === n - 1 ? principal : 0n]);
  }
  const payment = rate.isZero() ? halfUp(amount.div(n)) : halfUp(amount.times(rate).div(new Decimal(1).minus(new Decimal(1).div(rate.plus(1).pow(n)))));
  const out: [bigint, bigint][] = [];
  let balance = principal;
  for (let i = 0; i < n; i++) {
    const interest = halfUp(new Decimal(balance.toString()).times(rate));
    let part = i === n - 1 ? balance : payment - interest;
    if (part < 0n) part = 0n;
    if (part > balance) part = balance;
    out.push([interest, part]);
    balance -= part;
  }
  return out;
}
