import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { homePaths } from '../../node/home/home.js';
import { writeNetworkHomes } from '../../node/home/network-homes.js';
import { FAST_NETWORK_CONFIG } from '../../node/ledger/node-processes.js';
import { cleanEnv, eventually, LENDNET, LendnetProcess } from './process-kit.js';

/**
 * No secret in a node's logs: a node of a one-validator network (so it has a libp2p node key
 * too) runs with every log line on (trace), commits blocks, serves operator calls made with the
 * admin token and with wrong ones, writes a backup when asked, and stops. Nothing it printed,
 * nor what `lendnet backup` printed, holds the admin token, the validator's or the faucet's
 * secret key, or the node key's seed, in hex or base64.
 */

const processes: LendnetProcess[] = [];
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Every written form of a hex secret a log line could carry. */
function forms(hex: string): string[] {
  const bytes = Buffer.from(hex, 'hex');
  return [hex, hex.toUpperCase(), bytes.toString('base64'), bytes.toString('base64url')];
}

async function secretOf(path: string, field: 'secretKey' | 'seed'): Promise<string> {
  const value = (JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>)[field];
  if (typeof value !== 'string' || !/^[0-9a-f]{64,128}$/.test(value)) throw new Error(`no ${field} in ${path}`);
  return value;
}

/** A port below the ephemeral range that nothing listens on now (other process tests pick theirs in 20000–32000 too). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const probe = createServer();
    const free = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise((resolve) => probe.close(resolve));
      return port;
    }
  }
}

describe('a node’s logs', () => {
  it('never carry the admin token or a secret key, even at trace level', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lendnet-log-secrets-'));
    folders.push(out);
    const basePort = await freePort();
    const { homes } = await writeNetworkHomes(out, { validators: 1, basePort, genesisTime: Math.floor(Date.now() / 1000), config: FAST_NETWORK_CONFIG });
    const home = homes[0]!.dir;
    const paths = homePaths(home);

    const node = new LendnetProcess(['start', '--home', home, '--no-web', '--port', '0'], cleanEnv({ LENDNET_LOG_LEVEL: 'trace' }));
    processes.push(node);
    const url = await node.url();
    await eventually('a few blocks', async () => {
      const health = (await (await fetch(`${url}/healthz`)).json()) as { height: number };
      return health.height >= 3 ? true : undefined;
    });

    // The admin token is written at the node's first start.
    const token = (await readFile(paths.adminToken, 'utf8')).trim();
    const secrets = new Map<string, string[]>([
      ['the admin token', [token]],
      ['the validator key', forms(await secretOf(paths.validatorKey, 'secretKey'))],
      ['the faucet key', forms(await secretOf(paths.faucetKey, 'secretKey'))],
      ['the node key', forms(await secretOf(paths.nodeKey, 'seed'))],
    ]);

    for (const authorization of [`Bearer ${token}`, `Bearer ${token}x`, `Basic ${token}`, token]) {
      await fetch(`${url}/api/trpc/node.evidence`, { headers: { authorization } });
      await fetch(`${url}/api/trpc/node.peers`, { headers: { authorization } });
    }
    const backup = await promisify(execFile)(process.execPath, [LENDNET, 'backup', '--home', home, '--out', join(out, 'home.backup')], { env: cleanEnv() });

    node.signal('SIGTERM');
    expect((await node.exited).code).toBe(0);
    const printed = [...node.output, backup.stdout, backup.stderr].join('\n');
    // The logs did record the calls and the shutdown: the check below is not over an empty text.
    expect(node.records.some((record) => record.msg === 'stopped')).toBe(true);
    for (const [what, written] of secrets) {
      for (const form of written) expect(printed.includes(form), `${what} (${form.slice(0, 6)}…) appears in the output`).toBe(false);
    }
  }, 90_000);
});
