import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeConfig } from './config.js';
import { encodeGenesis } from './genesis-file.js';
import { HomeError, homePaths, loadHome } from './home.js';
import { cardPath, createOperatorKeys, readHomeCard, writeJoinHome } from './join.js';
import { assembleGenesis, decodeCard, peerAddress, type ValidatorCard } from './validator-card.js';

const folders: string[] = [];
afterEach(async () => {
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lendnet-join-'));
  folders.push(dir);
  return dir;
}

/** Two operators' homes with keys, and a genesis file assembled from their cards. */
async function twoOperators(dir: string) {
  const homes = [join(dir, 'alice'), join(dir, 'bob')];
  const cards: ValidatorCard[] = [];
  for (const [i, home] of homes.entries()) cards.push(await createOperatorKeys(home, `/ip4/127.0.0.1/tcp/${27_100 + i}`));
  const genesisFile = join(dir, 'genesis.json');
  await writeFile(genesisFile, `${encodeGenesis(assembleGenesis(cards, { chainId: 'lendnet-join-test', genesisTime: 1_800_000_000 }))}\n`);
  return { homes, cards, genesisFile };
}

async function refusedWith(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HomeError);
  return (error as HomeError).message;
}

describe('an operator making keys on their own machine', () => {
  it('keys new writes both keys readable by the owner only, and a card of public parts', async () => {
    const home = join(await folder(), 'home');
    const card = await createOperatorKeys(home);
    for (const path of [homePaths(home).validatorKey, homePaths(home).nodeKey]) expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(card).toMatchObject({ address: '/ip4/127.0.0.1/tcp/26656', power: '1' });
    expect(decodeCard(await readFile(cardPath(home), 'utf8'), 'card')).toEqual(card);
    const secret = (JSON.parse(await readFile(homePaths(home).validatorKey, 'utf8')) as { secretKey: string }).secretKey;
    const seed = (JSON.parse(await readFile(homePaths(home).nodeKey, 'utf8')) as { seed: string }).seed;
    const shown = JSON.stringify(await readHomeCard(home));
    expect(shown).toBe(JSON.stringify(card));
    expect(shown).not.toContain(secret);
    expect(shown).not.toContain(seed);
  });

  it('keys new never overwrites a key', async () => {
    const home = join(await folder(), 'home');
    await createOperatorKeys(home);
    const before = await readFile(homePaths(home).validatorKey, 'utf8');
    await rm(homePaths(home).nodeKey);
    expect(await refusedWith(createOperatorKeys(home))).toContain('validator.json');
    expect(await readFile(homePaths(home).validatorKey, 'utf8')).toBe(before);
    expect(existsSync(homePaths(home).nodeKey)).toBe(false);
  });

  it('keys new refuses a listen address that is not a multiaddr, writing nothing', async () => {
    const home = join(await folder(), 'home');
    await refusedWith(createOperatorKeys(home, '127.0.0.1:26656'));
    expect(existsSync(home)).toBe(false);
  });

  it('keys show without keys says how to make them', async () => {
    expect(await refusedWith(readHomeCard(await folder()))).toContain('keys new');
  });
});

describe('init --join', () => {
  it('keeps the keys keys new made, listens on the card address and dials the peers; the home loads', async () => {
    const dir = await folder();
    const { homes, cards, genesisFile } = await twoOperators(dir);
    const joined = await writeJoinHome(homes[0]!, { genesisFile, peers: [peerAddress(cards[1]!)] });
    expect(joined).toMatchObject({ validator: true, madeKeys: false, card: cards[0] });
    const config = decodeConfig(await readFile(homePaths(homes[0]!).config, 'utf8'));
    expect(config.network).toEqual({ listen: cards[0]!.address, peers: [peerAddress(cards[1]!)] });
    expect(await readFile(homePaths(homes[0]!).genesis, 'utf8')).toBe(await readFile(genesisFile, 'utf8'));
    const home = await loadHome(homes[0]!);
    expect(home.validatorKey.account).toBe(cards[0]!.account);
    expect(await readHomeCard(homes[0]!)).toEqual(cards[0]);
  });

  it('makes keys when keys new has not, and a node outside the validator set is an observer; --listen is used', async () => {
    const dir = await folder();
    const { cards, genesisFile } = await twoOperators(dir);
    const home = join(dir, 'carol');
    const joined = await writeJoinHome(home, { genesisFile, peers: cards.map(peerAddress), listen: '/ip4/127.0.0.1/tcp/27200' });
    expect(joined).toMatchObject({ validator: false, madeKeys: true });
    expect((await stat(homePaths(home).validatorKey)).mode & 0o777).toBe(0o600);
    expect((await readHomeCard(home)).address).toBe('/ip4/127.0.0.1/tcp/27200');
    expect((await loadHome(home)).config.network?.peers).toHaveLength(2);
  });

  it('refuses a home that already holds config.json or genesis.json', async () => {
    const dir = await folder();
    const { homes, cards, genesisFile } = await twoOperators(dir);
    await writeFile(homePaths(homes[0]!).genesis, 'x');
    expect(await refusedWith(writeJoinHome(homes[0]!, { genesisFile, peers: [peerAddress(cards[1]!)] }))).toContain('already holds a node');
    await writeFile(homePaths(homes[1]!).config, 'x');
    await refusedWith(writeJoinHome(homes[1]!, { genesisFile, peers: [peerAddress(cards[0]!)] }));
  });

  it('refuses its own peer id, a peer without /p2p/, no peer, a repeated peer and a bad genesis, writing nothing', async () => {
    const dir = await folder();
    const { homes, cards, genesisFile } = await twoOperators(dir);
    const before = (await readdir(homes[0]!)).sort();
    const join0 = (peers: string[], file = genesisFile) => writeJoinHome(homes[0]!, { genesisFile: file, peers });
    expect(await refusedWith(join0([peerAddress(cards[1]!), peerAddress(cards[0]!)]))).toContain('this node itself');
    expect(await refusedWith(join0([cards[1]!.address]))).toContain('/p2p/');
    expect(await refusedWith(join0([]))).toContain('--peer');
    expect(await refusedWith(join0([peerAddress(cards[1]!), peerAddress(cards[1]!)]))).toContain('second time');
    const badGenesis = join(dir, 'bad-genesis.json');
    await writeFile(badGenesis, '{"genesisTime":"1"}');
    expect(await refusedWith(join0([peerAddress(cards[1]!)], badGenesis))).toContain('bad-genesis.json');
    expect(await refusedWith(join0([peerAddress(cards[1]!)], join(dir, 'nowhere.json')))).toContain('cannot read');
    expect((await readdir(homes[0]!)).sort()).toEqual(before);
    // A home that did not exist is not created by a refusal either.
    await refusedWith(writeJoinHome(join(dir, 'dave'), { genesisFile, peers: [cards[0]!.address] }));
    expect(existsSync(join(dir, 'dave'))).toBe(false);
  });
});
