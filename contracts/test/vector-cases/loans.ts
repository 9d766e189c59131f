/** loans.json: schedules, repayment, its split between lenders, and prepayment. */
import type { VectorCase } from '../vector-format.js';
import { scenario } from './scenario.js';
import { alice, AMORTIZING_3M, bob, bulletLoan, carol, eventsOf, expectBalances, GRACE, market, MONTH, twoLenderLoan, USD } from './shared.js';

export const loanCases = (): VectorCase[] => [
  scenario(
    'bullet-loan-repaid-on-schedule',
    'A 1,000 USD bullet loan at 12 % over three months: 10 USD interest a month, the principal with the last; paid at each due time, the collateral comes back and the loan counts as repaid on time.',
    market(),
    (s) => {
      const start = bulletLoan(s);
      s.expect('plan', s.loan(1).plan.map((i) => [i.interest, i.principal]), [[10_000_000n, 0n], [10_000_000n, 0n], [10_000_000n, 1_000_000_000n]]);
      s.tx(start + MONTH, s.sign(bob, 'repay', { loanId: 1, amount: 10n * USD }));
      s.expect('no late fee after grace', s.endBlock(start + MONTH + GRACE), []);
      s.tx(start + 2 * MONTH, s.sign(bob, 'repay', { loanId: 1, amount: 10n * USD }));
      const last = s.tx(start + 3 * MONTH, s.sign(bob, 'repay', { loanId: 1, amount: 1_010n * USD }));
      s.expect('collateral returned', eventsOf(last, 'loanRepaid')[0]?.collateralReturned, 50_000_000_000n);
      s.expect('loan 1 status', s.loan(1).status, 'repaid');
      expectBalances(s, [alice, 'USD', 10_030_000_000n], [bob, 'USD', 70_000_000n], [bob, 'COL', 100_000_000_000n]);
      s.expect('Bob credit', s.credit(bob), { loansTaken: 1, loansRepaid: 1, repaidOnTime: 1, latePayments: 0, defaults: 0 });
    },
  ),
  scenario(
    'amortizing-loan-repaid-on-schedule',
    'A 1,000 USD annuity at 12 % (1 % a month) in three installments: level payment 340.022111 USD, the last absorbing the rounding (340.022113).',
    market(),
    (s) => {
      const start = bulletLoan(s, AMORTIZING_3M);
      s.expect('plan', s.loan(1).plan, [
        { due: start + MONTH, interest: 10_000_000n, principal: 330_022_111n },
        { due: start + 2 * MONTH, interest: 6_699_779n, principal: 333_322_332n },
        { due: start + 3 * MONTH, interest: 3_366_556n, principal: 336_655_557n },
      ]);
      s.tx(start + MONTH, s.sign(bob, 'repay', { loanId: 1, amount: 340_022_111n }));
      s.tx(start + 2 * MONTH, s.sign(bob, 'repay', { loanId: 1, amount: 340_022_111n }));
      s.tx(start + 3 * MONTH, s.sign(bob, 'repay', { loanId: 1, amount: 340_022_113n }));
      s.expect('loan 1 interest paid', s.loan(1).totalPaid.interest, 20_066_335n);
      s.expect('loan 1 status', s.loan(1).status, 'repaid');
      expectBalances(s, [alice, 'USD', 10_020_066_335n], [bob, 'USD', 79_933_665n]);
    },
  ),
  scenario(
    'repayment-split-between-two-lenders',
    'Alice holds 1/3 of the loan, Carol 2/3. A 10-unit payment splits 3/7 (the odd unit goes to the larger remainder, Carol’s); a 5-unit payment splits 2/3 (now Alice’s remainder is larger).',
    market(),
    (s) => {
      const start = twoLenderLoan(s);
      const first = s.tx(start + 100, s.sign(bob, 'repay', { loanId: 1, amount: 10n }));
      s.expect('first split', eventsOf(first, 'repayment')[0]?.lenders.map((l) => l.interest), [3n, 7n]);
      const second = s.tx(start + 200, s.sign(bob, 'repay', { loanId: 1, amount: 5n }));
      s.expect('second split', eventsOf(second, 'repayment')[0]?.lenders.map((l) => l.interest), [2n, 3n]);
      expectBalances(s, [alice, 'USD', 9_700_000_005n], [carol, 'USD', 9_400_000_010n]);
      s.expect('loan 1 paid interest on installment 0', s.loan(1).paidInterest, 15n);
    },
  ),
  scenario(
    'prepayment-waives-future-interest',
    'Half way through the first month Bob pays the 1,000 USD bullet loan off: 5 USD of interest earned so far and the principal; the other 25 USD of scheduled interest is waived.',
    market(),
    (s) => {
      const start = bulletLoan(s);
      const events = s.tx(start + MONTH / 2, s.sign(bob, 'prepay', { loanId: 1 }));
      const repayment = eventsOf(events, 'repayment')[0];
      s.expect('prepayment figures', [repayment?.prepay, repayment?.interest, repayment?.principal, repayment?.interestWaived], [true, 5_000_000n, 1_000_000_000n, 25_000_000n]);
      s.expect('loan 1 status', s.loan(1).status, 'repaid');
      expectBalances(s, [alice, 'USD', 10_005_000_000n], [bob, 'USD', 95_000_000n], [bob, 'COL', 100_000_000_000n]);
      s.expect('Bob repaid on time', s.credit(bob).repaidOnTime, 1);
    },
  ),
];
