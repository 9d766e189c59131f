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
