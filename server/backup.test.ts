import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { blockHash, decodeBlock, signTransaction } from '../contracts/index.js';
import { testKey } from '../contracts/test/fixtures.js';
import { main } from '../node/cli/main.js';
import { checkBackupFile } from '../node/home/backup-file.js';
import { homePaths, loadHome } from '../node/home/home.js';
import { Chain } from '../node/ledger/chain.js';
import { openStore } from '../node/store/index.js';
import { openDatabase } from './db/database.js';
import { cleanEnv, eventually, initFastDevnet, LENDNET, LendnetProcess } from './http/process-kit.js';
import { chainSource } from './index/chain-source.js';
import { compareIndex } from './index/compare.js';
import { Projector } from './index/projector.js';

/**
 * `lendnet backup` and `lendnet restore` as operators run them: of a stopped node, of a node
 * committing transactions, and the files and homes they refuse.
 */

const processes: LendnetProcess[] = [];
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lendnet-backup-'));
  folders.push(dir);
  return dir;
}

function start(home: string): LendnetProcess {
  const proc = new LendnetProcess(['start', '--no-web', '--port', '0', '--home', home], cleanEnv());
  processes.push(proc);
  return proc;
}

interface Health {
  readonly height: number;
  readonly indexHeight: number;
}

function healthyAt(url: string, height: number, indexHeight = 0, ms = 40_000): Promise<Health> {
  return eventually(
    `a node at height ${height} with its index at ${indexHeight}`,
    async () => {
      const response = await fetch(`${url}/healthz`);
      const body = (await response.json()) as Health;
      return body.height >= height && body.indexHeight >= indexHeight ? body : undefined;
    },
    ms,
  );
}

/** Runs the command in this process; its exit code and what it printed. */
async function lendnet(...argv: string[]): Promise<{ readonly code: number; readonly out: string; readonly err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void out.push(String(line)));
  const error = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void err.push(String(line)));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** The head a home's store holds, with its state root, as a starting node checks it. */
async function storedHead(home: string): Promise<{ readonly height: number; readonly hash: string; readonly stateRoot: string }> {
  const store = await openStore(homePaths(home).data);
  try {
    const { height, hash, stateRoot } = (await Chain.open(store, (await loadHome(home)).genesis)).head();
    return { height, hash, stateRoot };
  } finally {
    await store.close();
  }
}

/** Nothing of a refused restore is left: neither the home nor a folder being written beside it. */
async function nothingRestored(dir: string, home: string): Promise<void> {
  expect(existsSync(home)).toBe(false);
  expect((await readdir(dir)).filter((name) => name.includes('restoring'))).toEqual([]);
}

describe('lendnet backup and restore', () => {
  it('backs up a stopped node; the restored home starts at the same head and goes on committing; damaged files and used homes are refused', async () => {
    const dir = await tempDir();
    const home = join(dir, 'home');
    await initFastDevnet(home);
    const first = start(home);
    await healthyAt(await first.url(), 5);
    first.signal('SIGTERM');
    expect((await first.exited).code).toBe(0);
    const original = await storedHead(home);

    // The command as operators run it, in its own process.
    const file = join(dir, 'node.backup');
    const { stdout } = await promisify(execFile)(process.execPath, [LENDNET, 'backup', '--home', home, '--out', file], { env: cleanEnv() });
    expect(stdout).toContain(`at height ${original.height} to ${file} (the node stopped)`);
    expect(stdout).toMatch(/[0-9]+ records, [0-9]+ files, [0-9]+ bytes in [0-9.]+ s/);
    expect(stdout).toContain('readable by its owner only');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(existsSync(`${file}.partial`)).toBe(false);
    const header = await checkBackupFile(file);
    expect(header).toMatchObject({ height: original.height, hash: original.hash, stateRoot: original.stateRoot, chainId: 'lendnet-devnet' });
    expect(header.counts.blocks).toBe(original.height);
    expect(header.files).toEqual(expect.arrayContaining(['config.json', 'genesis.json', 'keys/validator.json', 'keys/faucet.json', 'keys/admin-token']));
    expect((await lendnet('backup', '--home', home, '--out', file)).err).toMatch(/already exists/);

    const restored = join(dir, 'restored');
    const restore = await lendnet('restore', '--from', file, '--home', restored);
    expect(restore.err).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.out).toContain(`restored chain lendnet-devnet at height ${original.height} into ${restored}`);
    expect(await storedHead(restored)).toEqual(original);
    expect(await readFile(homePaths(restored).validatorKey, 'utf8')).toBe(await readFile(homePaths(home).validatorKey, 'utf8'));
    expect((await stat(homePaths(restored).validatorKey)).mode & 0o777).toBe(0o600);

    // Refusals: one plain line, a non-zero exit, nothing written.
    const bytes = await readFile(file);
    const altered = Buffer.from(bytes);
    altered[Math.floor(altered.length / 2)] = (altered[Math.floor(altered.length / 2)] ?? 0) ^ 0x01;
    await writeFile(join(dir, 'altered.backup'), altered);
    await writeFile(join(dir, 'cut.backup'), bytes.subarray(0, bytes.length - 100));
    await writeFile(join(dir, 'foreign.backup'), Buffer.alloc(10_000, 0x61));
    const header0 = Buffer.from(bytes);
    header0[12] = 0x21; // inside the header's format name
    await writeFile(join(dir, 'altered-header.backup'), header0);
    const header1 = Buffer.from(bytes);
    header1[40] = (header1[40] ?? 0) ^ 0x01; // the header's "chainId" key
    await writeFile(join(dir, 'altered-field.backup'), header1);
    const refusals: [string, RegExp][] = [
      ['altered.backup', /is damaged: its SHA-256 checksum does not match/],
      ['cut.backup', /is cut short or has bytes added/],
      ['foreign.backup', /is not a Lendnet backup/],
      ['altered-header.backup', /is not a Lendnet backup/],
      ['altered-field.backup', /is damaged: its SHA-256 checksum does not match/],
    ];
    for (const [name, message] of refusals) {
      const target = join(dir, `from-${name}`);
      const refused = await lendnet('restore', '--from', join(dir, name), '--home', target);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(new RegExp(`^lendnet: .*${message.source}`));
      expect(refused.err.split('\n')).toHaveLength(1);
      await nothingRestored(dir, target);
    }
    const intoUsed = await lendnet('restore', '--from', file, '--home', home);
    expect(intoUsed.code).toBe(1);
    expect(intoUsed.err).toMatch(/^lendnet: .*already holds a node/);
    expect(await storedHead(home)).toEqual(original);

    const second = start(restored);
    expect(Number((await second.logged('node started')).height)).toBe(original.height);
    await healthyAt(await second.url(), original.height + 3, original.height + 3);
    second.signal('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('backs up a node while it commits transactions: a consistent head the restored node resumes from, with an index equal to its ledger', async () => {
    const dir = await tempDir();
    const home = join(dir, 'home');
    await initFastDevnet(home);
    const node = start(home);
    const url = await node.url();
    await healthyAt(url, 2);

    // Faucet transactions from four accounts, each waiting for its block, until told to stop.
    let loading = true;
    let committed = 0;
    const actors = [0, 1, 2, 3].map(async (i) => {
      const key = testKey(`backup-actor-${i}`);
      for (let nonce = 0n; loading; nonce++) {
        const signed = signTransaction({ chainId: 'lendnet-devnet', type: 'faucet', signer: key.account, nonce, body: { asset: 'USD', amount: 1_000_000n + nonce } }, key.secretKey);
        const response = await fetch(`${url}/api/trpc/tx.submit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ wire: signed.encoded }) });
        if (!response.ok) throw new Error(`a faucet transaction was refused: ${await response.text()}`);
        committed += 1;
      }
    });
    await eventually('20 committed transactions', async () => (committed >= 20 ? true : undefined), 40_000);

    // Without the admin token, or with a wrong one: refused before a byte is written.
    const file = join(dir, 'running.backup');
    const tokenPath = homePaths(home).adminToken;
    await rename(tokenPath, `${tokenPath}.aside`);
    const noToken = await lendnet('backup', '--home', home, '--out', file);
    await rename(`${tokenPath}.aside`, tokenPath);
    expect(noToken.code).toBe(1);
    expect(noToken.err).toMatch(/^lendnet: backing up a running node needs its admin token/);
    vi.stubEnv('LENDNET_ADMIN_TOKEN', 'not-the-token-of-this-node');
    const wrongToken = await lendnet('backup', '--home', home, '--out', file).finally(() => vi.unstubAllEnvs());
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.err).toMatch(/^lendnet: the node refused the backup: .*admin token/);
    expect(existsSync(file) || existsSync(`${file}.partial`)).toBe(false);

    const backup = await lendnet('backup', '--home', home, '--out', file);
    expect(backup.err).toBe('');
    expect(backup.out).toMatch(/written by the running node, pid [0-9]+\)/);
    const header = await checkBackupFile(file);
    const txsAtBackup = committed;
    await eventually('more transactions after the backup', async () => (committed >= txsAtBackup + 8 ? true : undefined), 40_000);
    loading = false;
    await Promise.all(actors);
    node.signal('SIGTERM');
    expect((await node.exited).code).toBe(0);
    expect((await storedHead(home)).height).toBeGreaterThan(header.height);
    expect(header.counts.txs).toBeGreaterThan(0);

    // The backup's head is a block the node committed, and its state is that block's state.
    const originalStore = await openStore(homePaths(home).data);
    try {
      const block = decodeBlock((await originalStore.getBlock(header.height))!);
      expect(blockHash(block.header)).toBe(header.hash);
      expect(block.header.stateRoot).toBe(header.stateRoot);
    } finally {
      await originalStore.close();
    }
    const restored = join(dir, 'restored');
    expect((await lendnet('restore', '--from', file, '--home', restored)).code).toBe(0);
    // Chain.open checks the stored state's root against the head block's header.
    expect(await storedHead(restored)).toEqual({ height: header.height, hash: header.hash, stateRoot: header.stateRoot });

    const resumed = start(restored);
    expect(Number((await resumed.logged('node started')).height)).toBe(header.height);
    await healthyAt(await resumed.url(), header.height + 3, header.height + 3);
    resumed.signal('SIGTERM');
    expect((await resumed.exited).code).toBe(0);

    // The index the restored node built equals its ledger, once it holds every stored block.
    const store = await openStore(homePaths(restored).data);
    const db = await openDatabase({ dataDir: join(restored, 'index') });
    try {
      const { genesis } = await loadHome(restored);
      const chain = await Chain.open(store, genesis);
      const projector = await Projector.open({ db, node: chainSource(chain, genesis) });
      await projector.catchUp();
      expect(projector.indexedHeight()).toBe(chain.head().height);
      expect(await compareIndex(db.sql, chain.state)).toEqual([]);
      const [row] = await db.sql<{ txs: bigint }[]>`SELECT count(*) AS txs FROM txs`;
      expect(Number(row!.txs)).toBe(header.counts.txs);
    } finally {
      await db.close();
      await store.close();
    }
  });
});
