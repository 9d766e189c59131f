import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { blockHash, decodeBlock } from '../../contracts/index.js';
import { decodeConfig, encodeConfig } from '../home/config.js';
import { homePaths } from '../home/home.js';
import { writeNetworkHomes } from '../home/network-homes.js';
import { snapshotBaseHeight } from '../ledger/snapshot-base.js';
import { FAST_NETWORK_CONFIG, NodeProcesses, statusHeight, waitFor } from '../ledger/node-processes.js';
import { openStore } from '../store/index.js';
import { main } from './main.js';

/**
 * A node that joins a running network of four validators (separate processes on 127.0.0.1)
 * with `lendnet init --join … --snapshot`: it starts from a verified state snapshot of its
 * peers, holds no blocks up to that height, and then holds the validators' blocks above it.
 */

const nodes = new NodeProcesses();
const folders: string[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  await nodes.stopAll();
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** The first of `count` consecutive free ports below the ephemeral range. */
async function freePorts(count: number): Promise<number> {
  for (;;) {
    const base = 21_000 + Math.floor(Math.random() * 11_000);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => portFree(base + i)));
    if (free.every(Boolean)) return base;
  }
}

describe('joining from a state snapshot (separate processes on 127.0.0.1)', () => {
  it('init --join --snapshot: the node starts at a snapshot height and then follows the same chain', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lendnet-state-sync-'));
    folders.push(dir);
    const basePort = await freePorts(5);
    const { homes } = await writeNetworkHomes(join(dir, 'net'), { validators: 4, genesisTime: Math.floor(Date.now() / 1000), basePort, config: FAST_NETWORK_CONFIG });
    const validators = homes.map((home) => home.dir);
    const procs = validators.map((home) => nodes.start(home));
    await waitFor('height 6 on every validator', async () => (await Promise.all(validators.map(statusHeight))).every((h) => h >= 6), procs, 90_000);

    const joiner = join(dir, 'joiner');
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const peers = homes.flatMap((home) => ['--peer', `${home.address}/p2p/${home.peerId}`]);
    expect(await main(['init', '--join', homePaths(validators[0]!).genesis, '--home', joiner, '--listen', `/ip4/127.0.0.1/tcp/${basePort + 4}`, ...peers, '--snapshot'])).toBe(0);
    vi.restoreAllMocks();
    const configPath = homePaths(joiner).config;
    const config = decodeConfig(await readFile(configPath, 'utf8'));
    expect(config.network?.stateSync).toBe(true);
    await writeFile(configPath, encodeConfig({ ...config, ...FAST_NETWORK_CONFIG }));

    const joinedAt = Math.max(...(await Promise.all(validators.map(statusHeight))));
    const started = Date.now();
    const proc = nodes.start(joiner, '--observer');
    procs.push(proc);
    await waitFor('the joiner to start from a snapshot', async () => proc.log.join('').includes('started from a state snapshot'), procs);
    const seconds = (Date.now() - started) / 1000;
    // Then it follows: blocks committed after the snapshot reach it.
    const after = Math.max(...(await Promise.all(validators.map(statusHeight))));
    await waitFor('the joiner to follow the validators', async () => (await statusHeight(joiner)) >= after + 3, procs);
    await Promise.all(procs.map((p) => nodes.stop(p, 'SIGTERM')));

    const stores = await Promise.all([...validators, joiner].map((home) => openStore(homePaths(home).data)));
    try {
      const heads = await Promise.all(stores.map(async (store) => (await store.head())?.height ?? 0));
      // The validator that committed the most, to compare the joiner's blocks with.
      const validatorStore = stores[heads.slice(0, 4).indexOf(Math.max(...heads.slice(0, 4)))]!;
      const joinerStore = stores[4]!;
      const base = await snapshotBaseHeight(joinerStore);
      expect(base).toBeGreaterThanOrEqual(joinedAt - 1);
      expect(await joinerStore.getBlock(1)).toBeUndefined();
      expect(await joinerStore.getBlock(base!)).toBeUndefined();
      const top = Math.min((await validatorStore.head())!.height, (await joinerStore.head())!.height);
      expect(top).toBeGreaterThanOrEqual(base! + 3);
      for (let h = base! + 1; h <= top; h++) {
        const [a, b] = await Promise.all([validatorStore.getBlock(h), joinerStore.getBlock(h)]);
        expect(blockHash(decodeBlock(b!).header), `block ${h}`).toBe(blockHash(decodeBlock(a!).header));
      }
      const line = proc.log.join('').split('\n').find((text) => text.includes('started from a state snapshot'));
      console.info(JSON.stringify({ secondsToStartFromSnapshot: seconds, base, top, heads, log: line && JSON.parse(line) }));
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  }, 180_000);
});
