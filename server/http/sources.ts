import type { ConsensusObserver } from '../../node/consensus/consensus-observer.js';
import type { NetworkFigures } from '../../node/ledger/node-health.js';

/**
 * What the HTTP host reads of the ledger node and of the index: the parts of `LedgerNode` and
 * `Projector` that health and metrics need, so that each can be tested with a stand-in.
 */
export interface NodeView {
  readonly chainId: string;
  status(): { readonly height: number; readonly time: number; readonly mempoolSize: number };
  /** On a network: this node's role, the peers connected (and needed), and where consensus is; undefined on a single-validator devnet. */
  networkStatus(): NetworkFigures | undefined;
  subscribe(listener: (block: { readonly height: number; readonly txIds: readonly string[] }) => void): () => void;
}

export interface IndexView {
  /** The last height whose block the index holds. */
  indexedHeight(): number;
  /** How many committed blocks the index has still to apply. */
  lag(): number;
  /** The error that stopped the index from following the chain, if one did. */
  failed(): unknown;
}

/** What the metrics read of the running node's monitor (node/ledger/node-monitor.ts). */
export interface MonitorView {
  /** Transactions the mempool holds at most. */
  readonly mempoolCapacity: number;
  /** The p2p host's gossip counters by topic; undefined on a single-validator devnet. */
  gossipCounts(): Readonly<Record<string, { readonly messagesIn: number; readonly messagesOut: number; readonly ignored: number; readonly rejected: number }>> | undefined;
  /** Watches the consensus engine's events; returns the way to stop. */
  watchConsensus(watcher: ConsensusObserver): () => void;
}
