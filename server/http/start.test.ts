import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { homePaths } from '../../node/home/home.js';
import type { Health } from './health.js';
import { cleanEnv, eventually, initFastDevnet, LendnetProcess } from './process-kit.js';
import { sample } from './test-kit.js';

/**
 * `lendnet start --no-web` as operators run it: one process serving the node, its index and
 * the API on one port, shut down in order by SIGTERM, resumed where it stopped.
 */

const processes: LendnetProcess[] = [];
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

function start(home: string, extra: readonly string[] = [], env: Readonly<Record<string, string>> = {}): LendnetProcess {
  const proc = new LendnetProcess(['start', '--no-web', '--port', '0', '--home', home, ...extra], cleanEnv(env));
  processes.push(proc);
  return proc;
}

async function health(url: string): Promise<{ readonly code: number; readonly body: Health }> {
  const response = await fetch(`${url}/healthz`);
  return { code: response.status, body: (await response.json()) as Health };
}

/** Waits for a healthy node at `height` or above whose index holds `indexHeight` or above. */
function healthyAt(url: string, height: number, indexHeight = 0) {
  return eventually(`a healthy node at height ${height}`, async () => {
    const found = await health(url);
    return found.code === 200 && found.body.height >= height && found.body.indexHeight >= indexHeight ? found.body : undefined;
  });
}

describe('lendnet start (node, index and API in one process)', () => {
  it('serves /healthz and /metrics, stops cleanly on SIGTERM, and resumes at the same height with the index caught up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lendnet-start-'));
    folders.push(dir);
    const home = join(dir, 'home');
    await initFastDevnet(home);

    const first = start(home);
    const url = await first.url();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+$/);
    const started = await healthyAt(url, 1);
    // A few blocks committed while serving, so the block-interval histogram has samples.
    const seen = await healthyAt(url, started.height + 3);
    expect(seen).toMatchObject({ status: 'ok', chainId: 'lendnet-devnet', peers: 0, mempool: 0, role: 'validator' });
    expect(seen.indexHeight).toBeLessThanOrEqual(seen.height);
    expect(seen.indexLag).toBeGreaterThanOrEqual(0);

    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(sample(text, 'lendnet_height')).toBeGreaterThanOrEqual(seen.height);
    expect(sample(text, 'lendnet_index_height')).toBeGreaterThanOrEqual(seen.indexHeight);
    expect(sample(text, 'lendnet_index_lag_blocks')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'lendnet_block_time_seconds')).toBeGreaterThan(1_600_000_000);
    expect(sample(text, 'lendnet_block_interval_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'lendnet_mempool_size')).toBe(0);
    expect(sample(text, 'lendnet_peers')).toBe(0);
    expect(sample(text, 'lendnet_committed_txs_total')).toBe(0);
    expect(sample(text, 'lendnet_committed_tx_rate')).toBe(0);
    expect(text).toContain('process_resident_memory_bytes');

    // Without the web app, a page is a 404 in JSON; the API answers under /api/trpc.
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(404);
    expect(await page.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await fetch(`${url}/api/trpc/node.status`)).status).toBe(200);

    // The admin token: written at init, owner-only, needed by operator procedures, never logged.
    const token = (await readFile(homePaths(home).adminToken, 'utf8')).trim();
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(homePaths(home).adminToken)).mode & 0o777).toBe(0o600);
    expect((await fetch(`${url}/api/trpc/node.evidence`)).status).toBe(401);
    expect((await fetch(`${url}/api/trpc/node.evidence`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

    first.signal('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    const stoppedAt = Number((await first.logged('node stopped')).height);
    expect(stoppedAt).toBeGreaterThanOrEqual(seen.height);
    const order = first.records.map((record) => record.msg).filter((msg) => ['shutting down', 'node stopped', 'stopped'].includes(String(msg)));
    expect(order).toEqual(['shutting down', 'node stopped', 'stopped']);
    expect(first.output.join('\n')).not.toContain(token);

    const second = start(home);
    expect(Number((await second.logged('node started')).height)).toBe(stoppedAt);
    // The index resumes where it stopped and goes on with new blocks. How far behind the head it
    // is at one instant depends on the machine's load, so it is not asserted.
    const resumed = await healthyAt(await second.url(), stoppedAt + 1, stoppedAt + 1);
    expect(resumed.indexHeight).toBeGreaterThan(stoppedAt);
    second.signal('SIGINT');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });

  it('takes the admin token from LENDNET_ADMIN_TOKEN when set, and refuses a start whose port is taken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lendnet-start-'));
    folders.push(dir);
    const home = join(dir, 'home');
    await initFastDevnet(home);
    const token = 'operator-chosen-secret-0123456789';
    const first = start(home, [], { LENDNET_ADMIN_TOKEN: token });
    const url = await first.url();
    expect((await fetch(`${url}/api/trpc/node.evidence`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

    // A second node on the same port: one plain error line, a non-zero exit, the first one unharmed.
    const port = new URL(url).port;
    const otherHome = join(dir, 'other');
    await initFastDevnet(otherHome);
    const second = new LendnetProcess(['start', '--no-web', '--port', port, '--home', otherHome], cleanEnv());
    processes.push(second);
    const { code } = await second.exited;
    expect(code).toBe(1);
    expect(second.output.join('\n')).toMatch(/^lendnet: 127\.0\.0\.1:[0-9]+ is already in use/m);
    expect((await health(url)).code).toBe(200);

    first.signal('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect(first.output.join('\n')).not.toContain(token);
  });
});
