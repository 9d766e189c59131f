import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { initDevnetHome, loadHome } from '../node/home/home.js';
import { LedgerNode, verifyInThisThread } from '../node/ledger/ledger-node.js';
import { statusPath } from '../node/ledger/run.js';
import { openStore } from '../node/store/index.js';
import { openDatabase } from './db/database.js';
import { openTestDatabase, testDatabaseKinds } from './db/test-databases.js';
import { runMarketWorkload } from './index/market-workload.js';
import { reindex } from './reindex.js';

/**
 * `lendnet reindex` on a stopped node's home: rebuilds the index from the block store, and
 * checks it against the ledger state; a wrong row written into the index is gone afterwards.
 */

const kinds = await testDatabaseKinds();
const folders: string[] = [];
const savedUrl = process.env.DATABASE_URL;

afterEach(async () => {
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A devnet home whose chain holds a few rounds of a market workload; returns the txs committed. */
async function homeWithMarket(dir: string): Promise<number> {
  await initDevnetHome(dir, { genesisTime: Math.floor(Date.now() / 1000) - 60 });
  const home = await loadHome(dir);
  const store = await openStore(home.dataDir);
  const node = await LedgerNode.open({
    genesis: home.genesis,
    checkSignatures: verifyInThisThread,
    config: { ...home.config, blockIntervalMs: 20 },
    store,
    validatorKey: home.validatorKey,
    onFatal: (error) => {
      throw error;
    },
  });
  await node.start();
  const figures = await runMarketWorkload(node, { actors: 6, rounds: 4, stop: () => false });
  await node.stop();
  await store.close();
  return figures.committed;
}

describe.each(kinds)('lendnet reindex (%s)', (kind) => {
  test('rebuilds the index from the store, equal to the ledger state, and repairs a wrong row', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lendnet-reindex-'));
    folders.push(dir);
    const committed = await homeWithMarket(dir);
    expect(committed).toBeGreaterThan(50);
    const server = kind === 'postgres' ? await openTestDatabase('postgres') : undefined;
    try {
      if (server) process.env.DATABASE_URL = server.location;
      else delete process.env.DATABASE_URL;
      const home = await loadHome(dir);

      const lines: string[] = [];
      expect(await reindex(home, (line) => lines.push(line))).toBe(0);
      const summary = lines.find((line) => line.startsWith('indexed '));
      expect(summary).toMatch(new RegExp(`^indexed [0-9]+ blocks, ${committed} transactions, [0-9]+ events in [0-9.]+ s$`));
      expect(lines.at(-1)).toMatch(/^the index equals the ledger state/);

      // A wrong balance written straight into the index: a rebuild puts it right.
      const db = server ?? (await openDatabase({ dataDir: join(dir, 'index') }));
      try {
        const [row] = await db.sql<{ account: string; amount: bigint }[]>`UPDATE balances SET amount = amount + 1 WHERE asset = 'USD' AND amount > 0
          RETURNING account, amount`;
        expect(row).toBeDefined();
      } finally {
        if (!server) await db.close();
      }
      const again: string[] = [];
      expect(await reindex(home, (line) => again.push(line))).toBe(0);
      expect(again.find((line) => line.startsWith('indexed '))).toContain(`${committed} transactions`);
      expect(again.at(-1)).toMatch(/^the index equals the ledger state/);
    } finally {
      await server?.close();
    }
  });
});

test('lendnet reindex refuses while the node of the home is running', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lendnet-reindex-'));
  folders.push(dir);
  await initDevnetHome(dir, { genesisTime: Math.floor(Date.now() / 1000) });
  // The status file a running node keeps, naming a live process (this one).
  await writeFile(statusPath(dir), JSON.stringify({ pid: process.pid, chainId: 'lendnet-devnet', height: 0, time: 0, hash: '', stateRoot: '', mempoolSize: 0, updatedAt: 0 }));
  const lines: string[] = [];
  expect(await reindex(await loadHome(dir), (line) => lines.push(line))).toBe(1);
  expect(lines).toEqual([]);
});
