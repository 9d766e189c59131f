import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, genesisState, validatorsHash } from '../../contracts/index.js';
import { decodeGenesis, encodeGenesis } from './genesis-file.js';
import { HomeError, homeDir, homePaths, initDevnetHome, loadHome, writeKey, writeNodeKey } from './home.js';

const freshDir = () => mkdtemp(join(tmpdir(), 'lendnet-home-'));

describe('a devnet home', () => {
  it('init writes config, genesis and owner-only keys that load back', async () => {
    const home = await freshDir();
    const genesis = await initDevnetHome(home, { genesisTime: 1_700_000_000 });
    const loaded = await loadHome(home);
    expect(loaded.genesis).toEqual(genesis);
    expect(loaded.genesis.market.assets.map((a) => a.id)).toEqual(['USD', 'COL']);
    expect(loaded.validatorKey.account).toBe(genesis.validators[0]!.account);
    for (const key of [homePaths(home).validatorKey, homePaths(home).faucetKey]) expect((await stat(key)).mode & 0o777).toBe(0o600);
    expect(genesisState(loaded.genesis.market).params().devnet).toBe(true);
    expect(validatorsHash(loaded.genesis.validators)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('genesis text is canonical and round-trips', async () => {
    const home = await freshDir();
    await initDevnetHome(home, { genesisTime: 5 });
    const text = (await readFile(homePaths(home).genesis, 'utf8')).trim();
    expect(encodeGenesis(decodeGenesis(text))).toBe(text);
  });

  it('refuses to init over an existing node, and names what is wrong with a bad home', async () => {
    const home = await freshDir();
    await initDevnetHome(home, { genesisTime: 5 });
    await expect(initDevnetHome(home, { genesisTime: 5 })).rejects.toThrow(HomeError);
    await expect(loadHome(join(home, 'missing'))).rejects.toThrow(/no node home/);
    await writeFile(homePaths(home).config, '{"blockIntervalMs":"5"}');
    await expect(loadHome(home)).rejects.toThrow(/config\.json is not valid/);
  });

  it('finds the home from the flag, then LENDNET_HOME, then ./.lendnet', () => {
    expect(homeDir('/a', { LENDNET_HOME: '/b' })).toBe('/a');
    expect(homeDir(undefined, { LENDNET_HOME: '/b' })).toBe('/b');
    expect(homeDir(undefined, {})).toMatch(/\.lendnet$/);
  });

  it('never writes a key over a file that exists: the one there stays as it was', async () => {
    const home = await freshDir();
    await initDevnetHome(home, { genesisTime: 1_700_000_000 });
    const { validatorKey, nodeKey } = homePaths(home);
    const before = await readFile(validatorKey, 'utf8');
    await expect(writeKey(validatorKey, generateKeyPair())).rejects.toThrow(new HomeError(`${validatorKey} already exists and a key is never overwritten`));
    expect(await readFile(validatorKey, 'utf8')).toBe(before);
    await writeFile(nodeKey, 'kept');
    await expect(writeNodeKey(nodeKey, new Uint8Array(32), 'peer')).rejects.toThrow(HomeError);
    expect(await readFile(nodeKey, 'utf8')).toBe('kept');
  });
});
