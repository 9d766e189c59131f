import {
  applyTransaction,
  type BlockContext,
  endBlock,
  isRefusal,
  type MarketEvent,
  type MarketState,
  type Refusal,
  type SignedTransaction,
  type StateValue,
} from '../../contracts/index.js';

/** What running a block's transactions and end-of-block rules did to the state. */
export interface ExecutedBlock {
  readonly included: readonly SignedTransaction<unknown>[];
  /** Events of each included transaction, in order. */
  readonly txEvents: readonly (readonly MarketEvent[])[];
  readonly endEvents: readonly MarketEvent[];
  /** Every key the block changed, with its new value (undefined: deleted). */
  readonly changes: Map<string, StateValue | undefined>;
}

/** A block whose transactions do not all apply: no honest proposer makes one. */
export class InvalidBlockError extends Error {
  override readonly name = 'InvalidBlockError';
  constructor(
    readonly height: number,
    readonly index: number,
    readonly refusal: Refusal,
  ) {
    super(`block ${height}: transaction ${index} is refused (${refusal.code}: ${refusal.message})`);
  }
}

/**
 * Builds a block on `state` from candidate transactions (signatures already checked): each
 * one that the market's rules accept is applied and included; each refused one is left out
 * with its refusal, changing nothing. Then the end-of-block rules run at the block's time.
 */
export function proposeBlock(
  state: MarketState,
  ctx: BlockContext,
  candidates: readonly SignedTransaction<unknown>[],
): ExecutedBlock & { readonly refused: readonly { readonly tx: SignedTransaction<unknown>; readonly refusal: Refusal }[] } {
  state.takeChanges(); // start the block's change set from nothing
  const included: SignedTransaction<unknown>[] = [];
  const txEvents: MarketEvent[][] = [];
  const refused: { tx: SignedTransaction<unknown>; refusal: Refusal }[] = [];
  for (const signed of candidates) {
    try {
      txEvents.push(applyTransaction(state, ctx, signed.tx));
      included.push(signed);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      refused.push({ tx: signed, refusal: error });
    }
  }
  const endEvents = endBlock(state, ctx);
  return { included, txEvents, endEvents, refused, changes: state.takeChanges() };
}

/** Transactions already applied, in order, on a fork of the state a block is built on. */
export interface PendingBlock {
  /** The fork they were applied to, taken from the block's base and at the block's context. */
  readonly fork: MarketState;
  readonly included: readonly SignedTransaction<unknown>[];
  /** Events of each transaction as it was applied on the fork, in order. */
  readonly txEvents: readonly (readonly MarketEvent[])[];
}

/**
 * Builds a block on `state` from transactions that were already applied, in order and at this
 * block's height and time, on a fork of it (the mempool's pending state): the fork's writes are
 * taken in rather than executing the transactions again, then the end-of-block rules run. The
 * result is what proposeBlock gives for the same transactions, with none refused, since
 * execution is deterministic: the same transactions on the same state at the same context.
 */
export function absorbBlock(state: MarketState, ctx: BlockContext, pending: PendingBlock): ExecutedBlock {
  state.takeChanges(); // start the block's change set from nothing
  state.absorb(pending.fork);
  const endEvents = endBlock(state, ctx);
  return { included: pending.included, txEvents: pending.txEvents, endEvents, changes: state.takeChanges() };
}

/**
 * Re-executes a committed or proposed block on `state`: every transaction must apply, in
 * order, or the block is invalid (and the caller must discard `state`, which holds the
 * transactions before the refused one).
 */
export function replayBlock(state: MarketState, ctx: BlockContext, txs: readonly SignedTransaction<unknown>[]): ExecutedBlock {
  state.takeChanges();
  const txEvents: MarketEvent[][] = [];
  txs.forEach((signed, index) => {
    try {
      txEvents.push(applyTransaction(state, ctx, signed.tx));
    } catch (error) {
      if (isRefusal(error)) throw new InvalidBlockError(ctx.height, index, error);
      throw error;
    }
  });
  const endEvents = endBlock(state, ctx);
  return { included: txs, txEvents, endEvents, changes: state.takeChanges() };
}
