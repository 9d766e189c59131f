import BigNumber from 'bignumber.js';
import { SECONDS_PER_YEAR } from '../params.js';
import type { Installment, Schedule } from '../state/records.js';

/**
 * Loan schedules, computed in decimal with bignumber.js under one documented rounding rule
 * (docs/protocol.md, "Schedules"):
 * - the periodic rate is r = APR × (term / installments) / 365 days, to 40 decimal places;
 * - amortizing: the level payment P·r / (1 − (1 + r)^−n) is rounded half-up to the minor
 *   unit; each installment's interest is its opening balance × r rounded half-up, its
 *   principal the payment less that interest; the last installment takes the whole balance
 *   left, absorbing every rounding;
 * - bullet: each installment is interest only (principal × r, rounded half-up), and the last
 *   one also repays the whole principal;
 * - at 0 % the amortizing payment is principal / n rounded half-up, the last taking the rest.
 */
const Decimal = BigNumber.clone({ DECIMAL_PLACES: 40, ROUNDING_MODE: BigNumber.ROUND_HALF_UP, POW_PRECISION: 80, EXPONENTIAL_AT: 1e9 });

export interface ScheduleInput {
  readonly principal: bigint;
  readonly aprBps: number;
  readonly term: number;
  readonly installments: number;
  readonly schedule: Schedule;
  readonly startTime: number;
}

export function periodicRate(aprBps: number, period: number): BigNumber {
  return new Decimal(aprBps).times(period).div(new Decimal(10_000).times(SECONDS_PER_YEAR));
}

export function buildPlan(input: ScheduleInput): Installment[] {
  const { principal, installments: n, term, startTime } = input;
  const period = term / n;
  if (!Number.isInteger(period) || period <= 0) throw new RangeError('term must be a whole multiple of the number of installments');
  const rate = periodicRate(input.aprBps, period);
  const due = (i: number) => startTime + (i + 1) * period;
  const plan: Installment[] = [];

  if (input.schedule === 'bullet') {
    const interest = roundHalfUp(new Decimal(principal.toString()).times(rate));
    for (let i = 0; i < n; i++) plan.push({ due: due(i), principal: i === n - 1 ? principal : 0n, interest });
    return plan;
  }

  const payment = levelPayment(principal, rate, n);
  let balance = principal;
  for (let i = 0; i < n; i++) {
    const interest = roundHalfUp(new Decimal(balance.toString()).times(rate));
    let part = i === n - 1 ? balance : payment - interest;
    if (part < 0n) part = 0n;
    if (part > balance) part = balance;
    plan.push({ due: due(i), principal: part, interest });
    balance -= part;
  }
  return plan;
}

/** The level payment of an annuity, rounded half-up to the minor unit. */
export function levelPayment(principal: bigint, rate: BigNumber, n: number): bigint {
  const amount = new Decimal(principal.toString());
  if (rate.isZero()) return roundHalfUp(amount.div(n));
  const growth = rate.plus(1).pow(n);
  return roundHalfUp(amount.times(rate).times(growth).div(growth.minus(1)));
}

function roundHalfUp(value: BigNumber): bigint {
  return BigInt(value.integerValue(BigNumber.ROUND_HALF_UP).toFixed(0));
}

/** Interest of a period's installment earned by `elapsed` seconds into it, rounded half-up. */
export function accruedInterest(interest: bigint, elapsed: number, period: number): bigint {
  if (elapsed <= 0) return 0n;
  if (elapsed >= period) return interest;
  return (interest * BigInt(elapsed) * 2n + BigInt(period)) / (2n * BigInt(period));
}
