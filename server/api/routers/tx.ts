import { z } from 'zod';
import { bodyDecoder, decodeTransaction, isRefusal, MAX_TX_BYTES } from '../../../contracts/index.js';
import { refusalError } from '../errors.js';
import { waitIndexed } from '../live.js';
import { indexedTx } from '../queries/chain.js';
import { hashInput } from '../wire.js';
import { publicProcedure, router, type ApiContext } from '../trpc.js';

/** How long a committed submission waits for its block to reach the index before answering. */
const INDEX_WAIT_MS = 5_000;

const submitInput = z.object({
  /** A signed transaction's wire form: its canonical JSON envelope. */
  wire: z.string().min(1).max(MAX_TX_BYTES, `must be a signed transaction of at most ${MAX_TX_BYTES} bytes`),
  /** Wait for the block (default), or answer "pending" once the transaction is decoded. */
  wait: z.boolean().default(true),
});

/** The id of a wire transaction, or its coded refusal: what the node would say before it checks the signature. */
function decodedId(ctx: ApiContext, wire: string): string {
  try {
    return decodeTransaction(wire, { chainId: ctx.node.chainId, bodyOf: bodyDecoder, checkSignerKey: false }).id;
  } catch (error) {
    if (isRefusal(error)) throw refusalError({ code: error.code, message: error.message }, error.details);
    throw error;
  }
}

/** The only write: a transaction signed by its sender. And where a transaction is. */
export const txRouter = router({
  /**
   * Submits a signed transaction. Committed: its height and position, once the index holds its
   * block (`indexed` says whether it did within 5 s). Refused: a client error whose `data.code`
   * is the refusal code (INSUFFICIENT_FUNDS, BAD_SIGNATURE, BAD_NONCE, …); nothing changed.
   */
  submit: publicProcedure.input(submitInput).mutation(async ({ ctx, input, signal }) => {
    const id = decodedId(ctx, input.wire);
    const outcome = ctx.submissions.track(id, ctx.node.submit(input.wire));
    if (!input.wait) {
      // The outcome is kept for tx.status; nobody waits on it here.
      outcome.catch(() => undefined);
      return { status: 'pending' as const, id };
    }
    const result = await outcome;
    if (result.status === 'refused') throw refusalError(result, result.details);
    const indexed = await waitIndexed(ctx.projector, result.height, INDEX_WAIT_MS, signal);
    return { status: 'committed' as const, id: result.id, height: result.height, index: result.index, indexed };
  }),

  /** Where a transaction is: committed (with its place), pending (submitted here, waiting), refused here, or unknown. */
  status: publicProcedure.input(z.object({ id: hashInput })).query(async ({ ctx, input }) => {
    const indexed = await indexedTx(ctx.db, input.id);
    if (indexed) return { status: 'committed' as const, id: input.id, height: indexed.height, index: indexed.position, indexed: true };
    const stored = await ctx.node.transaction(input.id);
    if (stored) return { status: 'committed' as const, id: input.id, height: stored.header.height, index: stored.index, indexed: false };
    if (ctx.submissions.isPending(input.id)) return { status: 'pending' as const, id: input.id };
    const outcome = ctx.submissions.outcome(input.id);
    if (outcome?.status === 'refused') return { status: 'refused' as const, id: input.id, code: outcome.code, message: outcome.message };
    return { status: 'unknown' as const, id: input.id };
  }),
});
