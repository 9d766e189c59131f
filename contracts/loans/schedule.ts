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
const RATE_PLACES = 40;
const RATE_SCALE = 10n ** BigInt(RATE_PLACES);
const Decimal = BigNumber.clone({ DECIMAL_PLACES: RATE_PLACES, ROUNDING_MODE: BigNumber.ROUND_HALF_UP, POW_PRECISION: 80, EXPONENTIAL_AT: 1e9 });

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
  const { rate, rateUnits, growth } = rateTerms(input.aprBps, period, n);
  const interestOn = (amount: bigint) => (2n * amount * rateUnits + RATE_SCALE) / (2n * RATE_SCALE);
  const due = (i: number) => startTime + (i + 1) * period;
  const plan: Installment[] = [];

  if (input.schedule === 'bullet') {
    const interest = interestOn(principal);
    for (let i = 0; i < n; i++) plan.push({ due: due(i), principal: i === n - 1 ? principal : 0n, interest });
    return plan;
  }

  const payment = annuityPayment(principal, rate, growth, n);
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

/** The level payment of an annuity, rounded half-up to the minor unit. */
export function levelPayment(principal: bigint, rate: BigNumber, n: number): bigint {
  return annuityPayment(principal, rate, rate.isZero() ? undefined : rate.plus(1).pow(n), n);
}

/** P·r·g / (g − 1) rounded half-up, g = (1 + r)^n; at 0 % (no g) P / n rounded half-up. */
function annuityPayment(principal: bigint, rate: BigNumber, growth: BigNumber | undefined, n: number): bigint {
  const amount = new Decimal(principal.toString());
  if (growth === undefined) return roundHalfUp(amount.div(n));
  return roundHalfUp(amount.times(rate).times(growth).div(growth.minus(1)));
}

interface RateTerms {
  readonly rate: BigNumber;
  /** r × 10^40, an integer: r has at most 40 decimal places. */
  readonly rateUnits: bigint;
  /** (1 + r)^n, or undefined at 0 %. */
  readonly growth: BigNumber | undefined;
}

const RATE_TERMS_KEPT = 4_096;
const rateTermsKept = new Map<string, RateTerms>();

/**
 * The figures a schedule needs that depend only on (APR, period, installments), remembered
 * for the most recent terms: a market's loans share few terms, and the power is the costly
 * part of a schedule. The values are immutable and computed the same way every time, so
 * remembering them changes no figure; amount × r is then an exact integer division
 * (half-up), the same figure as bignumber's exact product rounded half-up.
 */
function rateTerms(aprBps: number, period: number, n: number): RateTerms {
  const key = `${aprBps}|${period}|${n}`;
  let terms = rateTermsKept.get(key);
  if (terms === undefined) {
    const rate = periodicRate(aprBps, period);
    terms = { rate, rateUnits: BigInt(rate.shiftedBy(RATE_PLACES).toFixed(0)), growth: rate.isZero() ? undefined : rate.plus(1).pow(n) };
    if (rateTermsKept.size >= RATE_TERMS_KEPT) {
      const oldest = rateTermsKept.keys().next();
      if (oldest.done !== true) rateTermsKept.delete(oldest.value);
    }
    rateTermsKept.set(key, terms);
  }
  return terms;
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
