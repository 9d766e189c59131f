/** refusals-loans.json: payments and defaults refused for the loan's state or the sender. */
import type { VectorCase } from '../vector-format.js';
import { refusal, type Scenario } from './scenario.js';
import { alice, bob, bulletLoan, DEFAULT_PERIOD, market, MONTH, T0, USD } from './shared.js';

/** A refusal's setup: Bob's bullet loan from Alice is loan 1, made at T0+100; then `wire` is refused. */
const afterBulletLoan =
  (wire: (s: Scenario) => string) =>
  (s: Scenario): string => {
    bulletLoan(s);
    return wire(s);
  };

export const loanRefusals = (): VectorCase[] => [
  refusal('repay-unknown-loan', 'There is no loan 9.', market(), T0, 'LOAN_NOT_FOUND', (s) => s.sign(bob, 'repay', { loanId: 9, amount: 1n })),
  refusal(
    'repay-a-repaid-loan',
    'Bob paid the loan off; a further payment is refused.',
    market(),
    T0 + 1000,
    'LOAN_CLOSED',
    afterBulletLoan((s) => {
      s.block(T0 + 500, s.sign(bob, 'prepay', { loanId: 1 }));
      return s.sign(bob, 'repay', { loanId: 1, amount: 1n });
    }),
  ),
  refusal('prepay-by-a-lender', 'Only the borrower may pay a loan off early.', market(), T0 + 1000, 'NOT_BORROWER', afterBulletLoan((s) => s.sign(alice, 'prepay', { loanId: 1 }))),
  refusal('repay-more-than-owed', 'The loan owes 1,030 USD in all; Bob sends 1,030.000001.', market(), T0 + 1000, 'OVERPAYMENT', afterBulletLoan((s) => s.sign(bob, 'repay', { loanId: 1, amount: 1_030n * USD + 1n }))),
  refusal(
    'declare-default-too-early',
    'One second before due+120 the loan is late but not in default.',
    market(),
    T0 + 100 + MONTH + DEFAULT_PERIOD - 1,
    'NOT_IN_DEFAULT',
    afterBulletLoan((s) => s.sign(alice, 'declare-default', { loanId: 1 })),
  ),
];
