import { tracked } from '@trpc/server';
import { z } from 'zod';
import { indexTicks } from '../live.js';
import { accountSummary, creditOf, eventsAfter, historyPage, portfolioOf } from '../queries/accounts.js';
import { txsOfSigner } from '../queries/chain.js';
import { loanPage } from '../queries/loans.js';
import { ordersOfOwner } from '../queries/orders.js';
import { decodeCursor, encodeCursor, pageInput, pageOf, accountInput } from '../wire.js';
import { publicProcedure, router } from '../trpc.js';
import { loanStatusInput } from './loans.js';

const account = z.object({ account: accountInput });
const eventType = z.string().regex(/^[a-zA-Z]{1,32}$/, 'must be an event type');

/** Events sent at once to a subscriber catching up. */
const CATCH_UP = 100;

/** Accounts: balances, history, credit record, orders, loans on both sides, and a portfolio summary. */
export const accountsRouter = router({
  /** Balances in every asset with what is escrowed, nonce and activity, as of the index. */
  balances: publicProcedure.input(account).query(({ ctx, input }) => accountSummary(ctx.db, input.account)),

  /** The account's events, newest first. */
  history: publicProcedure
    .input(z.object({ account: accountInput, types: z.array(eventType).max(20).optional(), ...pageInput }))
    .query(({ ctx, input }) => historyPage(ctx.db, input)),

  /** Its transactions, newest first. */
  txs: publicProcedure.input(z.object({ account: accountInput, ...pageInput })).query(({ ctx, input }) => txsOfSigner(ctx.db, input.account, input.limit, input.cursor)),

  /** Its record as a borrower. */
  credit: publicProcedure.input(account).query(({ ctx, input }) => creditOf(ctx.db, input.account)),

  /** Orders it posted, newest first. */
  orders: publicProcedure
    .input(
      z.object({
        account: accountInput,
        status: z.enum(['open', 'filled', 'cancelled', 'expired', 'accepted']).optional(),
        side: z.enum(['lend', 'borrow']).optional(),
        ...pageInput,
      }),
    )
    .query(async ({ ctx, input }) => {
      const scope = 'orders';
      const before = input.cursor ? decodeCursor(input.cursor, scope, ['n'])[0] : undefined;
      const rows = await ordersOfOwner(ctx.db, { owner: input.account, status: input.status, side: input.side, before, limit: input.limit });
      return pageOf(rows, input.limit, (last) => encodeCursor(scope, [last.id]));
    }),

  /** Its loans as borrower or as lender (with its share), newest first. */
  loans: publicProcedure
    .input(z.object({ account: accountInput, role: z.enum(['borrower', 'lender']), status: loanStatusInput.optional(), ...pageInput }))
    .query(({ ctx, input }) =>
      loanPage(ctx.db, {
        ...(input.role === 'borrower' ? { borrower: input.account } : { lender: input.account }),
        status: input.status,
        limit: input.limit,
        cursor: input.cursor,
      }),
    ),

  /** Outstanding, received, realised yield (as lender), owed and next payment (as borrower), per asset. */
  portfolio: publicProcedure.input(account).query(({ ctx, input }) => portfolioOf(ctx.db, input.account)),

  /**
   * The account's new events once indexed, each tracked by "height:seq": a client that
   * reconnects with its last id gets every event it missed, in order, then carries on live.
   */
  onEvents: publicProcedure
    .input(z.object({ account: accountInput, lastEventId: z.string().regex(/^\d{1,15}:\d{1,9}$/).nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      // A new subscriber starts after everything indexed so far (seq up to the int column's maximum).
      let after = { height: ctx.projector.indexedHeight(), seq: 2 ** 31 - 1 };
      if (input.lastEventId) {
        const [height, seq] = input.lastEventId.split(':').map(Number) as [number, number];
        after = { height, seq };
      }
      for await (const _ of indexTicks(ctx.projector, [signal, ctx.closing])) {
        for (;;) {
          const events = await eventsAfter(ctx.db, input.account, after, CATCH_UP);
          for (const event of events) {
            after = { height: event.height, seq: event.seq };
            yield tracked(`${event.height}:${event.seq}`, event);
          }
          if (events.length < CATCH_UP) break;
        }
      }
    }),
});
