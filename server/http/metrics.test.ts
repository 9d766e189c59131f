import { describe, expect, it } from 'vitest';
import { FakeChain, sample } from './test-kit.js';
import { createMetrics, TX_RATE_WINDOW_SECONDS } from './metrics.js';

describe('node metrics', () => {
  it('read the head, the mempool, the peers and the index when scraped', async () => {
    const chain = new FakeChain();
    chain.height = 41;
    chain.time = 1_700_000_123;
    chain.mempoolSize = 7;
    chain.indexed = 38;
    chain.network = { role: 'validator', peers: 3 };
    const metrics = createMetrics(chain, chain);
    const text = await metrics.text();
    expect(sample(text, 'lendnet_height')).toBe(41);
    expect(sample(text, 'lendnet_block_time_seconds')).toBe(1_700_000_123);
    expect(sample(text, 'lendnet_mempool_size')).toBe(7);
    expect(sample(text, 'lendnet_peers')).toBe(3);
    expect(sample(text, 'lendnet_index_height')).toBe(38);
    expect(sample(text, 'lendnet_index_lag_blocks')).toBe(3);
    expect(text).toContain('lendnet_node_info{chain_id="lendnet-test",role="validator"} 1');
    // Default process metrics, in this registry of its own.
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    metrics.close();
  });

  it('count committed transactions, time the intervals between blocks, and average the rate over the window', async () => {
    const chain = new FakeChain();
    let now = 0;
    const metrics = createMetrics(chain, chain, { now: () => now });
    chain.commit(5);
    now += 500;
    chain.commit(10);
    now += 2_000;
    chain.commit(15);
    let text = await metrics.text();
    expect(sample(text, 'lendnet_committed_txs_total')).toBe(30);
    expect(sample(text, 'lendnet_block_interval_seconds_count')).toBe(2);
    expect(sample(text, 'lendnet_block_interval_seconds_sum')).toBeCloseTo(2.5);
    expect(text).toContain('lendnet_block_interval_seconds_bucket{le="0.5"} 1');
    expect(sample(text, 'lendnet_committed_tx_rate')).toBeCloseTo(30 / TX_RATE_WINDOW_SECONDS);
    // Past the window, only the last block's transactions still count.
    now += TX_RATE_WINDOW_SECONDS * 1000 - 1_000;
    text = await metrics.text();
    expect(sample(text, 'lendnet_committed_tx_rate')).toBeCloseTo(15 / TX_RATE_WINDOW_SECONDS);
    now += 2_000;
    text = await metrics.text();
    expect(sample(text, 'lendnet_committed_tx_rate')).toBe(0);
    expect(sample(text, 'lendnet_committed_txs_total')).toBe(30);
  });

  it('stop following the node when closed', () => {
    const chain = new FakeChain();
    const metrics = createMetrics(chain, chain);
    expect(chain.listenerCount()).toBe(1);
    metrics.close();
    expect(chain.listenerCount()).toBe(0);
  });
});
