import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CommitCertificate } from '../../contracts/index.js';
import { readApiAddress } from '../home/api-address.js';
import { decodeConfig, encodeConfig } from '../home/config.js';
import { homePaths } from '../home/home.js';
import { decodeCard, type ValidatorCard } from '../home/validator-card.js';
import { allAtLeast, FAST_NETWORK_CONFIG, freePort, NodeProcesses, statusHeight, waitFor } from '../ledger/node-processes.js';
import { main } from './main.js';
import { NodeApi, type ValidatorSetView } from './validators.js';

/**
 * Operators changing a running network's validator set with `lendnet validators`, each node its
 * own `lendnet start` process on 127.0.0.1: four validators from a genesis of their cards, and a
 * fifth operator whose node joined with a card that is not in it. Home 0 proposes adding the
 * fifth and homes 1 and 2 approve; from the height the change takes effect the fifth node's
 * precommits are in the commits. Then it is removed the same way and the four go on.
 */

const nodes = new NodeProcesses();
const folders: string[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  await nodes.stopAll();
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Runs a lendnet command in this process: its exit code and what it printed. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0);
  try {
    const code = await main(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    vi.restoreAllMocks();
  }
}

/** Runs a lendnet command that must succeed; its output. */
async function lendnet(...args: string[]): Promise<string> {
  const { code, out, err } = await run(...args);
  if (code !== 0) throw new Error(`lendnet ${args.join(' ')} exited ${code}: ${err}`);
  return out;
}

const validatorsOf = async (home: string) => JSON.parse(await lendnet('validators', '--json', '--home', home)) as ValidatorSetView;

/** The validators whose precommits are in the commit of `height`, read from the node's API. */
async function signersAt(api: NodeApi, height: number): Promise<string[]> {
  const { commit } = await api.query<{ commit: CommitCertificate }>('audit.commit', { height });
  return commit.precommits.map((p) => p.validator);
}

describe('lendnet validators', () => {
  it('refuses bad flags in one line with exit code 2', async () => {
    for (const args of [
      ['validators', 'propose', '--power', '1'],
      ['validators', 'propose', '--account', 'ab'.repeat(16), '--power', '1'],
      ['validators', 'propose', '--account', 'ab'.repeat(32), '--power', '-1'],
      ['validators', 'approve', '--proposal', '0'],
      ['validators', 'approve', '--proposal', '1', '--power', '2'],
      ['validators', 'remove'],
    ]) {
      const { code, err } = await run(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(err.split('\n')).toHaveLength(1);
    }
  });

  it('adds a fifth validator to a running four-validator network and removes it again (separate processes)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lendnet-validator-change-'));
    folders.push(dir);
    const taken = new Set<number>();
    const homes = ['op0', 'op1', 'op2', 'op3', 'newcomer'].map((name) => join(dir, name));
    const cards: ValidatorCard[] = [];
    for (const home of homes) cards.push(decodeCard(await lendnet('keys', 'new', '--home', home, '--listen', `/ip4/127.0.0.1/tcp/${await freePort(taken)}`), home));
    const genesisFile = join(dir, 'genesis.json');
    const printed = await lendnet('genesis', '--cards', ...homes.slice(0, 4).map((home) => join(home, 'validator-card.json')), '--out', genesisFile, '--chain-id', 'lendnet-changes');
    const peers = /^peers: (.*)$/m.exec(printed)?.[1]?.split(' ').filter((word) => word !== '--peer') ?? [];
    expect(peers).toHaveLength(4);
    const others = (self: string) => peers.filter((peer) => !peer.endsWith(`/p2p/${self}`)).flatMap((peer) => ['--peer', peer]);
    for (const [i, home] of homes.entries()) {
      const joined = await lendnet('init', '--join', genesisFile, '--home', home, ...others(cards[i]!.peerId));
      expect(joined).toContain(i < 4 ? 'as a validator' : 'as an observer');
      const path = homePaths(home).config;
      await writeFile(path, encodeConfig({ ...decodeConfig(await readFile(path, 'utf8')), ...FAST_NETWORK_CONFIG }));
    }
    const newcomer = cards[4]!.account;

    // The newcomer's node runs with its validator key from the start, signing nothing until a set holds it.
    const procs = homes.map((home) => nodes.start(home));
    // Five processes loading the product at once take long on a small, busy machine.
    await waitFor('height 2 everywhere, and every API served', async () => (await allAtLeast(homes, 2)()) && (await Promise.all(homes.map(readApiAddress))).every(Boolean), procs, 120_000);
    const api = await NodeApi.of(homes[3]!);
    const genesisSet = (await validatorsOf(homes[0]!)).validators.map((v) => v.account);
    expect([...genesisSet].sort()).toEqual(cards.slice(0, 4).map((c) => c.account).sort());

    // Not yet a validator: the newcomer's own proposal is refused with its code.
    const early = await run('validators', 'propose', '--account', newcomer, '--power', '1', '--home', homes[4]!);
    expect(early.code).toBe(1);
    expect(early.err).toMatch(/^lendnet: refused NOT_A_VALIDATOR: /);

    // Each step is signed on one node and the next on another: wait until every node holds its block.
    const step = async (...args: string[]): Promise<string> => {
      const printed = await lendnet('validators', ...args);
      const block = Number(/committed in block (\d+)/.exec(printed)?.[1]);
      if (!Number.isSafeInteger(block)) throw new Error(`lendnet validators ${args.join(' ')} named no block:\n${printed}`);
      await waitFor(`block ${block} on every node`, allAtLeast(homes, block), procs);
      return printed;
    };
    const proposed = await step('propose', '--account', newcomer, '--power', '1', '--home', homes[0]!);
    expect(proposed).toMatch(/^proposal 1 committed in block \d+/);
    expect(proposed).toContain('power 1 of 4');
    expect(await lendnet('validators', '--home', homes[3]!)).toMatch(new RegExp(`#1 add ${newcomer} with power 1[\\s\\S]*approvals: 1 of 4 validators, power 1 of 4`));
    expect(await step('approve', '--proposal', '1', '--home', homes[1]!)).toContain('power 2 of 4');
    const adopted = await step('approve', '--proposal', '1', '--home', homes[2]!);
    const from = Number(/commits blocks from height (\d+)/.exec(adopted)?.[1]);
    expect(from).toBeGreaterThan(0);
    const viewed = await validatorsOf(homes[3]!);
    expect(viewed.proposals).toEqual([]);
    expect((viewed.next?.validators ?? viewed.validators).map((v) => v.account)).toEqual([...genesisSet, newcomer]);

    // From `from` on, five validators commit the blocks, and the newcomer's precommits are among them.
    await waitFor(`height ${from} on every node`, allAtLeast(homes, from), procs);
    expect((await validatorsOf(homes[0]!)).validators).toHaveLength(5);
    let checked = from - 1;
    await waitFor(
      "a commit holding the newcomer's precommit",
      async () => {
        const top = await statusHeight(homes[3]!);
        for (; checked < top; checked++) if ((await signersAt(api, checked + 1)).includes(newcomer)) return true;
        return false;
      },
      procs,
      30_000,
    );
    expect(await signersAt(api, from - 1)).not.toContain(newcomer);

    // Removed the same way: with five validators of power 1 it takes four signatures.
    const removal = await step('propose', '--account', newcomer, '--power', '0', '--home', homes[0]!);
    expect(removal).toMatch(/^proposal 2 committed/);
    expect(removal).toContain(`change: remove ${newcomer}`);
    for (const home of homes.slice(1, 3)) expect(await step('approve', '--proposal', '2', '--home', home)).not.toContain('commits blocks from');
    const removed = await step('approve', '--proposal', '2', '--home', homes[3]!);
    const gone = Number(/commits blocks from height (\d+)/.exec(removed)?.[1]);
    expect(gone).toBeGreaterThan(from);
    // Adopted proposals close: a signature on one is refused with its code and exit code 1.
    const late = await run('validators', 'approve', '--proposal', '2', '--home', homes[1]!);
    expect([late.code, late.err]).toEqual([1, expect.stringMatching(/^lendnet: refused PROPOSAL_NOT_FOUND: /)]);

    // The four go on without it.
    await waitFor(`height ${gone + 3} on the four`, allAtLeast(homes.slice(0, 4), gone + 3), procs);
    expect((await validatorsOf(homes[0]!)).validators.map((v) => v.account)).toEqual(genesisSet);
    for (let height = gone; height <= gone + 3; height++) expect(await signersAt(api, height)).not.toContain(newcomer);
  }, 180_000);
});
