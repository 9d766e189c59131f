/** lateness-default.json: late fees after the grace period, and default by the end-of-block rule or by a transaction. */
import type { VectorCase } from '../vector-format.js';
import { scenario } from './scenario.js';
import { alice, bob, bulletLoan, carol, dave, DEFAULT_PERIOD, eventsOf, expectBalances, GRACE, market, MONTH, twoLenderLoan } from './shared.js';

/** Bob's credit record after his one loan defaulted, having been late once. */
const DEFAULTED_ONCE = { loansTaken: 1, loansRepaid: 0, repaidOnTime: 0, latePayments: 1, defaults: 1 };

export const latenessCases = (): VectorCase[] => [
  scenario(
    'late-fee-at-due-plus-grace',
    'The first 10 USD installment goes unpaid: nothing at due+29; at due+30 it is late and a 5 % fee (0.5 USD) is owed; Bob’s next payment pays the fee first.',
    market(),
    (s) => {
      const due = bulletLoan(s) + MONTH;
      s.expect('events at due+29', s.endBlock(due + GRACE - 1), []);
      const late = eventsOf(s.endBlock(due + GRACE), 'installmentLate');
      s.expect('late installment and fee', late.map((event) => [event.installment, event.fee]), [[0, 500_000n]]);
      const repaid = eventsOf(s.tx(due + 40, s.sign(bob, 'repay', { loanId: 1, amount: 10_500_000n })), 'repayment')[0];
      s.expect('payment parts', [repaid?.lateFees, repaid?.interest, repaid?.principal], [500_000n, 10_000_000n, 0n]);
      s.expect('loan 1 progress', [s.loan(1).paidInstallments, s.loan(1).lateFeeOwed, s.loan(1).lateInstallments], [1, 0n, 1]);
      expectBalances(s, [alice, 'USD', 9_010_500_000n]);
      s.expect('Bob late payments', s.credit(bob).latePayments, 1);
    },
  ),
  scenario(
    'default-at-end-of-block-splits-collateral',
    'Bob never pays the two-lender loan: late at due+30 (fee 0.45 USD), in default at due+120, and the 1,000 COL goes 1/3 to Alice and 2/3 to Carol (the odd unit to Carol’s larger remainder).',
    market(),
    (s) => {
      const due = twoLenderLoan(s) + MONTH;
      s.expect('late fee', eventsOf(s.endBlock(due + GRACE), 'installmentLate').map((event) => event.fee), [450_000n]);
      s.expect('events at due+119', s.endBlock(due + DEFAULT_PERIOD - 1), []);
      const defaulted = eventsOf(s.endBlock(due + DEFAULT_PERIOD), 'loanDefaulted')[0];
      s.expect('collateral split', defaulted?.collateral, [
        { lender: alice.account, amount: 33_333_333_333n },
        { lender: carol.account, amount: 66_666_666_667n },
      ]);
      s.expect('declared by', defaulted?.declaredBy, undefined);
      s.expect('loan 1 status', s.loan(1).status, 'defaulted');
      expectBalances(s, [alice, 'COL', 33_333_333_333n], [carol, 'COL', 66_666_666_667n]);
      s.expect('Bob credit', s.credit(bob), DEFAULTED_ONCE);
    },
  ),
  scenario(
    'declare-default-by-transaction',
    'At due+120, before the end of the block, Dave (any account) declares Bob’s loan in default; the 500 COL goes to Alice.',
    market(),
    (s) => {
      const due = bulletLoan(s) + MONTH;
      s.block(due + GRACE); // the end-of-block rule charges the late fee
      const events = s.tx(due + DEFAULT_PERIOD, s.sign(dave, 'declare-default', { loanId: 1 }));
      const defaulted = eventsOf(events, 'loanDefaulted')[0];
      s.expect('declared by', defaulted?.declaredBy, dave.account);
      s.expect('collateral', defaulted?.collateral, [{ lender: alice.account, amount: 50_000_000_000n }]);
      s.expect('loan 1 status', s.loan(1).status, 'defaulted');
      expectBalances(s, [alice, 'COL', 50_000_000_000n]);
      s.expect('Bob credit', s.credit(bob), DEFAULTED_ONCE);
    },
  ),
];
