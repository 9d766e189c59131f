import { describe, expect, it } from 'vitest';
import { type Block, checkCommit, type CommitCertificate, GENESIS_PREVIOUS_HASH, validatorsHash } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import type { ConsensusHost } from './engine.js';
import { nextBlockTime } from './engine.js';
import { createSoloEngine } from './solo-engine.js';

const key = testKey('validator');
const validators = [{ account: key.account, power: 1 }];

/** A host that commits into an array and counts what it was asked. */
function fakeHost(pending: () => boolean) {
  const committed: { block: Block; certificate: CommitCertificate }[] = [];
  const host: ConsensusHost = {
    chainId: 'lendnet-test',
    validators: () => validators,
    head: () => {
      const last = committed.at(-1)?.block.header;
      return { height: last?.height ?? 0, time: last?.time ?? 0 };
    },
    hasPendingTransactions: pending,
    async propose(time) {
      return {
        header: {
          chainId: 'lendnet-test',
          height: host.head().height + 1,
          time,
          previousHash: GENESIS_PREVIOUS_HASH,
          txRoot: '00'.repeat(32),
          stateRoot: '00'.repeat(32),
          validatorsHash: validatorsHash(validators),
          proposer: key.account,
        },
        txs: [],
      };
    },
    async commit(block, certificate) {
      committed.push({ block, certificate });
    },
  };
  return { host, committed };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` holds, or fails after two seconds (a busy machine delays timers). */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 5) {
    if (waited > 2_000) throw new Error('timed out');
    await wait(5);
  }
}

describe('the single-validator engine', () => {
  it('commits blocks on its interval with a certificate that verifies', async () => {
    const { host, committed } = fakeHost(() => true);
    let clock = 100;
    const engine = createSoloEngine(host, { blockIntervalMs: 5, emptyBlocks: false, validatorKey: key, clock: () => clock--, onError: (e) => { throw e; } });
    await engine.start();
    await until(() => committed.length >= 3);
    await engine.stop();
    committed.forEach(({ block, certificate }, i) => {
      expect(block.header.height).toBe(i + 1);
      expect(checkCommit(block.header, certificate, validators)).toBeUndefined();
    });
    // the clock ran backwards, the block times did not
    const times = committed.map(({ block }) => block.header.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('makes no empty blocks unless told to', async () => {
    const idle = fakeHost(() => false);
    const engine = createSoloEngine(idle.host, { blockIntervalMs: 5, emptyBlocks: false, validatorKey: key, onError: () => {} });
    await engine.start();
    await wait(40);
    await engine.stop();
    expect(idle.committed).toHaveLength(0);

    const heartbeat = fakeHost(() => false);
    const beating = createSoloEngine(heartbeat.host, { blockIntervalMs: 5, emptyBlocks: true, validatorKey: key, onError: () => {} });
    await beating.start();
    await until(() => heartbeat.committed.length > 0);
    await beating.stop();
    expect(heartbeat.committed.length).toBeGreaterThan(0);
  });

  it('stops and reports when a commit fails', async () => {
    const { host } = fakeHost(() => true);
    const errors: unknown[] = [];
    const engine = createSoloEngine({ ...host, commit: async () => { throw new Error('disk full'); } }, { blockIntervalMs: 5, emptyBlocks: false, validatorKey: key, onError: (e) => errors.push(e) });
    await engine.start();
    await until(() => errors.length > 0);
    await wait(40); // it stopped: no second attempt follows
    await engine.stop();
    expect(errors).toHaveLength(1);
  });

  it('refuses to run for a set that is not exactly its own key', async () => {
    const { host } = fakeHost(() => true);
    const engine = createSoloEngine({ ...host, validators: () => [...validators, { account: testKey('other').account, power: 1 }] }, { blockIntervalMs: 5, emptyBlocks: false, validatorKey: key, onError: () => {} });
    await expect(engine.start()).rejects.toThrow();
    expect(nextBlockTime(10, 9)).toBe(10);
  });
});
