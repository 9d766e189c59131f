import { describe, expect, it } from 'vitest';
import { type HealthFigures, healthReasons, MAX_INDEX_LAG, peersForQuorum, stallAfterSeconds, verdictLine } from './node-health.js';

const NOW = 1_800_000_000;

/** A validator of four on a network, committing: healthy unless a test changes something. */
function figures(change: Partial<HealthFigures> = {}): HealthFigures {
  return {
    now: NOW,
    running: true,
    updatedAt: NOW - 1,
    height: 40,
    mempoolSize: 0,
    progress: { startedAt: NOW - 600, lastCommitAt: NOW - 1, stallAfterSeconds: 12, emptyBlocks: true, index: { height: 40, lag: 0 } },
    network: { role: 'validator', peers: 3, peersNeeded: 2, consensus: { height: 41, round: 0, step: 'propose' } },
    ...change,
  };
}

const validators = (...powers: number[]) => powers.map((power, i) => ({ account: `v${i}`, power }));

describe('the health verdict', () => {
  it('is healthy for a running, committing, connected node with its index caught up', () => {
    expect(healthReasons(figures())).toEqual([]);
    expect(verdictLine([])).toBe('healthy');
  });

  it('says the node is not running, and nothing else, when its process is gone', () => {
    const reasons = healthReasons(figures({ running: false, progress: { startedAt: 0, stallAfterSeconds: 12, emptyBlocks: true, fault: 'disk full' } }));
    expect(reasons).toEqual([`the node is not running (last seen ${new Date((NOW - 1) * 1000).toISOString()})`]);
    expect(verdictLine(reasons)).toMatch(/^unhealthy: the node is not running/);
  });

  it('says the node stopped after a fault, naming it', () => {
    const progress = { ...figures().progress!, fault: 'the store refused a write' };
    expect(healthReasons(figures({ progress }))).toEqual(['the node stopped making blocks after a fault: the store refused a write']);
  });

  it('says a network node stalled: seconds without a block, where consensus is stuck, and its peers', () => {
    const progress = { ...figures().progress!, lastCommitAt: NOW - 30 };
    const network = { role: 'validator', peers: 3, peersNeeded: 2, consensus: { height: 41, round: 6, step: 'prevote' } } as const;
    expect(healthReasons(figures({ progress, network }))).toEqual(['stalled: no block committed for 30 s, consensus stuck at height 41, round 6 (prevote), with 3 peers connected']);
    // Not past the threshold yet.
    expect(healthReasons(figures({ progress: { ...progress, lastCommitAt: NOW - 12 }, network }))).toEqual([]);
  });

  it('counts a node that never committed since it started from its start', () => {
    const progress = { startedAt: NOW - 20, stallAfterSeconds: 12, emptyBlocks: true };
    expect(healthReasons(figures({ progress }))[0]).toBe('stalled: no block committed in the 20 s since the node started, consensus stuck at height 41, round 0 (propose), with 3 peers connected');
  });

  it('does not call an idle chain stalled: no empty blocks, nothing waiting, no round under way', () => {
    const idle = { ...figures().progress!, emptyBlocks: false, lastCommitAt: NOW - 3_600 };
    const network = { role: 'validator', peers: 3, peersNeeded: 2, consensus: { height: 41, round: -1, step: 'propose' } } as const;
    expect(healthReasons(figures({ progress: idle, network }))).toEqual([]);
    expect(healthReasons(figures({ progress: idle, network, mempoolSize: 4 }))).toHaveLength(1);
  });

  it('says a devnet node stalled with the transactions waiting', () => {
    const { network: _network, ...devnet } = figures({ mempoolSize: 5, progress: { startedAt: 0, lastCommitAt: NOW - 40, stallAfterSeconds: 10, emptyBlocks: false } });
    expect(healthReasons(devnet)).toEqual(['no block committed for 40 s with 5 transactions waiting']);
  });

  it('says a validator has fewer peers than it takes to reach a quorum with its own power', () => {
    const network = { role: 'validator', peers: 1, peersNeeded: 2, consensus: { height: 41, round: 0, step: 'propose' } } as const;
    expect(healthReasons(figures({ network }))).toEqual(["connected to 1 peer; it takes 2 to reach more than 2/3 of the validators' power together with this node"]);
  });

  it('says an observer with no peers cannot follow the chain', () => {
    const network = { role: 'observer', peers: 0, peersNeeded: 1, consensus: { height: 41, round: 0, step: 'propose' } } as const;
    expect(healthReasons(figures({ network }))).toEqual(['connected to 0 peers; an observer needs 1 to follow the chain']);
  });

  it(`says the index is behind once it lags more than ${MAX_INDEX_LAG} blocks, and when it stopped`, () => {
    const at = (lag: number, fault?: string) => figures({ progress: { ...figures().progress!, index: { height: 40 - lag, lag, ...(fault ? { fault } : {}) } } });
    expect(healthReasons(at(MAX_INDEX_LAG))).toEqual([]);
    expect(healthReasons(at(MAX_INDEX_LAG + 4))).toEqual([`the index is ${MAX_INDEX_LAG + 4} blocks behind the ledger`]);
    expect(healthReasons(at(0, 'a row did not match'))).toEqual(['the index stopped following the chain (run lendnet reindex)']);
  });

  it('says a node that stopped writing its status may be hung', () => {
    expect(healthReasons(figures({ updatedAt: NOW - 60 }))).toEqual(['the node has not written its status for 60 s (it may be hung)']);
  });

  it('joins several reasons with semicolons', () => {
    const network = { role: 'validator', peers: 1, peersNeeded: 2, consensus: { height: 41, round: 3, step: 'precommit' } } as const;
    const reasons = healthReasons(figures({ network, progress: { ...figures().progress!, lastCommitAt: NOW - 25 } }));
    expect(verdictLine(reasons)).toBe(
      "unhealthy: stalled: no block committed for 25 s, consensus stuck at height 41, round 3 (precommit), with 1 peer connected; connected to 1 peer; it takes 2 to reach more than 2/3 of the validators' power together with this node",
    );
  });
});

describe('peers a node needs', () => {
  it('is two of four equal validators, both others of three (2/3 is not more than 2/3), none alone', () => {
    expect(peersForQuorum(validators(1, 1, 1, 1), 'v0')).toBe(2);
    expect(peersForQuorum(validators(1, 1, 1), 'v2')).toBe(2);
    expect(peersForQuorum(validators(1, 1, 1, 1, 1, 1, 1), 'v0')).toBe(4);
    expect(peersForQuorum(validators(1), 'v0')).toBe(0);
  });

  it('counts the largest powers first, and its own', () => {
    expect(peersForQuorum(validators(10, 1, 1, 1), 'v0')).toBe(0);
    expect(peersForQuorum(validators(10, 1, 1, 1), 'v1')).toBe(1);
  });

  it('is one for an observer', () => {
    expect(peersForQuorum(validators(1, 1, 1, 1), null)).toBe(1);
  });
});

describe('the stall threshold', () => {
  it('is the block interval and four rounds of timeouts, at least 10 s', () => {
    expect(stallAfterSeconds({ blockIntervalMs: 1_000 }, false)).toBe(10);
    expect(stallAfterSeconds({ blockIntervalMs: 60_000 }, false)).toBe(60);
    expect(stallAfterSeconds({ blockIntervalMs: 1_000 }, true)).toBe(21);
    expect(stallAfterSeconds({ blockIntervalMs: 200, consensus: { proposeMs: 1_500, voteMs: 600, incrementMs: 300 } }, true)).toBe(11);
  });
});
