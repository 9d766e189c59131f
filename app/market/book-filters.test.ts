import { describe, expect, it } from 'vitest';
import { bookInputOf, EMPTY_FILTERS, filtersQuery, readFilters } from './book-filters';

describe('book filters in the URL', () => {
  it('round-trips through the query string, leaving defaults out', () => {
    const filters = { ...EMPTY_FILTERS, side: 'borrow' as const, asset: 'USD', rateMax: '5', termMin: '3', termUnit: 'months' as const, collateral: 'required' as const };
    const query = filtersQuery(filters);
    expect(query).toBe('side=borrow&asset=USD&rateMax=5&termMin=3&termUnit=months&collateral=required');
    expect(readFilters(new URLSearchParams(query))).toEqual(filters);
  });

  it('ignores values it does not know', () => {
    const filters = readFilters(new URLSearchParams('side=sideways&sort=loudest&schedule=weekly&asset=usd'));
    expect(filters).toEqual(EMPTY_FILTERS);
  });
});

describe('bookInputOf', () => {
  it('turns units people type into the API input', () => {
    const { input, errors } = bookInputOf(
      { ...EMPTY_FILTERS, asset: 'USD', amountMin: '100', amountMax: '1,000.5', rateMin: '5', rateMax: '7.25', termMin: '1', termMax: '2', termUnit: 'months', maxDefaults: '0', direction: 'desc' },
      6,
    );
    expect(errors).toEqual({});
    expect(input).toEqual({
      side: 'lend',
      sort: 'rate',
      sortDirection: 'desc',
      asset: 'USD',
      amountMin: '100000000',
      amountMax: '1000500000',
      rateMinBps: 500,
      rateMaxBps: 725,
      termMin: 2_592_000,
      termMax: 5_184_000,
      maxDefaults: 0,
    });
  });

  it('names what it cannot read and bounds that are inverted', () => {
    const { errors } = bookInputOf({ ...EMPTY_FILTERS, amountMin: 'lots', rateMin: '9', rateMax: '3', termMin: '1.5', maxDefaults: '-1' }, 6);
    expect(Object.keys(errors).sort()).toEqual(['amountMin', 'maxDefaults', 'rateMax', 'termMin']);
  });
});
