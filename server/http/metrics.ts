import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { addConsensusMetrics } from './consensus-metrics.js';
import type { IndexView, MonitorView, NodeView } from './sources.js';

/** The window over which `lendnet_committed_tx_rate` averages, in seconds. */
export const TX_RATE_WINDOW_SECONDS = 10;

/** The node's Prometheus metrics, in a registry of their own. */
export interface NodeMetrics {
  readonly registry: Registry;
  /** The exposition text of every metric, read at this moment. */
  text(): Promise<string>;
  readonly contentType: string;
  /** Stops following the node's blocks. */
  close(): void;
}

export interface MetricsOptions {
  /** The clock intervals and the rate window are measured with, in ms (tests move it by hand). */
  readonly now?: () => number;
  /** The running node's monitor: consensus, gossip and mempool-capacity figures come from it. */
  readonly monitor?: MonitorView;
}

/**
 * Gauges are read from the node and the index when scraped; the committed-transactions counter,
 * the block-interval histogram and the rate window follow the node's committed blocks. The
 * interval is wall-clock time between commits on this node (block times are whole seconds).
 * The consensus figures are in consensus-metrics.ts.
 */
export function createMetrics(node: NodeView, index: IndexView, options: MetricsOptions = {}): NodeMetrics {
  const now = options.now ?? (() => performance.now());
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const recent: { readonly at: number; readonly txs: number }[] = [];
  let lastCommitAt: number | undefined;

  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  gauge('lendnet_height', 'Height of the last committed block', () => node.status().height);
  gauge('lendnet_block_time_seconds', 'Block time of the last committed block, in seconds since the Unix epoch', () => node.status().time);
  gauge('lendnet_mempool_size', 'Transactions waiting in the mempool', () => node.status().mempoolSize);
  gauge('lendnet_peers', 'Peers connected (0 on a single-validator devnet)', () => node.networkStatus()?.peers ?? 0);
  gauge('lendnet_index_height', 'Height of the last block applied to the index', () => index.indexedHeight());
  gauge('lendnet_index_lag_blocks', 'Committed blocks the index has still to apply', () => index.lag());
  gauge('lendnet_committed_tx_rate', `Transactions committed per second over the last ${TX_RATE_WINDOW_SECONDS} seconds`, () => {
    forget(now());
    return recent.reduce((sum, entry) => sum + entry.txs, 0) / TX_RATE_WINDOW_SECONDS;
  });
  new Gauge({
    name: 'lendnet_node_info',
    help: 'The chain this node runs and its role (always 1)',
    labelNames: ['chain_id', 'role'] as const,
    registers,
    collect() {
      this.reset();
      this.set({ chain_id: node.chainId, role: node.networkStatus()?.role ?? 'validator' }, 1);
    },
  });
  const committed = new Counter({ name: 'lendnet_committed_txs_total', help: 'Transactions committed since this process started', registers });
  const interval = new Histogram({
    name: 'lendnet_block_interval_seconds',
    help: 'Time between two committed blocks on this node',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers,
  });

  function forget(at: number): void {
    const horizon = at - TX_RATE_WINDOW_SECONDS * 1000;
    while ((recent[0]?.at ?? horizon) < horizon) recent.shift();
  }

  const unwatch = addConsensusMetrics(registry, node, options.monitor);
  const unsubscribe = node.subscribe((block) => {
    const at = now();
    committed.inc(block.txIds.length);
    if (lastCommitAt !== undefined) interval.observe((at - lastCommitAt) / 1000);
    lastCommitAt = at;
    recent.push({ at, txs: block.txIds.length });
    forget(at);
  });

  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    close() {
      unsubscribe();
      unwatch();
    },
  };
}
