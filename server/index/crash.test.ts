import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { Chain } from '../../node/ledger/chain.js';
import { openStore } from '../../node/store/index.js';
import { type IndexDatabase, openDatabase } from '../db/database.js';
import { openTestDatabase, testDatabaseKinds, type DatabaseKind } from '../db/test-databases.js';
import { chainSource } from './chain-source.js';
import { compareIndex } from './compare.js';
import { crashGenesis } from './crash-child.js';
import { Projector } from './projector.js';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KILLS = 4;

/** Runs the child until it has indexed `blocks` more blocks under load, then kills it with SIGKILL mid-stream. */
function runAndKill(storeDir: string, database: string, blocks: number): Promise<{ readonly indexed: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, storeDir, database], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let indexed = 0;
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      indexed = (out.match(/^indexed /gm) ?? []).length;
      // Killed right after a block is indexed plus a varying delay: while the next block is
      // being written, by the node or by the projector, most of the time.
      if (!killed && indexed >= blocks) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), (blocks * 37) % 90);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ indexed });
      else reject(new Error(`the child exited with ${code}: ${err.slice(-2_000)}`));
    });
  });
}

/** Blocks the killed node had committed that its index had not (the restart indexes them). */
async function indexBehind(storeDir: string, database: string, server: IndexDatabase | undefined): Promise<number> {
  const store = await openStore(storeDir);
  const db = server ?? (await openDatabase({ dataDir: database }));
  try {
    const genesis = crashGenesis();
    const projector = await Projector.open({ db, node: chainSource(await Chain.open(store, genesis), genesis) });
    return projector.lag();
  } finally {
    if (!server) await db.close();
    await store.close();
  }
}

const kinds = await testDatabaseKinds();

describe.each(kinds)('an index on %s killed with SIGKILL under load', (kind: DatabaseKind) => {
  test(`${KILLS} kills: each restart resumes, no block is lost or counted twice, and the index equals the ledger`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lendnet-index-crash-'));
    const server = kind === 'postgres' ? await openTestDatabase('postgres') : undefined;
    const database = server ? server.location.replace('postgres://postgres:@', 'postgres://postgres@') : join(dir, 'index');
    try {
      const genesis = crashGenesis();
      const behind: number[] = [];
      for (let i = 0; i < KILLS; i++) {
        await runAndKill(join(dir, 'store'), database, 8 + i * 5);
        behind.push(await indexBehind(join(dir, 'store'), database, server));
      }
      // How far the index was behind the node at each kill (figures for the log).
      console.log(`${kind}: blocks the index was behind the node at each kill: ${behind.join(', ')}`);
      const store = await openStore(join(dir, 'store'));
      const chain = await Chain.open(store, genesis);
      let db: IndexDatabase | undefined;
      try {
        db = server ?? (await openDatabase({ dataDir: database }));
        const projector = await Projector.open({ db, node: chainSource(chain, genesis) });
        await projector.catchUp();
        expect(projector.indexedHeight()).toBe(chain.head().height);
        expect(await compareIndex(db.sql, chain.state)).toEqual([]);
        const [{ blocks, txs, loans, payments }] = (await db.sql`SELECT (SELECT count(*) FROM blocks) AS blocks, (SELECT count(*) FROM txs) AS txs,
          (SELECT count(*) FROM loans) AS loans, (SELECT count(*) FROM payments) AS payments`) as unknown as [Record<string, bigint>];
        expect(blocks).toBe(BigInt(chain.head().height));
        expect(txs).toBeGreaterThan(100n);
        expect(loans).toBeGreaterThan(5n);
        expect(payments).toBeGreaterThan(5n);
        // Every committed transaction is in the index once.
        let committed = 0;
        for (let h = 1; h <= chain.head().height; h++) committed += (await chain.block(h))!.txs.length;
        expect(txs).toBe(BigInt(committed));
      } finally {
        if (!server) await db?.close();
        await store.close();
      }
    } finally {
      await server?.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
