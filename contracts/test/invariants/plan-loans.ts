/** Planning the transactions on a loan: repay, prepay and declare a default. */
import { amountOwed } from '../../loans/payments.js';
import type { Loan } from '../../state/records.js';
import type { ActionOf } from './actions.js';
import { actorFor, actorOfAccount, atLeastOne, finish, pct, pick, type Planned, type RunContext } from './planned.js';
import { allLoans } from './state-queries.js';

type LoanAction = ActionOf<'repay' | 'prepay' | 'declareDefault'>;

/** Usually an active loan (an overdue one to declare in default), sometimes any loan, closed or not. */
function pickLoan(run: RunContext, a: LoanAction): Loan | undefined {
  const loans = allLoans(run.state);
  const active = loans.filter((l) => l.status === 'active');
  if (a.pick % 8 === 7) return pick(loans, a.pick);
  const { defaultPeriod } = run.state.params();
  const overdue = active.filter((l) => (l.plan[l.paidInstallments] as Loan['plan'][number]).due + defaultPeriod <= run.time);
  if (a.kind === 'declareDefault' && overdue.length > 0) return pick(overdue, a.pick);
  return pick(active, a.pick) ?? pick(loans, a.pick);
}

function repayAmount(loan: Loan, a: ActionOf<'repay'>): bigint {
  const owed = amountOwed(loan);
  const current = loan.plan[loan.paidInstallments];
  const next = loan.lateFeeOwed + (current ? current.interest + current.principal - loan.paidInterest - loan.paidPrincipal : 0n);
  switch (a.mode) {
    case 'next':
      return next;
    case 'percent':
      return pct(owed, a.percent);
    case 'all':
      return owed;
    case 'over':
      return owed + 1n + BigInt(a.percent);
    case 'tiny':
      return BigInt(a.percent % 10);
  }
}

export function planLoanAction(run: RunContext, a: LoanAction): Planned {
  const loan = pickLoan(run, a);
  const loanId = loan ? loan.id : 1 + (a.pick % 3);
  const borrower = loan && a.kind !== 'declareDefault' && a.byBorrower ? actorOfAccount(run, loan.borrower) : undefined;
  const signer = borrower ?? actorFor(run, a.who);
  switch (a.kind) {
    case 'prepay':
      return finish(run, signer, 'prepay', { loanId }, a.tamper);
    case 'declareDefault':
      return finish(run, signer, 'declare-default', { loanId }, a.tamper);
    case 'repay':
      return finish(run, signer, 'repay', { loanId, amount: atLeastOne(loan ? repayAmount(loan, a) : 1n) }, a.tamper);
  }
}
