import { divideHalfUp } from '../money.js';
import { SECONDS_PER_YEAR } from '../params.js';
import type { Installment, Schedule } from '../state/records.js';

/**
 * Loan schedules in exact integer arithmetic, under one documented rounding rule
 * (docs/protocol.md, "Schedules"), so that any language with big integers reproduces every
 * figure to the minor unit:
 * - the periodic rate is r = APR × (term / installments) / 365 days, rounded half-up to 40
 *   decimal places: r = R / 10^40 with R an integer;
 * - amortizing: the level payment P·r·(1 + r)^n / ((1 + r)^n − 1), computed exactly as a
 *   fraction of integers, is rounded half-up to the minor unit; each installment's interest
 *   is its opening balance × r rounded half-up, its principal the payment less that
 *   interest; the last installment takes the whole balance left, absorbing every rounding;
 * - bullet: each installment is interest only (principal × r, rounded half-up), and the last
 *   one also repays the whole principal;
 * - at 0 % the amortizing payment is principal / n rounded half-up, the last taking the rest.
 */
export const RATE_DECIMALS = 40;
const RATE_SCALE = 10n ** BigInt(RATE_DECIMALS);

export interface ScheduleInput {
  readonly principal: bigint;
  readonly aprBps: number;
  readonly term: number;
  readonly installments: number;
  readonly schedule: Schedule;
  readonly startTime: number;
}

/** The periodic rate as R, the integer count of 10^-40: r = R / 10^40. */
export function periodicRate(aprBps: number, period: number): bigint {
  return divideHalfUp(BigInt(aprBps) * BigInt(period) * RATE_SCALE, 10_000n * BigInt(SECONDS_PER_YEAR));
}

export function buildPlan(input: ScheduleInput): Installment[] {
  const { principal, installments: n, term, startTime } = input;
  const period = term / n;
  if (!Number.isInteger(period) || period <= 0) throw new RangeError('term must be a whole multiple of the number of installments');
  const rate = periodicRate(input.aprBps, period);
  const interestOn = (amount: bigint) => divideHalfUp(amount * rate, RATE_SCALE);
  const due = (i: number) => startTime + (i + 1) * period;
  const plan: Installment[] = [];

  if (input.schedule === 'bullet') {
    const interest = interestOn(principal);
    for (let i = 0; i < n; i++) plan.push({ due: due(i), principal: i === n - 1 ? principal : 0n, interest });
    return plan;
  }

  const payment = levelPayment(principal, rate, n);
  let balance = principal;
  for (let i = 0; i < n; i++) {
    const interest = interestOn(balance);
    let part = i === n - 1 ? balance : payment - interest;
    if (part < 0n) part = 0n;
    if (part > balance) part = balance;
    plan.push({ due: due(i), principal: part, interest });
    balance -= part;
  }
  return plan;
}

/**
 * The level payment of an annuity at periodic rate R / 10^40, rounded half-up to the minor
 * unit: with g = (10^40 + R)^n and h = 10^(40n), P·r·(1 + r)^n / ((1 + r)^n − 1) is exactly
 * P·R·g / (10^40 · (g − h)).
 */
export function levelPayment(principal: bigint, rate: bigint, n: number): bigint {
  if (rate === 0n) return divideHalfUp(principal, BigInt(n));
  const growth = (RATE_SCALE + rate) ** BigInt(n);
  const base = RATE_SCALE ** BigInt(n);
  return divideHalfUp(principal * rate * growth, RATE_SCALE * (growth - base));
}

/** Interest of a period's installment earned by `elapsed` seconds into it, rounded half-up. */
export function accruedInterest(interest: bigint, elapsed: number, period: number): bigint {
  if (elapsed <= 0) return 0n;
  if (elapsed >= period) return interest;
  return divideHalfUp(interest * BigInt(elapsed), BigInt(period));
}
