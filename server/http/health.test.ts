import { describe, expect, it } from 'vitest';
import { FakeChain } from './test-kit.js';
import { healthStatusCode, MAX_INDEX_LAG, readHealth } from './health.js';

const running = { stopping: false, nodeFailed: false };

describe('node health', () => {
  it('is ok with the index caught up, and reports the head, the index, the mempool and the role', () => {
    const chain = new FakeChain();
    chain.height = 12;
    chain.indexed = 12;
    chain.mempoolSize = 3;
    const health = readHealth(chain, chain, running);
    expect(health).toEqual({ status: 'ok', chainId: 'lendnet-test', height: 12, indexHeight: 12, indexLag: 0, peers: 0, mempool: 3, role: 'validator' });
    expect(healthStatusCode(health)).toBe(200);
  });

  it('reports a network node’s role and peers', () => {
    const chain = new FakeChain();
    chain.network = { role: 'observer', peers: 4 };
    expect(readHealth(chain, chain, running)).toMatchObject({ role: 'observer', peers: 4, status: 'ok' });
  });

  it(`is degraded once the index is more than ${MAX_INDEX_LAG} blocks behind, not before`, () => {
    const chain = new FakeChain();
    chain.height = 100;
    chain.indexed = 100 - MAX_INDEX_LAG;
    expect(readHealth(chain, chain, running).status).toBe('ok');
    chain.indexed -= 1;
    const health = readHealth(chain, chain, running);
    expect(health).toMatchObject({ status: 'degraded', indexLag: MAX_INDEX_LAG + 1 });
    expect(health.reasons).toHaveLength(1);
    expect(healthStatusCode(health)).toBe(503);
  });

  it('is degraded when the node failed or the index stopped following', () => {
    const chain = new FakeChain();
    expect(readHealth(chain, chain, { stopping: false, nodeFailed: true }).status).toBe('degraded');
    chain.failure = new Error('the index does not match the chain');
    expect(readHealth(chain, chain, running).status).toBe('degraded');
  });

  it('is degraded, as lendnet status says unhealthy, when the node stalled or has too few peers', () => {
    const chain = new FakeChain();
    chain.height = 20;
    chain.indexed = 20;
    chain.network = { role: 'validator', peers: 1, peersNeeded: 2, consensus: { height: 21, round: 4, step: 'prevote' } };
    const progress = { startedAt: 1_000, lastCommitAt: 1_100, stallAfterSeconds: 11, emptyBlocks: true };
    const health = readHealth(chain, chain, { ...running, progress, now: 1_130 });
    expect(health.status).toBe('degraded');
    expect(health.reasons).toEqual([
      'stalled: no block committed for 30 s, consensus stuck at height 21, round 4 (prevote), with 1 peer connected',
      "connected to 1 peer; it takes 2 to reach more than 2/3 of the validators' power together with this node",
    ]);
    expect(healthStatusCode(health)).toBe(503);
    chain.network = { ...chain.network, peers: 3 };
    expect(readHealth(chain, chain, { ...running, progress, now: 1_105 }).status).toBe('ok');
  });

  it('names the fault the node stopped on, once', () => {
    const chain = new FakeChain();
    const progress = { startedAt: 1_000, stallAfterSeconds: 10, emptyBlocks: false, fault: 'the disk is full' };
    expect(readHealth(chain, chain, { stopping: false, nodeFailed: true, progress, now: 1_001 }).reasons).toEqual(['the node stopped making blocks after a fault: the disk is full']);
  });

  it('is stopping (503) during shutdown, whatever else holds', () => {
    const chain = new FakeChain();
    const health = readHealth(chain, chain, { stopping: true, nodeFailed: true });
    expect(health.status).toBe('stopping');
    expect(healthStatusCode(health)).toBe(503);
  });
});
