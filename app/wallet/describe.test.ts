import { describe, expect, it } from 'vitest';
import { describeDraft, refusalText, type AssetInfo } from './describe';

const assets = new Map<string, AssetInfo>([
  ['USD', { id: 'USD', name: 'US Dollar', decimals: 6 }],
  ['COL', { id: 'COL', name: 'Collateral', decimals: 6 }],
]);
const signer = 'a'.repeat(64);

describe('describeDraft', () => {
  it('words a faucet draft with the amount in its units', () => {
    expect(describeDraft({ type: 'faucet', body: { asset: 'USD', amount: 1_000_000_000n } }, signer, assets)).toBe('Send 1,000.00 USD (US Dollar) to you from the devnet faucet.');
  });

  it('words a lend offer with its rate, term, schedule, tickets, collateral and expiry', () => {
    const text = describeDraft(
      {
        type: 'post-lend-offer',
        body: {
          asset: 'USD',
          amount: 250_000_000n,
          minTicket: 10_000_000n,
          maxTicket: 250_000_000n,
          aprBps: 725,
          term: 7_776_000,
          schedule: 'amortizing',
          installments: 3,
          collateral: { asset: 'COL', ratioBps: 15_000 },
          expiresAt: 1_767_225_600,
        },
      },
      signer,
      assets,
    );
    expect(text).toBe(
      'Offer to lend 250.00 USD (US Dollar) at 7.25 % APR for 3 months, repaid in 3 equal installments, in loans of 10.00 USD to 250.00 USD each; borrowers must lock 150 % of each loan\'s value in COL. The 250.00 USD stays in escrow until it is lent, you cancel, or the offer expires on 2026-01-01 00:00 UTC.',
    );
  });

  it('words a borrow request with its collateral and funding rule', () => {
    const text = describeDraft(
      {
        type: 'post-borrow-request',
        body: { asset: 'USD', amount: 2_500_000_000n, maxAprBps: 950, term: 7_776_000, schedule: 'bullet', installments: 3, collateral: { asset: 'COL', amount: 40_000_000n }, partial: false, expiresAt: 1_767_225_600 },
      },
      signer,
      assets,
    );
    expect(text).toContain('Ask to borrow 2,500.00 USD (US Dollar) at up to 9.5 % APR for 3 months');
    expect(text).toContain('interest in 3 installments and the principal with the last');
    expect(text).toContain('locking 40.00 COL (Collateral) as collateral');
    expect(text).toContain('must be funded in full or not at all');
  });
});

describe('refusalText', () => {
  it('gives known codes plain words and capitalises others', () => {
    expect(refusalText('INSUFFICIENT_FUNDS', 'x')).toBe('This account does not hold enough for that.');
    const details = { account: 'ab'.repeat(32), asset: 'COL', needed: '75000000', available: '10000000' };
    expect(refusalText('INSUFFICIENT_FUNDS', 'x', { details, assets })).toBe('This account holds 10.00 COL it can spend, and this needs 75.00 COL. Nothing was changed.');
    expect(refusalText('OVERPAYMENT', 'loan 3 has 51020000 left to pay', { details: { owed: '51020000' }, asset: 'USD', assets })).toBe(
      'That is more than the loan owes: 51.02 USD is left to pay in all. Nothing was changed.',
    );
    // Figures that are not there or not amounts: the plain words without them.
    expect(refusalText('OVERPAYMENT', 'loan 3 has 5 left to pay', { details: { owed: 5 }, asset: 'USD', assets })).toBe('Loan 3 has 5 left to pay.');
    expect(refusalText('INVALID_TERMS', 'the term must divide evenly into the installments')).toBe('The term must divide evenly into the installments.');
  });
});

describe('describeDraft for loans', () => {
  it('words a take with its amount and the collateral it locks', () => {
    const text = describeDraft({ type: 'take-offer', body: { orderId: 3, amount: 50_000_000n }, context: { asset: 'USD', collateral: { asset: 'COL', amount: 75_000_000n } } }, signer, assets);
    expect(text).toBe('Borrow 50.00 USD (US Dollar) from lend offer #3 at its rate and terms, locking 75.00 COL (Collateral) of yours as collateral until the loan is repaid. The loan is paid to you at once.');
  });

  it('words a funding and a repayment in the loan asset', () => {
    expect(describeDraft({ type: 'fund-request', body: { orderId: 4, amount: 20_000_000n }, context: { asset: 'USD' } }, signer, assets)).toContain('Lend 20.00 USD (US Dollar) to borrow request #4');
    expect(describeDraft({ type: 'repay', body: { loanId: 2, amount: 17_003_412n }, context: { asset: 'USD' } }, signer, assets)).toContain('Pay 17.003412 USD (US Dollar) into loan #2');
  });

  it('falls back to minor units without the asset', () => {
    expect(describeDraft({ type: 'repay', body: { loanId: 2, amount: 5n } }, signer, assets)).toContain('Pay 5 minor units into loan #2');
  });
});
