import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { devnetParams, fromHex, generateKeyPair, isRefusal, keyPairFromSecret, toHex, type KeyPair } from '../../contracts/index.js';
import { DEFAULT_CONFIG, decodeConfig, encodeConfig, type NodeConfig } from './config.js';
import { decodeGenesis, encodeGenesis, type Genesis } from './genesis-file.js';

/** A node's home folder could not be created or read; the message is one plain line. */
export class HomeError extends Error {
  override readonly name = 'HomeError';
}

/** The home folder: `--home`, else `$LENDNET_HOME`, else `./.lendnet`. */
export function homeDir(flag: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return resolve(flag ?? env.LENDNET_HOME ?? '.lendnet');
}

export const homePaths = (home: string) => ({
  config: join(home, 'config.json'),
  genesis: join(home, 'genesis.json'),
  validatorKey: join(home, 'keys', 'validator.json'),
  faucetKey: join(home, 'keys', 'faucet.json'),
  nodeKey: join(home, 'keys', 'node.json'),
  adminToken: join(home, 'keys', 'admin-token'),
  data: join(home, 'data'),
});

/**
 * Writes a devnet home: config, a genesis with a dollar stablecoin and a collateral asset
 * whose issuer is the faucet key, this node as the one validator, and the two keys
 * (readable by the owner only). Refuses to touch a folder that already holds a node.
 */
export async function initDevnetHome(home: string, options: { chainId?: string; genesisTime: number }): Promise<Genesis> {
  const paths = homePaths(home);
  if (existsSync(paths.config) || existsSync(paths.genesis)) throw new HomeError(`${home} already holds a node; choose another --home or remove it`);
  const validator = generateKeyPair();
  const faucet = generateKeyPair();
  const chainId = options.chainId ?? 'lendnet-devnet';
  const genesis: Genesis = {
    genesisTime: options.genesisTime,
    market: devnetMarket(chainId, faucet.account),
    validators: [{ account: validator.account, power: 1 }],
  };
  await mkdir(join(home, 'keys'), { recursive: true, mode: 0o700 });
  await mkdir(paths.data, { recursive: true });
  await writeKey(paths.validatorKey, validator);
  await writeKey(paths.faucetKey, faucet);
  await writeAdminToken(paths.adminToken);
  await writeFile(paths.genesis, `${encodeGenesis(genesis)}\n`);
  await writeFile(paths.config, encodeConfig(DEFAULT_CONFIG));
  return genesis;
}

/**
 * The market of a devnet genesis: devnet parameters, a dollar stablecoin and a collateral
 * asset, both issued by `issuer` (the faucet key), no allocations.
 */
export function devnetMarket(chainId: string, issuer: string): Genesis['market'] {
  return {
    params: devnetParams(chainId),
    assets: [
      { id: 'USD', name: 'Lendnet dollar', decimals: 6, issuer },
      { id: 'COL', name: 'Devnet collateral token', decimals: 8, issuer },
    ],
    allocations: [],
  };
}

/** Writes a secret key readable by the owner only; never over a file that exists, even one made a moment ago by another command. */
export async function writeKey(path: string, key: KeyPair): Promise<void> {
  await writeNewSecret(path, `${JSON.stringify({ account: key.account, secretKey: toHex(key.secretKey) }, null, 2)}\n`);
}

async function writeNewSecret(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EEXIST' ? new HomeError(`${path} already exists and a key is never overwritten`) : error;
  });
}

export interface Home {
  readonly dir: string;
  readonly config: NodeConfig;
  readonly genesis: Genesis;
  readonly validatorKey: KeyPair;
  readonly dataDir: string;
  /** On a network: the 32-byte seed of the node's libp2p identity (keys/node.json). */
  readonly nodeSeed?: Uint8Array;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

/**
 * `$LENDNET_LOG_LEVEL` overrides config.json's logLevel, so an operator can turn on debug logs
 * for one run without editing the home; a level that does not exist is a HomeError.
 */
export function logLevelFromEnv(config: NodeConfig, env: Readonly<Record<string, string | undefined>> = process.env): NodeConfig {
  const wanted = env.LENDNET_LOG_LEVEL;
  if (wanted === undefined || wanted === '') return config;
  const level = LOG_LEVELS.find((known) => known === wanted);
  if (level === undefined) throw new HomeError(`LENDNET_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${wanted}"`);
  return { ...config, logLevel: level };
}

/** Reads and checks a home folder; anything missing or malformed is a HomeError naming the file. */
export async function loadHome(home: string): Promise<Home> {
  const paths = homePaths(home);
  if (!existsSync(paths.config)) throw new HomeError(`no node home at ${home} (run "lendnet init --devnet --home ${home}" first)`);
  const config = logLevelFromEnv(await readChecked(paths.config, decodeConfig));
  const genesis = await readChecked(paths.genesis, decodeGenesis);
  const validatorKey = await readChecked(paths.validatorKey, decodeKey);
  if (!config.network) return { dir: home, config, genesis, validatorKey, dataDir: paths.data };
  const nodeSeed = await readChecked(paths.nodeKey, decodeNodeKey);
  return { dir: home, config, genesis, validatorKey, dataDir: paths.data, nodeSeed };
}

/**
 * The secret that operator API calls must carry: `$LENDNET_ADMIN_TOKEN` if set, else the home's
 * keys/admin-token, written on first use (32 random bytes as hex, readable by the owner only).
 */
export async function adminToken(home: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<string> {
  const fromEnv = env.LENDNET_ADMIN_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!/^\S{16,}$/.test(fromEnv)) throw new HomeError('LENDNET_ADMIN_TOKEN must be at least 16 characters, with no spaces');
    return fromEnv;
  }
  const path = homePaths(home).adminToken;
  if (!existsSync(path)) {
    await mkdir(join(home, 'keys'), { recursive: true, mode: 0o700 });
    await writeAdminToken(path);
  }
  return readChecked(path, (text) => {
    const token = text.trim();
    if (!/^[0-9a-f]{64}$/.test(token)) throw new Error('the token must be 64 lowercase hex characters');
    return token;
  });
}

async function writeAdminToken(path: string): Promise<void> {
  // 'wx': two processes starting at once keep the first one's token.
  await writeFile(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}

/** Writes a node's libp2p identity seed (readable by the owner only). */
export async function writeNodeKey(path: string, seed: Uint8Array, peerId: string): Promise<void> {
  await writeNewSecret(path, `${JSON.stringify({ peerId, seed: toHex(seed) }, null, 2)}\n`);
}

export function decodeNodeKey(text: string): Uint8Array {
  const parsed = JSON.parse(text) as { seed?: unknown };
  if (typeof parsed.seed !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.seed)) throw new Error('seed must be 64 lowercase hex characters');
  return fromHex(parsed.seed);
}

export async function readChecked<T>(path: string, decode: (text: string) => T): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new HomeError(`cannot read ${path}`);
  }
  try {
    return decode(text);
  } catch (error) {
    const reason = isRefusal(error) || error instanceof Error ? error.message : String(error);
    throw new HomeError(`${path} is not valid: ${reason}`);
  }
}

export function decodeKey(text: string): KeyPair {
  const parsed = JSON.parse(text) as { account?: unknown; secretKey?: unknown };
  if (typeof parsed.secretKey !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.secretKey)) throw new Error('secretKey must be 64 lowercase hex characters');
  const key = keyPairFromSecret(fromHex(parsed.secretKey));
  if (parsed.account !== key.account) throw new Error('account does not match secretKey');
  return key;
}
