import { integer, object, positiveAmount } from '../codec/schema.js';
import { refuse } from '../errors.js';
import { requireActive, requireLoan } from '../loans/lookup.js';
import { amountOwed, applyRepayment } from '../loans/payments.js';
import { catchUp } from '../loans/settlement.js';
import type { Loan } from '../state/records.js';
import { defineTx } from './definition.js';
import { checkFunds } from './fields.js';

function checkPayment(loan: Loan, amount: bigint): void {
  const owed = amountOwed(loan);
  if (amount > owed) refuse('OVERPAYMENT', `loan ${loan.id} has ${owed} left to pay`, { owed: owed.toString() });
}

const repayBody = object({ loanId: integer(1, Number.MAX_SAFE_INTEGER), amount: positiveAmount });

/**
 * Pays into a loan: late fees first, then each installment's interest and principal in due
 * order, split among the lenders pro rata. Anyone may pay; the loan's late fees and default
 * are brought up to the block's time first.
 */
export const repay = defineTx({
  type: 'repay',
  body: repayBody,
  verify(state, _ctx, { signer, body }) {
    const loan = requireActive(requireLoan(state, body.loanId));
    checkPayment(loan, body.amount);
    checkFunds(state, signer, loan.asset, body.amount);
  },
  execute(state, ctx, { signer, body }) {
    const loan = requireActive(catchUp(state, body.loanId, ctx.time));
    checkPayment(loan, body.amount);
    applyRepayment(state, loan, signer, body.amount, ctx.time);
  },
});
