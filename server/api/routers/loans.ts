import { z } from 'zod';
import { notFound } from '../errors.js';
import { loanById, loanPage } from '../queries/loans.js';
import { accountInput, assetInput, pageInput, sequenceInput } from '../wire.js';
import { publicProcedure, router } from '../trpc.js';

export const loanStatusInput = z.enum(['active', 'repaid', 'defaulted']);

/** Loans: one with its whole file (shares, plan, payments, events), and lists. */
export const loansRouter = router({
  byId: publicProcedure.input(z.object({ id: sequenceInput })).query(async ({ ctx, input }) => {
    const loan = await loanById(ctx.db, input.id);
    if (!loan) throw notFound(`loan ${input.id}`);
    return loan;
  }),

  /** Loans newest first, by borrower, lender (with that lender's share), asset and status. */
  list: publicProcedure
    .input(z.object({ borrower: accountInput.optional(), lender: accountInput.optional(), asset: assetInput.optional(), status: loanStatusInput.optional(), ...pageInput }))
    .query(({ ctx, input }) => loanPage(ctx.db, input)),
});
