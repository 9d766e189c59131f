import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logLevelFromEnv } from '../home/home.js';
import { DEFAULT_CONFIG } from '../home/config.js';
import { type StatusFile, statusPath } from '../ledger/run.js';
import { main } from './main.js';

const folders: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);

/** A home holding only a status file, as a node writes it. */
async function homeWith(status: StatusFile): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'lendnet-status-'));
  folders.push(home);
  await writeFile(statusPath(home), JSON.stringify(status));
  return home;
}

function networkStatus(change: Partial<StatusFile> = {}): StatusFile {
  return {
    pid: process.pid,
    chainId: 'lendnet-test',
    height: 12,
    time: now() - 1,
    hash: 'ab'.repeat(32),
    stateRoot: 'cd'.repeat(32),
    mempoolSize: 0,
    updatedAt: now(),
    network: { role: 'validator', peers: 3, peersNeeded: 2, consensus: { height: 13, round: 0, step: 'propose' } },
    progress: { startedAt: now() - 100, lastCommitAt: now() - 1, stallAfterSeconds: 11, emptyBlocks: true, index: { height: 12, lag: 0 } },
    ...change,
  };
}

/** Runs `lendnet status ...args`: the exit code and what it printed. */
async function status(...args: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  const code = await main(['status', ...args]);
  vi.restoreAllMocks();
  return { code, out };
}

describe('lendnet status', () => {
  it('ends with "healthy" and exits 0 for a running, committing, connected node', async () => {
    const home = await homeWith(networkStatus());
    const { code, out } = await status('--home', home);
    expect(code).toBe(0);
    expect(out.at(-1)).toBe('health     healthy');
    expect(out).toContain('network    validator, 3 peers connected (2 needed)');
    expect(out).toContain('index      height 12, 0 blocks behind');
  });

  it('ends with the reasons and exits 1 for a stalled node short of peers', async () => {
    const home = await homeWith(
      networkStatus({
        network: { role: 'validator', peers: 1, peersNeeded: 2, consensus: { height: 13, round: 5, step: 'prevote' } },
        progress: { startedAt: now() - 100, lastCommitAt: now() - 40, stallAfterSeconds: 11, emptyBlocks: true },
      }),
    );
    const { code, out } = await status('--home', home);
    expect(code).toBe(1);
    expect(out.at(-1)).toMatch(/^health {5}unhealthy: stalled: no block committed for 4\d s, consensus stuck at height 13, round 5 \(prevote\), with 1 peer connected; connected to 1 peer; it takes 2 /);
  });

  it('says a node whose process is gone is not running', async () => {
    const home = await homeWith(networkStatus({ pid: 2 ** 30 }));
    const { code, out } = await status('--home', home);
    expect(code).toBe(1);
    expect(out.at(-1)).toMatch(/^health {5}unhealthy: the node is not running \(last seen /);
  });

  it('prints one JSON object for scripts with --json', async () => {
    const home = await homeWith(networkStatus({ mempoolSize: 3, progress: { startedAt: 0, lastCommitAt: now(), stallAfterSeconds: 10, emptyBlocks: false, index: { height: 1, lag: 11 } } }));
    const { code, out } = await status('--home', home, '--json');
    expect(code).toBe(1);
    const report = JSON.parse(out.join('\n')) as { healthy: boolean; reasons: string[]; running: boolean; status: StatusFile };
    expect(report).toMatchObject({ healthy: false, reasons: ['the index is 11 blocks behind the ledger'], running: true, status: { height: 12, mempoolSize: 3 } });
  });

  it('says no node has run in an empty home', async () => {
    const home = await mkdtemp(join(tmpdir(), 'lendnet-status-'));
    folders.push(home);
    const { code, out } = await status('--home', home, '--json');
    expect(code).toBe(1);
    expect(JSON.parse(out.join('\n'))).toEqual({ healthy: false, reasons: [`the node is not running (no node has run in ${home})`], running: false });
  });

  it('names a status file that is not one, in one line, rather than printing nonsense', async () => {
    for (const text of ['{}', 'not json', '{"pid":"1","chainId":"c","height":1,"time":1,"updatedAt":1}']) {
      const home = await mkdtemp(join(tmpdir(), 'lendnet-status-'));
      folders.push(home);
      await writeFile(statusPath(home), text);
      const errors: string[] = [];
      vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
      const { code, out } = await status('--home', home);
      expect(code, text).toBe(1);
      expect(out, text).toEqual([]);
      expect(errors, text).toEqual([`lendnet: ${statusPath(home)} is not a node's status file; if no node runs in ${home}, remove it`]);
    }
  });
});

describe('the log level', () => {
  it('is config.json’s unless $LENDNET_LOG_LEVEL names another', () => {
    expect(logLevelFromEnv(DEFAULT_CONFIG, {}).logLevel).toBe('info');
    expect(logLevelFromEnv(DEFAULT_CONFIG, { LENDNET_LOG_LEVEL: '' }).logLevel).toBe('info');
    expect(logLevelFromEnv(DEFAULT_CONFIG, { LENDNET_LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(() => logLevelFromEnv(DEFAULT_CONFIG, { LENDNET_LOG_LEVEL: 'loud' })).toThrow(/LENDNET_LOG_LEVEL must be one of trace, debug, info, warn, error/);
  });
});
