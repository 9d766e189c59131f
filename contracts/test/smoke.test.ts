import { describe, expect, it } from 'vitest';
import { endBlock, processTransaction } from '../machine.js';
import { testKey, testState, Wallets } from './fixtures.js';

describe('a loan from offer to repayment', () => {
  it('lends, repays every installment and returns the collateral', () => {
    const state = testState();
    const w = new Wallets();
    const lender = testKey('lender');
    const borrower = testKey('borrower');
    let time = 1_000;
    const run = (tx: { encoded: string }) => {
      const out = processTransaction(state, { height: 1, time }, tx.encoded);
      if (!out.ok) throw out.refusal;
      return out;
    };
    run(w.sign(lender, 'faucet', { asset: 'USD', amount: 10_000_000_000n }));
    run(w.sign(borrower, 'faucet', { asset: 'COL', amount: 5_000_000_000n }));
    run(w.sign(borrower, 'faucet', { asset: 'USD', amount: 10_000_000n }));
    run(w.sign(lender, 'post-lend-offer', {
      asset: 'USD', amount: 5_000_000_000n, minTicket: 1_000_000n, maxTicket: 5_000_000_000n, aprBps: 1200,
      term: 1200, schedule: 'amortizing', installments: 12, collateral: { asset: 'COL', ratioBps: 5000 }, expiresAt: 100_000,
    }));
    const take = run(w.sign(borrower, 'take-offer', { orderId: 1, amount: 100_000_000n }));
    expect(take.events.some((e) => e.type === 'loanOriginated')).toBe(true);
    const loan = state.loan(1)!;
    expect(loan.collateral?.amount).toBe(5_000_000_000n); // 100 USD at 0.5 COL per USD, 8 decimals
    for (const installment of loan.plan) {
      time = installment.due;
      run(w.sign(borrower, 'repay', { loanId: 1, amount: installment.principal + installment.interest }));
      endBlock(state, { height: 2, time });
    }
    expect(state.loan(1)!.status).toBe('repaid');
    expect(state.balance(borrower.account, 'COL')).toBe(5_000_000_000n);
    expect(state.credit(borrower.account)).toMatchObject({ loansTaken: 1, loansRepaid: 1, repaidOnTime: 1 });
  });
});
