/**
 * Determinism: a state rebuilt from its records mid-run behaves as the original, and replaying
 * a run's blocks from genesis gives the same outcomes, events and final state.
 */
import { endBlock, genesisState, processTransaction, type TxOutcome } from '../../machine.js';
import type { MarketGenesis } from '../../params.js';
import type { MarketState } from '../../state/market-state.js';
import type { BlockContext } from '../../txs/definition.js';
import { canon, check } from './check.js';
import { cachedVerify } from './signing.js';

/** A block as it ran: its wires, their outcomes and, once closed, its end-of-block events. */
export interface Block {
  readonly ctx: BlockContext;
  readonly wires: string[];
  readonly outcomes: string[];
  endEvents?: string;
}

export function emptyBlock(ctx: BlockContext): Block {
  return { ctx, wires: [], outcomes: [] };
}

/** A transaction's outcome as text: the id and events it applied with, or its refusal code. */
export function outcomeKey(outcome: TxOutcome): string {
  return outcome.ok ? `ok ${outcome.id} ${canon(outcome.events)}` : `refused ${outcome.refusal.code} ${outcome.id ?? ''}`;
}

/** The rebuilt state gives the wire the outcome the original gave it. */
export function checkRebuiltTx(rebuilt: MarketState, ctx: BlockContext, wire: string, outcome: TxOutcome, step: number): void {
  const again = outcomeKey(processTransaction(rebuilt, ctx, wire, cachedVerify));
  const original = outcomeKey(outcome);
  check(again === original, () => `step ${step}: the rebuilt state gave ${again.slice(0, 200)}, the original ${original.slice(0, 200)}`);
}

/** The rebuilt state's end of the block emits the events the original's did. */
export function checkRebuiltEndBlock(rebuilt: MarketState, block: Block): void {
  const again = canon(endBlock(rebuilt, block.ctx));
  check(again === block.endEvents, () => `end of block ${block.ctx.height}: the rebuilt state emitted other events`);
}

/** The state rebuilt at step `cut` ends where the original did, and so does a replay of the blocks from genesis. */
export function checkRebuildAndReplay(genesis: MarketGenesis, blocks: readonly Block[], state: MarketState, rebuilt: MarketState, cut: number): void {
  const final = canon(state.entries());
  check(canon(rebuilt.entries()) === final, () => `the state rebuilt at step ${cut} ended elsewhere than the original`);
  const replay = genesisState(genesis);
  for (const b of blocks) {
    b.wires.forEach((wire, i) => {
      const outcome = outcomeKey(processTransaction(replay, b.ctx, wire, cachedVerify));
      check(outcome === b.outcomes[i], () => `replay of block ${b.ctx.height} tx ${i} gave another outcome`);
    });
    check(canon(endBlock(replay, b.ctx)) === b.endEvents, () => `replay of end of block ${b.ctx.height} gave other events`);
  }
  check(canon(replay.entries()) === final, () => 'replaying the blocks from genesis gave another state');
}
