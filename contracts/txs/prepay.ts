import { refuse } from '../errors.js';
import { requireActive, requireLoan } from '../loans/lookup.js';
import { applyPrepayment, payoffQuote } from '../loans/payments.js';
import { catchUp } from '../loans/settlement.js';
import type { Loan } from '../state/records.js';
import { defineTx } from './definition.js';
import { checkFunds, loanIdBody } from './fields.js';

function requireBorrower(loan: Loan, signer: string): Loan {
  if (loan.borrower !== signer) refuse('NOT_BORROWER', `only the borrower may pay loan ${loan.id} off early`, { loanId: loan.id });
  return loan;
}

/**
 * The borrower pays the loan off before its schedule ends: late fees, interest earned to
 * date and all principal left; the interest of later periods is not owed.
 */
export const prepay = defineTx({
  type: 'prepay',
  body: loanIdBody,
  verify(state, ctx, { signer, body }) {
    const loan = requireBorrower(requireActive(requireLoan(state, body.loanId)), signer);
    const quote = payoffQuote(loan, ctx.time);
    checkFunds(state, signer, loan.asset, quote.lateFees + quote.interest + quote.principal);
  },
  execute(state, ctx, { signer, body }) {
    const loan = requireBorrower(requireActive(catchUp(state, body.loanId, ctx.time)), signer);
    applyPrepayment(state, loan, signer, ctx.time);
  },
});
