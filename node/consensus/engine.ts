import type { Block, CommitCertificate, Validator } from '../../contracts/index.js';

/**
 * What a consensus engine needs from the node. The engine decides which block comes next and
 * collects the commit certificate; the node builds and checks blocks and commits them.
 */
export interface ConsensusHost {
  readonly chainId: string;
  /** The validator set that must commit the next block. */
  validators(): readonly Validator[];
  /** Height and time of the last committed block (0 and the genesis time before the first). */
  head(): { readonly height: number; readonly time: number };
  /** Whether transactions are waiting, so a block is worth proposing. */
  hasPendingTransactions(): boolean;
  /** Builds the next block at `time` from waiting transactions, without committing it. */
  propose(time: number): Promise<Block>;
  /** Makes a decided block final: executed, stored durably and announced. */
  commit(block: Block, certificate: CommitCertificate): Promise<void>;
}

/** A consensus engine: started once, stopped once; between, it keeps the chain growing. */
export interface ConsensusEngine {
  start(): Promise<void>;
  /** Stops proposing; resolves when no block is half-committed. */
  stop(): Promise<void>;
}

/** Block time rule: the proposer's clock, but never before the previous block's time. */
export function nextBlockTime(previousTime: number, clockSeconds: number): number {
  return Math.max(previousTime, clockSeconds);
}
