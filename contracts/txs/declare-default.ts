import { refuse } from '../errors.js';
import { requireActive, requireLoan } from '../loans/lookup.js';
import { catchUp } from '../loans/settlement.js';
import { defaultTime } from '../loans/timing.js';
import { defineTx } from './definition.js';
import { loanIdBody } from './fields.js';

/**
 * Anyone may declare a loan in default once its first unpaid installment is past due by
 * the default period; the collateral goes to the lenders. The end-of-block rule does the
 * same on its own; this lets a lender act in the block it sees the deadline pass.
 */
export const declareDefault = defineTx({
  type: 'declare-default',
  body: loanIdBody,
  verify(state, ctx, { body }) {
    const loan = requireActive(requireLoan(state, body.loanId));
    const at = defaultTime(loan, state.params());
    if (at === undefined || at > ctx.time) {
      refuse('NOT_IN_DEFAULT', `loan ${loan.id} is not in default before ${at}`, { loanId: loan.id, defaultsAt: at ?? 0 });
    }
  },
  execute(state, ctx, { signer, body }) {
    catchUp(state, body.loanId, ctx.time, signer);
  },
});
