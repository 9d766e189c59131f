import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, describe, expect, test } from 'vitest';
import { utf8 } from '../../contracts/index.js';
import { encodeGenesis } from '../../node/home/genesis-file.js';
import { type Home, homePaths, initDevnetHome, loadHome } from '../../node/home/home.js';
import { statusPath } from '../../node/ledger/run.js';
import { blockKey, openStore } from '../../node/store/index.js';
import { openDatabase } from '../db/database.js';
import { type DatabaseKind, openTestDatabase, testDatabaseKinds } from '../db/test-databases.js';
import { chainSource } from '../index/chain-source.js';
import { Projector } from '../index/projector.js';
import { auditVerify } from './verify-command.js';
import { type AuditChainFigures, auditGenesis, buildAuditChain } from './verify-test-chain.js';

/**
 * `lendnet audit verify` on a stopped node's home, with its index on PGlite in the home or on a
 * Postgres server at $DATABASE_URL: a report and 0 on a sound chain and index, one line naming
 * the first discrepancy and 1 on a block altered on disk or a row altered in the index, and a
 * refusal while the node runs.
 */

const kinds = await testDatabaseKinds();
const folders: string[] = [];
const savedUrl = process.env.DATABASE_URL;
const ACTORS = 30;
const TAMPERED = 8;

afterEach(async () => {
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A home whose store holds the audit's market chain, indexed in `kind`'s database. */
async function indexedHome(kind: DatabaseKind): Promise<{ home: Home; figures: AuditChainFigures; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lendnet-audit-'));
  folders.push(dir);
  await initDevnetHome(dir, { genesisTime: 1_000 });
  await writeFile(homePaths(dir).genesis, `${encodeGenesis(auditGenesis(ACTORS))}\n`);
  const home = await loadHome(dir);
  const server = kind === 'postgres' ? await openTestDatabase('postgres') : undefined;
  if (server) process.env.DATABASE_URL = server.location;
  else delete process.env.DATABASE_URL;
  const store = await openStore(home.dataDir);
  const db = server ?? (await openDatabase({ dataDir: join(dir, 'index') }));
  try {
    const { chain, genesis, figures } = await buildAuditChain(store, { actors: ACTORS, rounds: 8 });
    await (await Projector.open({ db, node: chainSource(chain, genesis) })).catchUp();
    return { home, figures, close: async () => void (await server?.close()) };
  } finally {
    if (!server) await db.close();
    await store.close();
  }
}

async function run(home: Home): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await auditVerify(home, (line) => out.push(line), (line) => err.push(line));
  return { code, out, err };
}

describe.each(kinds)('lendnet audit verify (%s)', (kind) => {
  test('reports a sound chain and index; names a block altered on disk and a row altered in the index', async () => {
    const { home, figures, close } = await indexedHome(kind);
    try {
      const sound = await run(home);
      expect(sound.err).toEqual([]);
      expect(sound.code).toBe(0);
      const report = sound.out.find((line) => line.startsWith('replayed '));
      expect(report).toMatch(
        new RegExp(
          `^replayed [0-9]+ blocks from genesis: ${figures.txs} transactions, ${figures.loans} loans checked \\(${figures.repaid} repaid, ${figures.defaulted} defaulted, 0 active\\), ` +
            `[0-9]+ events, ${figures.payments} payments in [0-9.]+ s \\([0-9]+ txs/s\\)$`,
        ),
      );
      console.log(`${kind}: ${report}`);
      expect(sound.out.at(-1)).toMatch(new RegExp(`^the ${kind} index at .* equals the replayed chain`));

      // A row of the index altered: named with its table, key, field and both values.
      const db = await openDatabase(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { dataDir: join(home.dir, 'index') });
      let loanId: bigint;
      try {
        const [row] = await db.sql<{ id: bigint }[]>`UPDATE loans SET status = 'active' WHERE status = 'repaid' AND id = (SELECT min(id) FROM loans WHERE status = 'repaid') RETURNING id`;
        loanId = row!.id;
      } finally {
        await db.close();
      }
      const row = await run(home);
      expect(row.code).toBe(1);
      expect(row.err).toEqual([expect.stringMatching(new RegExp(`^lendnet: audit failed: the ${kind} index differs from the replayed chain in [0-9]+ field\\(s\\); first: loans ${loanId} status is active in the index, repaid in the ledger$`))]);

      // One byte of a stored block altered on disk, in the node's own store.
      const level = new ClassicLevel<Uint8Array, Uint8Array>(home.dataDir, { keyEncoding: 'view', valueEncoding: 'view' });
      await level.open();
      try {
        const stored = Buffer.from((await level.get(blockKey(TAMPERED)))!).toString('utf8');
        const at = stored.indexOf('"stateRoot":"') + '"stateRoot":"'.length;
        await level.put(blockKey(TAMPERED), utf8(`${stored.slice(0, at)}${stored[at] === 'a' ? 'b' : 'a'}${stored.slice(at + 1)}`));
      } finally {
        await level.close();
      }
      const block = await run(home);
      expect(block.code).toBe(1);
      expect(block.err).toEqual([`lendnet: audit failed: block ${TAMPERED}: its state root does not match the state it leads to; the ${TAMPERED - 1} blocks before it check`]);
    } finally {
      await close();
    }
  }, 120_000);
});

test('refuses while the home’s node runs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lendnet-audit-'));
  folders.push(dir);
  await initDevnetHome(dir, { genesisTime: 1_000 });
  await writeFile(statusPath(dir), JSON.stringify({ pid: process.pid, chainId: 'lendnet-devnet', height: 0, time: 0, hash: '', stateRoot: '', mempoolSize: 0, updatedAt: 0 }));
  const refused = await run(await loadHome(dir));
  expect(refused).toEqual({ code: 1, out: [], err: [`lendnet: the node of ${dir} is running (pid ${process.pid}); stop it before auditing its chain`] });
});
