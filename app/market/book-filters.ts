import { parseAmount } from '../lib/amounts';
import { parseRate, TERM_UNITS, type TermUnit } from '../lib/terms';
import type { ApiInputs, ApiOutputs } from '../lib/trpc';

export type BookInput = ApiInputs['market']['book'];
export type BookEntry = ApiOutputs['market']['book']['items'][number];
export type Side = 'lend' | 'borrow';
export type BookSort = 'rate' | 'amount' | 'term' | 'newest';

/**
 * The market view as the URL holds it, so a view can be shared: every value as typed, in the
 * units people use (amounts in the asset's units, rates in %, terms in `termUnit`).
 */
export interface BookFilters {
  readonly side: Side;
  readonly asset: string;
  readonly amountMin: string;
  readonly amountMax: string;
  readonly rateMin: string;
  readonly rateMax: string;
  readonly termMin: string;
  readonly termMax: string;
  readonly termUnit: TermUnit;
  readonly schedule: '' | 'amortizing' | 'bullet';
  readonly collateral: '' | 'none' | 'required';
  readonly maxDefaults: string;
  readonly sort: BookSort;
  readonly direction: '' | 'asc' | 'desc';
}

export const EMPTY_FILTERS: BookFilters = {
  side: 'lend',
  asset: '',
  amountMin: '',
  amountMax: '',
  rateMin: '',
  rateMax: '',
  termMin: '',
  termMax: '',
  termUnit: 'days',
  schedule: '',
  collateral: '',
  maxDefaults: '',
  sort: 'rate',
  direction: '',
};

const TEXT_KEYS = ['asset', 'amountMin', 'amountMax', 'rateMin', 'rateMax', 'termMin', 'termMax', 'maxDefaults'] as const;

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/** The filters a URL's query names; anything missing or unknown takes its default. */
export function readFilters(query: { get(name: string): string | null }): BookFilters {
  const text = Object.fromEntries(TEXT_KEYS.map((key) => [key, (query.get(key) ?? '').slice(0, 100)])) as Record<(typeof TEXT_KEYS)[number], string>;
  return {
    ...text,
    asset: /^[A-Z][A-Z0-9]{1,11}$/.test(text.asset) ? text.asset : '',
    side: oneOf(query.get('side'), ['lend', 'borrow'], 'lend'),
    termUnit: oneOf(query.get('termUnit'), Object.keys(TERM_UNITS) as TermUnit[], 'days'),
    schedule: oneOf(query.get('schedule'), ['amortizing', 'bullet'], ''),
    collateral: oneOf(query.get('collateral'), ['none', 'required'], ''),
    sort: oneOf(query.get('sort'), ['rate', 'amount', 'term', 'newest'], 'rate'),
    direction: oneOf(query.get('direction'), ['asc', 'desc'], ''),
  };
}

/** The query string for these filters, leaving out what is at its default. */
export function filtersQuery(filters: BookFilters): string {
  const query = new URLSearchParams();
  for (const key of Object.keys(EMPTY_FILTERS) as (keyof BookFilters)[]) {
    const value = filters[key].trim();
    if (value !== '' && value !== EMPTY_FILTERS[key]) query.set(key, value);
  }
  // The term unit matters only with a term bound.
  if (filters.termMin === '' && filters.termMax === '') query.delete('termUnit');
  return query.toString();
}

export type FilterErrors = Partial<Record<keyof BookFilters, string>>;

/**
 * The market.book input for these filters (without the cursor), or plain-word errors for the
 * fields that cannot be read. Amounts need the asset's decimals.
 */
export function bookInputOf(filters: BookFilters, decimals: number): { input: Omit<BookInput, 'cursor'>; errors: FilterErrors } {
  const errors: FilterErrors = {};
  const input: { -readonly [K in keyof BookInput]: BookInput[K] } = { side: filters.side, sort: filters.sort };
  if (filters.asset) input.asset = filters.asset;
  if (filters.direction) input.sortDirection = filters.direction;
  if (filters.schedule) input.schedule = filters.schedule;
  if (filters.collateral) input.collateral = filters.collateral;

  const amount = (key: 'amountMin' | 'amountMax') => {
    if (filters[key].trim() === '') return undefined;
    const parsed = parseAmount(filters[key], decimals);
    if ('error' in parsed) errors[key] = parsed.error;
    else return parsed.amount.toString(10);
    return undefined;
  };
  input.amountMin = amount('amountMin');
  input.amountMax = amount('amountMax');

  const rate = (key: 'rateMin' | 'rateMax') => {
    if (filters[key].trim() === '') return undefined;
    const parsed = parseRate(filters[key]);
    if ('error' in parsed) errors[key] = parsed.error;
    else if (parsed.bps > 10_000_000) errors[key] = 'That rate is above any the market allows.';
    else return parsed.bps;
    return undefined;
  };
  input.rateMinBps = rate('rateMin');
  input.rateMaxBps = rate('rateMax');

  const term = (key: 'termMin' | 'termMax') => {
    const text = filters[key].trim();
    if (text === '') return undefined;
    if (!/^\d{1,6}$/.test(text)) errors[key] = `Enter a whole number of ${filters.termUnit}.`;
    else return Math.min(Number(text) * TERM_UNITS[filters.termUnit], 2 ** 40);
    return undefined;
  };
  input.termMin = term('termMin');
  input.termMax = term('termMax');

  const defaults = filters.maxDefaults.trim();
  if (defaults !== '') {
    if (/^\d{1,6}$/.test(defaults)) input.maxDefaults = Number(defaults);
    else errors.maxDefaults = 'Enter a whole number of defaults, such as 0.';
  }

  if (input.amountMin !== undefined && input.amountMax !== undefined && BigInt(input.amountMin) > BigInt(input.amountMax)) {
    errors.amountMax = 'The largest amount is below the smallest.';
  }
  if (input.rateMinBps !== undefined && input.rateMaxBps !== undefined && input.rateMinBps > input.rateMaxBps) errors.rateMax = 'The highest rate is below the lowest.';
  if (input.termMin !== undefined && input.termMax !== undefined && input.termMin > input.termMax) errors.termMax = 'The longest term is below the shortest.';
  for (const key of Object.keys(input) as (keyof typeof input)[]) if (input[key] === undefined) delete input[key];
  return { input, errors };
}

/** The sort's direction when the URL does not choose one (docs/api.md, market.book). */
export function defaultDirection(sort: BookSort, side: Side): 'asc' | 'desc' {
  if (sort === 'rate') return side === 'lend' ? 'asc' : 'desc';
  return sort === 'term' ? 'asc' : 'desc';
}
