import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../contracts/loans/schedule';
import { amountOwed } from '../../contracts/loans/payments';
import { nextInstallment, payoffEstimate, totalOwed, type LoanFile } from './loan-math';

// The 1 000 USD, 12 % loan of docs/protocol.md §9.8.
const plan = buildPlan({ principal: 1_000_000_000n, aprBps: 1200, term: 31_536_000, installments: 12, schedule: 'amortizing', startTime: 1_700_000_000 }).map((i, n) => ({
  number: n + 1,
  due: i.due,
  principal: i.principal.toString(),
  interest: i.interest.toString(),
}));
const fresh: LoanFile = { term: 31_536_000, installments: 12, status: 'active', paidInstallments: 0, paidInterest: '0', paidPrincipal: '0', lateFeeOwed: '0', plan };

describe('nextInstallment', () => {
  it('is the level payment on a fresh loan', () => {
    expect(nextInstallment(fresh)).toEqual({ index: 0, due: 1_702_628_000, amount: 88_848_789n });
  });

  it('adds late fees and takes off what is already paid of the installment', () => {
    const loan = { ...fresh, paidInstallments: 1, paidInterest: '9211512', paidPrincipal: '1000', lateFeeOwed: '4442439' };
    expect(nextInstallment(loan)?.amount).toBe(4_442_439n + 79_637_277n - 1000n);
  });

  it('is nothing once the loan is closed', () => {
    expect(nextInstallment({ ...fresh, status: 'repaid' })).toBeUndefined();
  });
});

describe('payoffEstimate', () => {
  it('matches the protocol example: three paid, 1 000 000 s after the third due time', () => {
    const loan = { ...fresh, paidInstallments: 3 };
    const principalLeft = 1_000_000_000n - 78_848_789n - 79_637_277n - 80_433_650n;
    expect(payoffEstimate(loan, 1_707_884_000 + 1_000_000)).toBe(principalLeft + 2_896_044n);
  });
});

describe('totalOwed', () => {
  it('equals contracts/ amountOwed on the same loan: late fees, then every unpaid installment less what is paid of the first', () => {
    const loan = { ...fresh, paidInstallments: 1, paidInterest: '9211512', paidPrincipal: '1000', lateFeeOwed: '4442439' };
    const contractsLoan = {
      plan: plan.map((i) => ({ due: i.due, principal: BigInt(i.principal), interest: BigInt(i.interest) })),
      paidInstallments: 1,
      paidInterest: 9_211_512n,
      paidPrincipal: 1_000n,
      lateFeeOwed: 4_442_439n,
    } as unknown as Parameters<typeof amountOwed>[0];
    expect(totalOwed(loan)).toBe(amountOwed(contractsLoan));
    expect(totalOwed(fresh)).toBe(plan.reduce((sum, i) => sum + BigInt(i.principal) + BigInt(i.interest), 0n));
    expect(totalOwed({ ...fresh, status: 'repaid' })).toBe(0n);
  });
});
