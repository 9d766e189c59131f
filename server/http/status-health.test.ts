import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeNetworkHomes } from '../../node/home/network-homes.js';
import { FAST_NETWORK_CONFIG } from '../../node/ledger/node-processes.js';
import { readStatus } from '../../node/ledger/run.js';
import { cleanEnv, eventually, LENDNET, LendnetProcess } from './process-kit.js';

/**
 * `lendnet status` against a network of four `lendnet start` processes on 127.0.0.1, as an
 * operator runs it: healthy while they commit; with two of the four stopped the other two
 * cannot reach a quorum, and status names the stall and the missing peers. Nodes make empty
 * blocks with short timeouts (as in cluster.test.ts), so they count as stalled after 11 s.
 */

const processes: LendnetProcess[] = [];
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** `lendnet status --home DIR [...]`: its exit code and output. */
function status(home: string, ...args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [LENDNET, 'status', '--home', home, ...args], { env: cleanEnv() }, (error, stdout) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout });
    });
  });
}

const height = async (home: string) => (await readStatus(home).catch(() => undefined))?.status.height ?? 0;

describe('lendnet status on a network of separate processes', () => {
  it('says healthy while four validators commit; with two stopped, unhealthy: stalled at a height and round, too few peers', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lendnet-status-net-'));
    folders.push(out);
    // Below the ephemeral range, apart from the ports cluster.test.ts picks.
    const basePort = 30_000 + Math.floor(Math.random() * 250) * 10;
    const { homes } = await writeNetworkHomes(out, { validators: 4, basePort, genesisTime: Math.floor(Date.now() / 1000), config: FAST_NETWORK_CONFIG });
    const dirs = homes.map((home) => home.dir);
    for (const dir of dirs) processes.push(new LendnetProcess(['start', '--home', dir, '--no-web', '--port', '0'], cleanEnv()));
    const [node0] = dirs as [string];

    await eventually('height 2 everywhere', async () => ((await Promise.all(dirs.map(height))).every((h) => h >= 2) ? true : undefined), 60_000);
    const healthy = await eventually('node0 to say healthy', async () => {
      const result = await status(node0);
      return result.code === 0 ? result : undefined;
    });
    expect(healthy.stdout.trim().split('\n').at(-1)).toBe('health     healthy');

    await Promise.all([processes[2]!.kill(), processes[3]!.kill()]);
    const unhealthy = await eventually(
      'node0 to say it stalled with too few peers',
      async () => {
        const result = await status(node0);
        return result.code === 1 && result.stdout.includes('no block committed for') && result.stdout.includes('connected to 1 peer;') ? result : undefined;
      },
      60_000,
    );
    const verdict = unhealthy.stdout.trim().split('\n').at(-1)!;
    expect(verdict).toMatch(/^health {5}unhealthy: stalled: no block committed for \d+ s, consensus stuck at height \d+, round \d+ \((propose|prevote|precommit)\), with 1 peer connected; /);
    expect(verdict).toContain("connected to 1 peer; it takes 2 to reach more than 2/3 of the validators' power together with this node");

    const json = await status(node0, '--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { healthy: boolean; reasons: string[]; running: boolean };
    expect(report.healthy).toBe(false);
    expect(report.running).toBe(true);
    expect(report.reasons.length).toBeGreaterThanOrEqual(2);
  }, 150_000);
});
