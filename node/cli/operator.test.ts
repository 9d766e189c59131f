import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeGenesis } from '../home/genesis-file.js';
import { homePaths } from '../home/home.js';
import { decodeCard, peerAddress, type ValidatorCard } from '../home/validator-card.js';
import { main, type StartRequest } from './main.js';

/**
 * The operator commands as typed: each prints what it made, or one plain line and a non-zero
 * exit; a refused genesis leaves no file behind.
 */

function capture(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  return { out, err };
}

const folders: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lendnet-operator-'));
  folders.push(dir);
  return dir;
}

/** `keys new --home` for `count` operators; their homes and the card files they wrote. */
async function operators(dir: string, count: number): Promise<{ homes: string[]; cards: ValidatorCard[]; files: string[] }> {
  const homes: string[] = [];
  const cards: ValidatorCard[] = [];
  for (let i = 0; i < count; i++) {
    const home = join(dir, `op${i}`);
    const { out } = capture();
    expect(await main(['keys', 'new', '--home', home, '--listen', `/ip4/127.0.0.1/tcp/${27_300 + i}`])).toBe(0);
    vi.restoreAllMocks();
    const card = decodeCard(out.join(''), 'stdout');
    expect(decodeCard(await readFile(join(home, 'validator-card.json'), 'utf8'), 'file')).toEqual(card);
    homes.push(home);
    cards.push(card);
  }
  return { homes, cards, files: homes.map((home) => join(home, 'validator-card.json')) };
}

describe('lendnet operator commands', () => {
  it('keys show prints the same card as keys new; keys new refuses a second time', async () => {
    const dir = await folder();
    const { homes, cards } = await operators(dir, 1);
    const { out, err } = capture();
    expect(await main(['keys', 'show', '--home', homes[0]!])).toBe(0);
    expect(decodeCard(out.join(''), 'stdout')).toEqual(cards[0]);
    expect(await main(['keys', 'new', '--home', homes[0]!])).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^lendnet: .*never overwritten/);
  });

  it('genesis --cards writes the genesis and prints its hash and the peers line', async () => {
    const dir = await folder();
    const { cards, files } = await operators(dir, 3);
    const out = join(dir, 'genesis.json');
    const printed = capture();
    expect(await main(['genesis', '--cards', ...files, '--out', out, '--chain-id', 'lendnet-ops', '--genesis-time', '1800000000'])).toBe(0);
    const genesis = decodeGenesis(await readFile(out, 'utf8'));
    expect(genesis.genesisTime).toBe(1_800_000_000);
    expect(genesis.market.params.chainId).toBe('lendnet-ops');
    expect(new Set(genesis.validators.map((v) => v.account))).toEqual(new Set(cards.map((c) => c.account)));
    expect(printed.out[0]).toMatch(/genesis hash [0-9a-f]{64}$/);
    expect(printed.out[1]).toBe(`peers: ${cards.map((c) => `--peer ${peerAddress(c)}`).join(' ')}`);
  });

  it('genesis --cards refuses a garbage card, a bad power, a duplicate and a bad faucet in one line, writing nothing', async () => {
    const dir = await folder();
    const { cards, files } = await operators(dir, 2);
    const garbage = join(dir, 'garbage.json');
    await writeFile(garbage, 'validator: yes\n');
    const heavy = join(dir, 'heavy.json');
    await writeFile(heavy, JSON.stringify({ ...cards[1], power: '0' }));
    const copy = join(dir, 'copy.json');
    await writeFile(copy, JSON.stringify({ ...cards[0], address: '/ip4/127.0.0.1/tcp/27399' }));
    const out = join(dir, 'genesis.json');
    const cases: [string[], string][] = [
      [[files[0]!, garbage], `${garbage}: not a validator card`],
      [[files[0]!, heavy], `${heavy}: power`],
      [[...files, copy], `${copy}: account is the same as in ${files[0]}`],
      [[...files, '--faucet', 'f'.repeat(64)], '--faucet'],
      [[join(dir, 'nowhere.json')], 'nowhere.json'],
    ];
    for (const [args, expected] of cases) {
      const { err } = capture();
      expect(await main(['genesis', '--cards', ...args, '--out', out])).toBe(1);
      expect(err).toHaveLength(1);
      expect(err[0]).toContain(expected);
      expect(existsSync(out)).toBe(false);
      vi.restoreAllMocks();
    }
  });

  it('init --join writes a joining home; start --observer reaches the server as an observer', async () => {
    const dir = await folder();
    const { homes, cards, files } = await operators(dir, 2);
    const genesisFile = join(dir, 'genesis.json');
    capture();
    expect(await main(['genesis', '--cards', ...files, '--out', genesisFile])).toBe(0);
    expect(await main(['init', '--join', genesisFile, '--peer', peerAddress(cards[1]!), '--home', homes[0]!])).toBe(0);
    let request: StartRequest | undefined;
    const start = async (seen: StartRequest) => {
      request = seen;
      return 0;
    };
    expect(await main(['start', '--home', homes[0]!, '--observer', '--no-web', '--port', '0'], { start })).toBe(0);
    expect(request).toMatchObject({ observer: true, web: false });
    expect(request?.home.config.network?.listen).toBe(cards[0]!.address);
    expect(await main(['start', '--home', homes[0]!, '--port', '0'], { start })).toBe(0);
    expect(request?.observer).toBe(false);
  });

  it('start --observer refuses a single-validator devnet home', async () => {
    const home = join(await folder(), 'devnet');
    const { err } = capture();
    expect(await main(['init', '--devnet', '--home', home])).toBe(0);
    expect(await main(['start', '--home', home, '--observer'], { start: async () => 0 })).toBe(1);
    expect(err).toEqual([expect.stringContaining('--observer needs a node on a network')]);
    expect(existsSync(homePaths(home).config)).toBe(true);
  });
});
