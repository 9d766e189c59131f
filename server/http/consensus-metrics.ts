import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { MonitorView, NodeView } from './sources.js';

/** Buckets of `lendnet_consensus_rounds_per_height`: a healthy network decides in round 0 (one round). */
const ROUND_BUCKETS = [1, 2, 3, 4, 6, 10, 20];
/** Buckets of `lendnet_consensus_step_seconds`: from a fast local vote to a long propose timeout. */
const STEP_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
const VERDICTS = [
  ['accepted', 'messagesIn'],
  ['ignored', 'ignored'],
  ['rejected', 'rejected'],
] as const;

/**
 * The consensus figures of a node on a network, added to its registry: the round it is in, the
 * peers it needs, how many rounds each height took, the time spent in each step, the proposals
 * that never came, gossip messages in and out, and the mempool's capacity. The engine's events
 * come through the node's monitor (node/ledger/node-monitor.ts), so node/ never imports
 * prom-client. On a single-validator devnet the series stay empty (the round -1). Returns the way to
 * stop following the engine.
 */
export function addConsensusMetrics(registry: Registry, node: NodeView, monitor: MonitorView | undefined): () => void {
  const registers = [registry];
  new Gauge({
    name: 'lendnet_consensus_round',
    help: 'Consensus round at the current height (-1 when none is under way: an idle height waiting for work, or a single-validator devnet)',
    registers,
    collect() {
      this.set(node.networkStatus()?.consensus?.round ?? -1);
    },
  });
  new Gauge({
    name: 'lendnet_peers_needed',
    help: 'Peers this node needs connected: for a validator, enough to reach more than 2/3 of the power with its own; for an observer, one',
    registers,
    collect() {
      this.set(node.networkStatus()?.peersNeeded ?? 0);
    },
  });
  new Gauge({
    name: 'lendnet_mempool_capacity',
    help: 'Transactions the mempool holds at most',
    registers,
    collect() {
      this.set(monitor?.mempoolCapacity ?? 0);
    },
  });
  const rounds = new Histogram({ name: 'lendnet_consensus_rounds_per_height', help: "Rounds each height this node's consensus decided took (1 when decided in its first round; blocks synced from peers are not counted)", buckets: ROUND_BUCKETS, registers });
  const steps = new Histogram({
    name: 'lendnet_consensus_step_seconds',
    help: 'Time spent in each consensus step (propose, prevote, precommit) of a round',
    labelNames: ['step'] as const,
    buckets: STEP_BUCKETS,
    registers,
  });
  const missed = new Counter({
    name: 'lendnet_consensus_missed_proposals_total',
    help: "Rounds whose proposer's proposal did not arrive before the propose timeout, by proposer",
    labelNames: ['proposer'] as const,
    registers,
  });
  // The p2p host counts gossip itself; these read its counters when scraped.
  new Counter({
    name: 'lendnet_gossip_messages_received_total',
    help: 'Gossip messages received from peers, by topic and by verdict (accepted and relayed, ignored, or rejected and the peer penalised)',
    labelNames: ['topic', 'verdict'] as const,
    registers,
    collect() {
      this.reset();
      const counts = monitor?.gossipCounts();
      if (!counts) return;
      for (const [topic, counters] of Object.entries(counts)) {
        for (const [verdict, field] of VERDICTS) this.inc({ topic, verdict }, counters[field]);
      }
    },
  });
  new Counter({
    name: 'lendnet_gossip_messages_sent_total',
    help: 'Gossip messages this node published, by topic',
    labelNames: ['topic'] as const,
    registers,
    collect() {
      this.reset();
      const counts = monitor?.gossipCounts();
      if (!counts) return;
      for (const [topic, counters] of Object.entries(counts)) this.inc({ topic }, counters.messagesOut);
    },
  });
  return (
    monitor?.watchConsensus({
      decided: (_height, round) => rounds.observe(round + 1),
      stepEnded: (step, ms) => steps.observe({ step }, ms / 1000),
      proposalMissed: (_height, _round, proposer) => missed.inc({ proposer }),
    }) ?? (() => undefined)
  );
}
