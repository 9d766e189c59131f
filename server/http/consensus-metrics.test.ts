import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testKey } from '../../contracts/test/fixtures.js';
import type { ConsensusObserver } from '../../node/consensus/consensus-observer.js';
import { PrivateValidator } from '../../node/consensus/private-validator.js';
import { DEFAULT_CONFIG } from '../../node/home/config.js';
import { LedgerNode, verifyInThisThread } from '../../node/ledger/ledger-node.js';
import { networkGenesis, TEST_TIMEOUTS, waitFor } from '../../node/ledger/network-test-kit.js';
import { NodeMonitor } from '../../node/ledger/node-monitor.js';
import { createMemoryHub } from '../../node/network/memory-network.js';
import { openMemoryStore } from '../../node/store/index.js';
import { createMetrics } from './metrics.js';
import { FakeChain, sample } from './test-kit.js';

/** The value of one labelled sample, e.g. `name{step="propose"}`; undefined if absent. */
function labelled(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('consensus metrics', () => {
  it('read the round, the peers needed, the mempool capacity and the gossip counters, and follow the engine', async () => {
    const chain = new FakeChain();
    chain.network = { role: 'validator', peers: 1, peersNeeded: 2, consensus: { height: 9, round: 3, step: 'prevote' } };
    let watcher: ConsensusObserver = {};
    const monitor = {
      mempoolCapacity: 50_000,
      gossipCounts: () => ({
        txs: { messagesIn: 4, messagesOut: 2, ignored: 1, rejected: 0 },
        consensus: { messagesIn: 40, messagesOut: 12, ignored: 7, rejected: 3 },
      }),
      watchConsensus(w: ConsensusObserver) {
        watcher = w;
        return () => void (watcher = {});
      },
    };
    const metrics = createMetrics(chain, chain, { monitor });
    watcher.decided?.(8, 0);
    watcher.decided?.(9, 2);
    watcher.stepEnded?.('propose', 1_500);
    watcher.stepEnded?.('prevote', 40);
    watcher.proposalMissed?.(9, 0, 'alice');
    watcher.proposalMissed?.(9, 1, 'alice');
    const text = await metrics.text();
    expect(sample(text, 'lendnet_consensus_round')).toBe(3);
    expect(sample(text, 'lendnet_peers_needed')).toBe(2);
    expect(sample(text, 'lendnet_mempool_capacity')).toBe(50_000);
    expect(sample(text, 'lendnet_consensus_rounds_per_height_count')).toBe(2);
    expect(sample(text, 'lendnet_consensus_rounds_per_height_sum')).toBe(4);
    expect(labelled(text, 'lendnet_consensus_rounds_per_height_bucket', 'le="1"')).toBe(1);
    expect(labelled(text, 'lendnet_consensus_step_seconds_sum', 'step="propose"')).toBeCloseTo(1.5);
    expect(labelled(text, 'lendnet_consensus_step_seconds_count', 'step="prevote"')).toBe(1);
    expect(labelled(text, 'lendnet_consensus_missed_proposals_total', 'proposer="alice"')).toBe(2);
    expect(labelled(text, 'lendnet_gossip_messages_received_total', 'topic="consensus",verdict="accepted"')).toBe(40);
    expect(labelled(text, 'lendnet_gossip_messages_received_total', 'topic="consensus",verdict="rejected"')).toBe(3);
    expect(labelled(text, 'lendnet_gossip_messages_sent_total', 'topic="txs"')).toBe(2);
    metrics.close();
    expect(watcher).toEqual({});
  });

  it('on a single-validator devnet the round is -1 (none under way) and the series are empty', async () => {
    const chain = new FakeChain();
    const metrics = createMetrics(chain, chain);
    const text = await metrics.text();
    expect(sample(text, 'lendnet_consensus_round')).toBe(-1);
    expect(sample(text, 'lendnet_consensus_rounds_per_height_count')).toBe(0);
    expect(text).toContain('# TYPE lendnet_consensus_missed_proposals_total counter');
    metrics.close();
  });

  it('on four validators in one process: rounds per height, step times, the round, and the proposals of a stopped validator missed', async () => {
    const keys = [0, 1, 2, 3].map((i) => testKey(`metrics-validator-${i}`));
    const genesis = networkGenesis('lendnet-metrics', keys);
    const hub = createMemoryHub({ delayMs: 1 });
    const folder = await mkdtemp(join(tmpdir(), 'lendnet-metrics-'));
    const config = { ...DEFAULT_CONFIG, blockIntervalMs: 50, emptyBlocks: true };
    const nodes: LedgerNode[] = [];
    const monitor = new NodeMonitor(config, true);
    try {
      for (const [i, key] of keys.entries()) {
        const node = await LedgerNode.open({
          genesis,
          checkSignatures: verifyInThisThread,
          config,
          store: await openMemoryStore(),
          validatorKey: key,
          onFatal: () => undefined,
          network: hub.join(`v${i}`),
          signer: await PrivateValidator.open(join(folder, `v${i}`), key, 'lendnet-metrics'),
          timeouts: TEST_TIMEOUTS,
          ...(i === 0 ? { consensusObserver: monitor.consensus } : {}),
        });
        nodes.push(node);
      }
      const watched = nodes[0]!;
      const metrics = createMetrics(watched, new FakeChain(), { monitor });
      for (const node of nodes) await node.start();
      await waitFor('height 3', () => watched.status().height >= 3, 30_000);
      let text = await metrics.text();
      expect(sample(text, 'lendnet_consensus_rounds_per_height_count')).toBeGreaterThanOrEqual(3);
      for (const step of ['propose', 'prevote', 'precommit']) expect(labelled(text, 'lendnet_consensus_step_seconds_count', `step="${step}"`)).toBeGreaterThan(0);
      expect(sample(text, 'lendnet_consensus_round')).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'lendnet_peers_needed')).toBe(2);
      // Stopped, the fourth validator's turns to propose time out on the others.
      await nodes[3]!.stop();
      const proposer = keys[3]!.account;
      await waitFor('a missed proposal', async () => (labelled(await metrics.text(), 'lendnet_consensus_missed_proposals_total', `proposer="${proposer}"`) ?? 0) >= 1, 30_000);
      // The height whose first proposer was gone is decided in a later round.
      await waitFor('a height of two rounds', async () => {
        text = await metrics.text();
        return sample(text, 'lendnet_consensus_rounds_per_height_sum') > sample(text, 'lendnet_consensus_rounds_per_height_count');
      }, 30_000);
      metrics.close();
    } finally {
      for (const node of nodes) await node.stop();
      await rm(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
