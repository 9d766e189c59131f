import type { Decoder } from '../codec/schema.js';
import type { MarketState } from '../state/market-state.js';
import type { Transaction } from '../tx/envelope.js';

/** The block a transaction or an end-of-block rule runs in. Time is the block's, in seconds. */
export interface BlockContext {
  readonly height: number;
  readonly time: number;
}

/**
 * One transaction type: the schema of its body, a `verify` that only reads state and
 * refuses what the rules refuse, and an `execute` that writes the change. `execute` runs
 * inside an all-or-nothing scope, so if it still finds a reason to refuse, nothing it wrote
 * survives.
 */
export interface TxDefinition<Body, Type extends string = string> {
  readonly type: Type;
  readonly body: Decoder<Body>;
  verify(state: MarketState, ctx: BlockContext, tx: Transaction<Body>): void;
  execute(state: MarketState, ctx: BlockContext, tx: Transaction<Body>): void;
}

export function defineTx<Body, const Type extends string>(definition: TxDefinition<Body, Type>): TxDefinition<Body, Type> {
  return definition;
}
