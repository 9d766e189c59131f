import type { ConsensusObserver } from '../consensus/consensus-observer.js';
import type { NodeConfig } from '../home/config.js';
import type { GossipCounters, GossipKind } from '../p2p/host-api.js';
import { type NodeProgress, stallAfterSeconds } from './node-health.js';

/** The index as the monitor reads it (the projector, which lives in server/). */
export interface IndexFollower {
  indexedHeight(): number;
  lag(): number;
  /** The error that stopped the index from following the chain, if one did. */
  failed(): unknown;
}

/** Gossip counters by kind, as the p2p host keeps them. */
export type GossipCounts = Readonly<Record<GossipKind, GossipCounters>>;

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * What a running node knows of its own progress, kept in one place for the status file,
 * `/healthz` and `/metrics`: when it last committed a block, whether a fault stopped it, its
 * index, its gossip counters, and the consensus engine's events, passed on to whoever watches
 * (the metrics, in server/, which node/ does not import).
 */
export class NodeMonitor {
  readonly startedAt = seconds(Date.now());
  /** Transactions the mempool holds at most (for "mempool near full"). */
  readonly mempoolCapacity: number;
  private readonly stallAfterSeconds: number;
  private readonly emptyBlocks: boolean;
  private lastCommitAt: number | undefined;
  private fault: string | undefined;
  private index: IndexFollower | undefined;
  private gossip: (() => GossipCounts) | undefined;
  private readonly watchers = new Set<ConsensusObserver>();
  /** The engine's observer: every event goes to every watcher, a watcher's failure to none other. */
  readonly consensus: ConsensusObserver = {
    roundStarted: (height, round, proposer) => this.tell((w) => w.roundStarted?.(height, round, proposer)),
    stepEnded: (step, ms) => this.tell((w) => w.stepEnded?.(step, ms)),
    decided: (height, round) => this.tell((w) => w.decided?.(height, round)),
    proposalMissed: (height, round, proposer) => this.tell((w) => w.proposalMissed?.(height, round, proposer)),
  };

  constructor(config: Pick<NodeConfig, 'blockIntervalMs' | 'emptyBlocks' | 'consensus' | 'mempool'>, networked: boolean) {
    this.stallAfterSeconds = stallAfterSeconds(config, networked);
    this.emptyBlocks = config.emptyBlocks;
    this.mempoolCapacity = config.mempool.maxTxs;
  }

  /** A block was committed (built, decided or synced) in this process. */
  blockCommitted(atMs = Date.now()): void {
    this.lastCommitAt = seconds(atMs);
  }

  /** A fault stopped the node from making blocks. */
  failed(error: unknown): void {
    this.fault = error instanceof Error ? error.message : String(error);
  }

  /** The index that follows this node, once it runs. */
  followIndex(index: IndexFollower): void {
    this.index = index;
  }

  /** Where the p2p host's gossip counters are read, on a network. */
  countGossip(read: () => GossipCounts): void {
    this.gossip = read;
  }

  gossipCounts(): GossipCounts | undefined {
    return this.gossip?.();
  }

  /** Watches the consensus engine's events; returns the way to stop. */
  watchConsensus(watcher: ConsensusObserver): () => void {
    this.watchers.add(watcher);
    return () => void this.watchers.delete(watcher);
  }

  /** The figures the health verdict needs beyond the node's head (node-health.ts). */
  progress(): NodeProgress {
    const index = this.index;
    const indexFault = index?.failed();
    return {
      startedAt: this.startedAt,
      ...(this.lastCommitAt !== undefined ? { lastCommitAt: this.lastCommitAt } : {}),
      stallAfterSeconds: this.stallAfterSeconds,
      emptyBlocks: this.emptyBlocks,
      ...(this.fault !== undefined ? { fault: this.fault } : {}),
      ...(index
        ? { index: { height: index.indexedHeight(), lag: index.lag(), ...(indexFault !== undefined ? { fault: indexFault instanceof Error ? indexFault.message : String(indexFault) } : {}) } }
        : {}),
    };
  }

  private tell(call: (watcher: ConsensusObserver) => void): void {
    for (const watcher of this.watchers) {
      try {
        call(watcher);
      } catch {
        // A watcher (the metrics) must never stop consensus.
      }
    }
  }
}
