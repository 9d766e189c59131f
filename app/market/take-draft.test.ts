import { describe, expect, it } from 'vitest';
import type { AssetInfo } from '../wallet/describe';
import { checkFunding, checkTake, takeRange, type OrderTerms } from './take-draft';

const assets = new Map<string, AssetInfo>([
  ['USD', { id: 'USD', name: 'US Dollar', decimals: 6 }],
  ['COL', { id: 'COL', name: 'Collateral', decimals: 8 }],
]);
const offer: OrderTerms = { asset: 'USD', remaining: '250000000', ticket: { min: '10000000', max: '100000000' }, collateral: { asset: 'COL', ratioBps: 15_000 } };

describe('checkTake', () => {
  it('asks the collateral the chain asks: 50 USD at 150 % is 75 COL', () => {
    expect(checkTake('50', offer, { assets })).toEqual({ amount: 50_000_000n, collateral: { asset: 'COL', amount: 7_500_000_000n } });
  });

  it('keeps the amount within the tickets and what is left', () => {
    expect(checkTake('150', offer, { assets })).toMatchObject({ error: 'One borrower may take at most 100.00 USD from this offer.' });
    expect(checkTake('5', offer, { assets })).toMatchObject({ error: 'One borrower must take at least 10.00 USD from this offer.' });
    expect(checkTake('5', { ...offer, remaining: '5000000' }, { assets })).toMatchObject({ amount: 5_000_000n });
    expect(takeRange({ ...offer, remaining: '5000000' })).toEqual({ min: 5_000_000n, max: 5_000_000n });
  });

  it('names a collateral shortfall', () => {
    const balances = new Map([['COL', 1_000_000_000n]]);
    expect(checkTake('50', offer, { assets, balances })).toMatchObject({ error: 'This loan needs 75.00 COL of collateral but you hold 10.00 COL.' });
  });
});

describe('checkFunding', () => {
  it('funds up to what the request still needs and the lender holds', () => {
    const request: OrderTerms = { asset: 'USD', remaining: '40000000', ticket: null, collateral: null };
    expect(checkFunding('40', request, { assets })).toEqual({ amount: 40_000_000n });
    expect(checkFunding('41', request, { assets })).toMatchObject({ error: 'The request needs only 40.00 USD more.' });
    expect(checkFunding('30', request, { assets, balances: new Map([['USD', 1n]]) })).toMatchObject({ error: 'You hold 0.000001 USD you can spend.' });
  });
});
