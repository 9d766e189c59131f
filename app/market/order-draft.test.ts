import { describe, expect, it } from 'vitest';
import type { AssetInfo } from '../wallet/describe';
import { borrowRequestDraft, lendOfferDraft, planSummary, type BorrowForm, type LendForm } from './order-draft';

const assets = new Map<string, AssetInfo>([
  ['USD', { id: 'USD', name: 'US Dollar', decimals: 6 }],
  ['COL', { id: 'COL', name: 'Collateral', decimals: 6 }],
]);
const now = 1_700_000_000;
const terms = { asset: 'USD', amount: '250', rate: '7.25', termCount: '3', termUnit: 'months', schedule: 'amortizing', installments: '3', collateralOn: false, collateralAsset: 'COL', expiresCount: '30', expiresUnit: 'days' } as const;
const lend: LendForm = { ...terms, minTicket: '', maxTicket: '100', collateralRatio: '150' };
const borrow: BorrowForm = { ...terms, collateralAmount: '400', partial: true };

describe('lendOfferDraft', () => {
  it('builds the post-lend-offer body in minor units and seconds', () => {
    expect(lendOfferDraft({ ...lend, collateralOn: true }, { assets, now })).toEqual({
      draft: {
        type: 'post-lend-offer',
        body: { asset: 'USD', amount: 250_000_000n, aprBps: 725, term: 7_776_000, schedule: 'amortizing', installments: 3, expiresAt: now + 30 * 86_400, minTicket: 1n, maxTicket: 100_000_000n, collateral: { asset: 'COL', ratioBps: 15_000 } },
      },
    });
  });

  it('refuses in plain words what the chain would refuse', () => {
    const result = lendOfferDraft({ ...lend, installments: '7', minTicket: '200', collateralOn: true, collateralAsset: 'USD' }, { assets, now, balances: new Map([['USD', 100_000_000n]]) });
    expect('errors' in result && result.errors).toEqual({
      installments: 'A term of 3 months does not split into 7 equal periods. Choose a number that divides it evenly.',
      maxTicket: 'The largest loan is below the smallest.',
      amount: 'The offer needs 250.00 USD but you hold 100.00 USD.',
      collateralAsset: 'The collateral must be another asset than the loan.',
    });
  });
});

describe('borrowRequestDraft', () => {
  it('builds the post-borrow-request body with its collateral', () => {
    const result = borrowRequestDraft({ ...borrow, collateralOn: true, schedule: 'bullet' }, { assets, now });
    expect(result).toEqual({
      draft: {
        type: 'post-borrow-request',
        body: { asset: 'USD', amount: 250_000_000n, maxAprBps: 725, term: 7_776_000, schedule: 'bullet', installments: 3, expiresAt: now + 30 * 86_400, partial: true, collateral: { asset: 'COL', amount: 400_000_000n } },
      },
    });
  });

  it('leaves collateral out when none is offered', () => {
    const result = borrowRequestDraft(borrow, { assets, now });
    expect('draft' in result && 'collateral' in result.draft.body).toBe(false);
  });
});

describe('planSummary', () => {
  it('adds up the chain schedule: a bullet loan pays interest each period and the principal at the end', () => {
    const summary = planSummary(1_000_000_000n, 1_200, 31_536_000, 12, 'bullet');
    expect(summary?.firstPayment).toBe(10_000_000n);
    expect(summary?.lastPayment).toBe(1_010_000_000n);
    expect(summary?.interest).toBe(120_000_000n);
  });
});
