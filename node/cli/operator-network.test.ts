import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { allAtLeast, FAST_NETWORK_CONFIG, freePort, type NodeProcess, NodeProcesses, waitFor } from '../ledger/node-processes.js';
import { blockHash, decodeBlock, decodeCommit } from '../../contracts/index.js';
import { decodeConfig, encodeConfig } from '../home/config.js';
import { homePaths } from '../home/home.js';
import { decodeCard, type ValidatorCard } from '../home/validator-card.js';
import { readStatus } from '../ledger/run.js';
import { openStore } from '../store/index.js';
import { main } from './main.js';

/**
 * Operators forming a network from their own machines, as separate processes on 127.0.0.1:
 * four make keys in their own homes and share only their cards, one assembles the genesis,
 * each joins with the others as peers, and their nodes commit one chain. A fifth joins as an
 * observer and follows to the same state root; a validator restarted with --observer stops
 * proposing and voting while the other three go on.
 */

const nodes = new NodeProcesses();
const folders: string[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  await nodes.stopAll();
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Runs a lendnet command in this process; its output, or a failure with the error line. */
async function lendnet(...args: string[]): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0);
  try {
    const code = await main(args);
    if (code !== 0) throw new Error(`lendnet ${args.join(' ')} exited ${code}: ${err.join('\n')}`);
    return out.join('\n');
  } finally {
    vi.restoreAllMocks();
  }
}

const start = (home: string, ...extra: string[]): NodeProcess => nodes.start(home, ...extra);

const stop = (proc: NodeProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => nodes.stop(proc, signal);

async function status(home: string) {
  try {
    return (await readStatus(home))?.status;
  } catch {
    return undefined; // status.json is being replaced
  }
}

const height = async (home: string) => (await status(home))?.height ?? 0;

describe('operators forming a network from their own machines (separate processes on 127.0.0.1)', () => {
  it('four homes from keys new, a genesis from their cards, init --join each: one chain; an observer follows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lendnet-operators-'));
    folders.push(dir);
    const taken = new Set<number>();
    const homes = ['op0', 'op1', 'op2', 'op3', 'observer'].map((name) => join(dir, name));
    const validators = homes.slice(0, 4);
    const cards: ValidatorCard[] = [];
    for (const home of validators) cards.push(decodeCard(await lendnet('keys', 'new', '--home', home, '--listen', `/ip4/127.0.0.1/tcp/${await freePort(taken)}`), home));

    const genesisFile = join(dir, 'genesis.json');
    const printed = await lendnet('genesis', '--cards', ...validators.map((home) => join(home, 'validator-card.json')), '--out', genesisFile, '--chain-id', 'lendnet-operators');
    const peers = /^peers: (.*)$/m.exec(printed)?.[1]?.split(' ').filter((word) => word !== '--peer') ?? [];
    expect(peers).toHaveLength(4);
    // Each node dials the others (a node's own address among its peers is refused).
    const others = (self?: string) => peers.filter((peer) => self === undefined || !peer.endsWith(`/p2p/${self}`)).flatMap((peer) => ['--peer', peer]);
    for (const [i, home] of validators.entries()) await lendnet('init', '--join', genesisFile, '--home', home, ...others(cards[i]!.peerId));
    await lendnet('init', '--join', genesisFile, '--home', homes[4]!, '--listen', `/ip4/127.0.0.1/tcp/${await freePort(taken)}`, ...others());
    for (const home of homes) {
      const path = homePaths(home).config;
      await writeFile(path, encodeConfig({ ...decodeConfig(await readFile(path, 'utf8')), ...FAST_NETWORK_CONFIG }));
    }

    const procs = validators.map((home) => start(home));
    await waitFor('height 3 on every validator', allAtLeast(validators, 3), procs, 60_000);
    expect((await Promise.all(validators.map(status))).map((s) => s?.network?.role)).toEqual(['validator', 'validator', 'validator', 'validator']);

    // Validator op3 comes back as an observer, and a fifth node joins as one; the other three go on.
    await stop(procs[3]!, 'SIGTERM');
    const stoppedAt = Math.max(...(await Promise.all(validators.map(height))));
    procs[3] = start(validators[3]!, '--observer');
    procs.push(start(homes[4]!, '--observer'));
    const target = stoppedAt + 4;
    await waitFor(`height ${target} everywhere`, allAtLeast(homes, target), procs);
    const roles = (await Promise.all(homes.map(status))).map((s) => s?.network?.role);
    expect(roles).toEqual(['validator', 'validator', 'validator', 'observer', 'observer']);
    await Promise.all(procs.map((p) => stop(p, 'SIGTERM')));

    // Every node holds the same blocks, so the same state roots; op3, observing, signed none of the later ones.
    const stores = await Promise.all(homes.map((home) => openStore(homePaths(home).data)));
    try {
      const heads = await Promise.all(stores.map(async (store) => (await store.head())?.height ?? 0));
      const common = Math.min(...heads);
      expect(common).toBeGreaterThanOrEqual(target);
      for (let h = 1; h <= common; h++) {
        const headers = await Promise.all(stores.map(async (store) => decodeBlock((await store.getBlock(h))!).header));
        expect(new Set(headers.map(blockHash)).size, `one block at height ${h}`).toBe(1);
        expect(new Set(headers.map((header) => header.stateRoot)).size).toBe(1);
        if (h <= stoppedAt + 2) continue;
        for (const store of stores) {
          const commit = decodeCommit((await store.getCommit(h))!);
          expect(commit.precommits.map((p) => p.validator), `precommits at ${h}`).not.toContain(cards[3]!.account);
        }
        expect(headers[0]!.proposer).not.toBe(cards[3]!.account);
      }
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  }, 150_000);
});
