import type { ApiOutputs } from '../lib/trpc';

export type { ApiOutputs };

/** A block as chain.blocks and chain.block give it. */
export type BlockSummary = ApiOutputs['chain']['blocks']['items'][number];
/** A transaction summary: id, block, position, signer, type, nonce, time. */
export type TxSummary = ApiOutputs['chain']['block']['txs'][number];
/** An event of the market (docs/api.md §2.8), amounts as decimal strings. */
export type ChainEvent = ApiOutputs['chain']['tx']['events'][number];
/** A committed transaction with its header and events (chain.tx). */
export type CommittedTx = ApiOutputs['chain']['tx'];
