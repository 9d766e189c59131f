import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scenario } from '../../contracts/test/invariants/arbitraries.js';
import type { Scenario } from '../../contracts/test/invariants/actions.js';
import { openStore, type Store } from '../../node/store/index.js';
import type { IndexDatabase } from '../db/database.js';
import { EmbeddedUpkeep } from '../db/embedded-upkeep.js';
import { openTestDatabase, testDatabaseKinds } from '../db/test-databases.js';
import { compareIndex } from './compare.js';
import { IndexMismatchError, Projector, resetIndex } from './projector.js';
import { ScenarioChain, scenarioGenesis } from './scenario-chain.js';

const kinds = await testDatabaseKinds();
/** Random market scenarios of the contracts' property tests: loans repaid, late, defaulted; orders filled, cancelled, expired. */
const SCENARIOS = fc.sample(scenario, { seed: 20261124, numRuns: 12 });

async function withChain<T>(sc: Scenario, body: (chain: ScenarioChain, store: Store) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'lendnet-projector-'));
  const store = await openStore(dir);
  try {
    return await body(await ScenarioChain.open(store, scenarioGenesis(sc)), store);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function tableCounts(db: IndexDatabase): Promise<Record<string, bigint>> {
  const [row] = await db.sql`SELECT
    (SELECT count(*) FROM blocks) AS blocks, (SELECT count(*) FROM txs) AS txs, (SELECT count(*) FROM events) AS events,
    (SELECT count(*) FROM payments) AS payments, (SELECT count(*) FROM loans) AS loans, (SELECT count(*) FROM account_events) AS account_events`;
  return row as Record<string, bigint>;
}

describe.each(kinds)('the projector on %s', (kind) => {
  let db: IndexDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  test('random market scenarios: after every one, the index holds exactly the ledger state, and every block once', async () => {
    let loans = 0n;
    let payments = 0n;
    let lateOrDefault = 0n;
    for (const sc of SCENARIOS) {
      await resetIndex(db);
      await withChain(sc, async (chain) => {
        // The first part is indexed by catching up, the rest while following the chain live.
        const cut = Math.floor(sc.actions.length / 3);
        await chain.run(sc, 0, cut);
        const projector = await Projector.start({ db, node: chain });
        await chain.run(sc, cut);
        await waitFor(() => projector.lag() === 0);
        await projector.stop();
        expect(await compareIndex(db.sql, chain.chain.state)).toEqual([]);
        const counts = await tableCounts(db);
        expect(counts.blocks).toBe(BigInt(chain.status().height));
        const [{ n }] = (await db.sql`SELECT count(DISTINCT (height, position)) AS n FROM txs`) as unknown as [{ n: bigint }];
        expect(n).toBe(counts.txs);
        loans += counts.loans!;
        payments += counts.payments!;
        const [late] = (await db.sql`SELECT count(*) AS n FROM events WHERE type IN ('installmentLate', 'loanDefaulted')`) as unknown as [{ n: bigint }];
        lateOrDefault += late.n;
      });
    }
    // The scenarios did reach the parts of the index that matter.
    expect(loans).toBeGreaterThan(3n);
    expect(payments).toBeGreaterThan(3n);
    expect(lateOrDefault).toBeGreaterThan(0n);
  }, 240_000);

  test.runIf(kind === 'pglite')('on PGlite, which has no checkpointer or autovacuum, the projector vacuums and checkpoints as the WAL grows', async () => {
    await resetIndex(db);
    const sc = SCENARIOS[2]!;
    const upkeep = new EmbeddedUpkeep(db.sql, { walBytes: 8n * 1024n });
    await upkeep.pass();
    const passes: bigint[] = [];
    const afterWrite = upkeep.afterWrite.bind(upkeep);
    upkeep.afterWrite = async () => {
      const pass = await afterWrite();
      if (pass) passes.push(pass.walBytes);
      return pass;
    };
    const vacuums = async () => ((await db.sql`SELECT vacuum_count + analyze_count AS n FROM pg_stat_user_tables WHERE relname = 'balances'`) as unknown as [{ n: bigint }])[0].n;
    const vacuumedBefore = await vacuums();
    await withChain(sc, async (chain) => {
      await chain.run(sc);
      await (await Projector.open({ db: { ...db, upkeep }, node: chain })).catchUp();
      expect(await compareIndex(db.sql, chain.chain.state)).toEqual([]);
    });
    expect(passes.length).toBeGreaterThanOrEqual(3);
    for (const walBytes of passes) expect(walBytes).toBeGreaterThanOrEqual(8n * 1024n);
    expect(await vacuums()).toBeGreaterThan(vacuumedBefore);
    expect(await upkeep.walSinceCheckpoint()).toBeLessThan(passes.reduce((sum, bytes) => sum + bytes, 0n));
  }, 120_000);

  test('the comparison names a changed amount, a missing row and a row the ledger does not have', async () => {
    const sc = SCENARIOS[1]!;
    await resetIndex(db);
    await withChain(sc, async (chain) => {
      await chain.run(sc);
      await (await Projector.open({ db, node: chain })).catchUp();
      expect(await compareIndex(db.sql, chain.chain.state)).toEqual([]);
      const [balance] = await db.sql`SELECT account, asset FROM balances WHERE amount > 1 LIMIT 1`;
      await db.sql`UPDATE balances SET amount = amount - 1 WHERE account = ${balance!.account} AND asset = ${balance!.asset}`;
      await db.sql`INSERT INTO balances (account, asset, amount, updated_height) VALUES ('ab', 'USD', 5, 0)`;
      const differences = await compareIndex(db.sql, chain.chain.state);
      expect(differences.map((d) => `${d.table} ${d.key} ${d.field}`)).toEqual([`balances ${balance!.account}/${balance!.asset} amount`, 'balances ab/USD amount']);
    });
  }, 60_000);

  test('a projector stopped between blocks resumes where it stopped, and a block already indexed is not applied again', async () => {
    await resetIndex(db);
    const sc = SCENARIOS[0]!;
    await withChain(sc, async (chain) => {
      await chain.run(sc, 0, 20);
      let projector = await Projector.open({ db, node: chain });
      await projector.catchUp();
      const before = await tableCounts(db);
      // A second projector on the same index finds every block there and writes nothing.
      const again = await Projector.open({ db, node: chain });
      expect(again.indexedHeight()).toBe(chain.status().height);
      await again.catchUp();
      expect(await tableCounts(db)).toEqual(before);
      await chain.run(sc, 20);
      projector = await Projector.open({ db, node: chain });
      await projector.catchUp();
      expect(projector.indexedHeight()).toBe(chain.status().height);
      expect(await compareIndex(db.sql, chain.chain.state)).toEqual([]);
    });
  }, 120_000);

  test('an index of another chain is refused with the reason; an index ahead of its node waits for it, then checks the block', async () => {
    await resetIndex(db);
    const [first, second] = SCENARIOS as [Scenario, Scenario];
    let indexedAt = 0;
    await withChain(first, async (chain) => {
      await chain.run(first, 0, 30);
      await (await Projector.open({ db, node: chain })).catchUp();
      indexedAt = chain.status().height;
    });
    await withChain(second, async (other) => {
      // Same chain id, a different history: the block at the index's height differs.
      await other.run(second, 0, 40);
      await expect(Projector.open({ db, node: other })).rejects.toThrow(IndexMismatchError);
    });
    // The same chain again from an empty store, as a node whose store was wiped syncs it again.
    await withChain(first, async (resynced) => {
      const projector = await Projector.open({ db, node: resynced });
      expect(projector.indexedHeight()).toBe(indexedAt);
      await projector.catchUp(); // nothing to do yet
      await resynced.run(first, 0, 30);
      expect(resynced.status().height).toBe(indexedAt);
      await resynced.run(first, 30);
      await projector.catchUp();
      expect(projector.indexedHeight()).toBe(resynced.status().height);
      expect(await compareIndex(db.sql, resynced.chain.state)).toEqual([]);
    });
    // Another history that reaches the index's height: refused there.
    const before = await tableCounts(db);
    await withChain(second, async (other) => {
      const projector = await Projector.open({ db, node: other });
      await other.run(second);
      expect(other.status().height).toBeGreaterThan(indexedAt);
      await expect(projector.catchUp()).rejects.toThrow(IndexMismatchError);
    });
    expect(await tableCounts(db)).toEqual(before);
  }, 120_000);
});

async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
