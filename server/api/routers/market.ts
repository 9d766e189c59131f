import { z } from 'zod';
import { notFound } from '../errors.js';
import { bookPage, depth, ratesByTerm } from '../queries/book.js';
import { orderById } from '../queries/orders.js';
import { accountInput, amountInput, assetInput, bpsInput, pageInput, secondsInput, sequenceInput } from '../wire.js';
import { type ApiContext, publicProcedure, router } from '../trpc.js';

const side = z.enum(['lend', 'borrow']);
const count = z.number().int().min(0).max(1_000_000);

const bookInput = z
  .object({
    side,
    asset: assetInput.optional(),
    amountMin: amountInput.optional(),
    amountMax: amountInput.optional(),
    rateMinBps: bpsInput.optional(),
    rateMaxBps: bpsInput.optional(),
    termMin: secondsInput.optional(),
    termMax: secondsInput.optional(),
    schedule: z.enum(['amortizing', 'bullet']).optional(),
    installmentsMin: z.number().int().min(1).max(1000).optional(),
    installmentsMax: z.number().int().min(1).max(1000).optional(),
    collateral: z.enum(['none', 'required']).optional(),
    collateralAsset: assetInput.optional(),
    maxDefaults: count.optional(),
    minLoansRepaid: count.optional(),
    owner: accountInput.optional(),
    sort: z.enum(['rate', 'amount', 'term', 'newest']).default('rate'),
    // Not `direction`: tRPC's infinite queries write their own `direction` into the input.
    sortDirection: z.enum(['asc', 'desc']).optional(),
    ...pageInput,
  })
  .refine((q) => q.collateral !== 'none' || q.collateralAsset === undefined, { message: 'collateral "none" cannot name a collateral asset', path: ['collateralAsset'] });

/**
 * The time the book is shown at: the next block's time is at least the head's and the clock's,
 * so an order expired by then can no longer be taken and is left out.
 */
function bookTime(ctx: ApiContext): number {
  return Math.max(ctx.node.status().time, Math.floor(Date.now() / 1000));
}

/** The order book: both sides, filtered, sorted and paginated; orders; charts of rates and depth. */
export const marketRouter = router({
  /** Open orders of one side, with their owners' credit records. */
  book: publicProcedure.input(bookInput).query(({ ctx, input }) => bookPage(ctx.db, { ...input, now: bookTime(ctx) })),

  /** An order whatever its state (open, filled, cancelled, expired, accepted), with its commitments and events. */
  order: publicProcedure.input(z.object({ id: sequenceInput })).query(async ({ ctx, input }) => {
    const order = await orderById(ctx.db, input.id);
    if (!order) throw notFound(`order ${input.id}`);
    return order;
  }),

  /** For a chart: per term bucket, the lowest, mean and highest rate and how many orders. */
  ratesByTerm: publicProcedure
    .input(z.object({ side, asset: assetInput, bucketSeconds: z.number().int().min(60).max(40 * 365 * 86_400).default(30 * 86_400) }))
    .query(({ ctx, input }) => ratesByTerm(ctx.db, { ...input, now: bookTime(ctx) })),

  /** For a depth chart: what is on each side at each rate, and cumulated from the best rate. */
  depth: publicProcedure.input(z.object({ asset: assetInput, levels: z.number().int().min(1).max(500).default(100) })).query(async ({ ctx, input }) => {
    const now = bookTime(ctx);
    const [lend, borrow] = await Promise.all([
      depth(ctx.db, { side: 'lend', asset: input.asset, levels: input.levels, now }),
      depth(ctx.db, { side: 'borrow', asset: input.asset, levels: input.levels, now }),
    ]);
    return { asset: input.asset, lend, borrow };
  }),
});
