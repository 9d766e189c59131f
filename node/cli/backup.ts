import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { readApiAddress } from '../home/api-address.js';
import { type BackupSummary, writeBackup } from '../home/backup.js';
import { HomeError, homeDir, homePaths, loadHome } from '../home/home.js';
import { restoreBackup } from '../home/restore.js';
import { readStatus } from '../ledger/run.js';
import { openStore, type Store } from '../store/index.js';

export const BACKUP_USAGE = `  backup --out FILE [--home DIR]
                               write one file holding the home's config, genesis, keys and every record of
                               its block store at one moment (readable by its owner only: it holds secret
                               keys); a running node writes it itself, asked with its admin token
  restore --from FILE --home NEWDIR
                               check a backup's checksum, then write it into a new home; the node rebuilds
                               its index from the store when it first starts`;

type Flags = ReadonlyMap<string, string | true>;

function required(flags: Flags, name: string, what: string): string {
  const value = flags.get(name);
  if (typeof value !== 'string') throw new Error(`${what} needs ${name}`);
  return value;
}

/**
 * `lendnet backup`: a stopped node's store is opened here; a running node (its store is locked
 * by its process) is asked through its operator API, so the backup is a snapshot of the store
 * it keeps committing to.
 */
export async function backupCommand(flags: Flags, out: (line: string) => void = console.log): Promise<number> {
  const path = resolve(required(flags, '--out', 'backup'));
  const flag = flags.get('--home');
  const home = homeDir(typeof flag === 'string' ? flag : undefined);
  if (!existsSync(homePaths(home).config)) throw new HomeError(`no node home at ${home}`);
  if (existsSync(path)) throw new HomeError(`${path} already exists; choose another --out or remove it`);
  const status = await readStatus(home);
  let summary: BackupSummary;
  let by: string;
  if (status?.running) {
    summary = await backupByNode(home, path, status.status.pid);
    by = `written by the running node, pid ${status.status.pid}`;
  } else {
    const { genesis } = await loadHome(home);
    const store = await openStopped(home);
    if (store === 'locked') {
      summary = await backupByNode(home, path, undefined);
      by = 'written by the running node';
    } else {
      try {
        summary = await writeBackup({ home, store, out: path, chainId: genesis.market.params.chainId });
      } finally {
        await store.close();
      }
      by = 'the node stopped';
    }
  }
  out(`backed up chain ${summary.chainId} at height ${summary.height} to ${summary.path} (${by})`);
  out(`  block ${summary.hash}, state root ${summary.stateRoot}`);
  out(`  ${summary.records} records, ${summary.files} files, ${summary.bytes} bytes in ${summary.seconds.toFixed(2)} s`);
  out(`  the file holds the node's secret keys: it is readable by its owner only; keep it as safe as the keys`);
  return 0;
}

/** The stopped node's store, or 'locked' when another process holds it (a node starting up). */
async function openStopped(home: string): Promise<Store | 'locked'> {
  try {
    return await openStore(homePaths(home).data);
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') return 'locked';
    throw error;
  }
}

/** Asks the running node of `home` to write the backup at `path` on this machine. */
async function backupByNode(home: string, path: string, pid: number | undefined): Promise<BackupSummary> {
  const running = pid === undefined ? 'is running' : `is running (pid ${pid})`;
  const address = await readApiAddress(home);
  if (!address || (pid !== undefined && address.pid !== pid)) {
    throw new HomeError(`the node of ${home} ${running} but has not said where it serves its API (${home}/api.json); wait until it serves, or stop it`);
  }
  const token = await readToken(home);
  if (token === undefined) {
    throw new HomeError(`backing up a running node needs its admin token: set LENDNET_ADMIN_TOKEN or keep ${homePaths(home).adminToken}; nothing was written`);
  }
  let answer: { status: number; text: string };
  try {
    answer = await postJson(`${address.url}/api/trpc/node.backup`, token, JSON.stringify({ path }));
  } catch {
    throw new HomeError(`the node of ${home} ${running} but does not answer at ${address.url}`);
  }
  let body: { result?: { data?: BackupSummary }; error?: { message?: string } } | undefined;
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    body = undefined;
  }
  const summary = body?.result?.data;
  if (answer.status !== 200 || !summary) throw new HomeError(`the node refused the backup: ${body?.error?.message ?? `HTTP ${answer.status}`}; nothing was written`);
  return summary;
}

/**
 * POSTs a JSON body and reads the whole answer, with no deadline on the answer's headers: the
 * node answers only once the backup is written, which for a large store takes minutes (fetch
 * gives up on headers after 300 s).
 */
function postJson(url: string, token: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The admin token: $LENDNET_ADMIN_TOKEN, else the home's keys/admin-token; never written here. */
async function readToken(home: string): Promise<string | undefined> {
  const fromEnv = process.env.LENDNET_ADMIN_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    const token = (await readFile(homePaths(home).adminToken, 'utf8')).trim();
    return token === '' ? undefined : token;
  } catch {
    return undefined;
  }
}

/** `lendnet restore`: a backup into a new home. */
export async function restoreCommand(flags: Flags, out: (line: string) => void = console.log): Promise<number> {
  const from = resolve(required(flags, '--from', 'restore'));
  const home = resolve(required(flags, '--home', 'restore'));
  const summary = await restoreBackup(from, home);
  out(`restored chain ${summary.chainId} at height ${summary.height} into ${summary.home}`);
  out(`  block ${summary.hash}, state root ${summary.stateRoot}`);
  out(`  ${summary.records} records, ${summary.files} files from ${summary.bytes} bytes in ${summary.seconds.toFixed(2)} s`);
  out(`  the index is built from the store when the node first starts: lendnet start --home ${summary.home}`);
  return 0;
}
