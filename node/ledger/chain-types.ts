import type { Block, MarketState } from '../../contracts/index.js';
import type { ExecutedBlock, proposeBlock } from '../chain/execute.js';

/** The store and the state disagree: the node must not go on from here. */
export class ChainCorruptError extends Error {
  override readonly name = 'ChainCorruptError';
}

export interface ChainHead {
  readonly height: number;
  readonly hash: string;
  readonly time: number;
  readonly stateRoot: string;
}

/** How far ahead of a validator's clock a proposed block's time may be, in seconds. */
export const MAX_CLOCK_DRIFT_SECONDS = 15;

/** A proposed block that breaks a rule of the chain: no honest validator votes for it. */
export class InvalidProposalError extends Error {
  override readonly name = 'InvalidProposalError';
}

/** A block built or checked on a fork of the live state, ready to commit if it is decided. */
export interface Evaluated extends Proposal {
  readonly hash: string;
  /** The fork holding the block's writes (taken from the live state at its current version). */
  readonly fork: MarketState;
}

/**
 * A replayed block's stored forms as its caller holds them: the block's bytes as read from a
 * store (which decode to the block) and its events' bytes (equal to what it causes).
 */
export interface EncodedBlock {
  readonly block: Uint8Array;
  readonly events: Uint8Array;
}

/** A block built on the live state and not yet committed. */
export interface Proposal {
  readonly block: Block;
  readonly executed: ExecutedBlock;
  /** The block's state changes as stored and as the state tree hashes them: canonical bytes, or undefined for a removal. */
  readonly encodedChanges: ReadonlyMap<string, Uint8Array | undefined>;
  readonly refused: ReturnType<typeof proposeBlock>['refused'];
}
