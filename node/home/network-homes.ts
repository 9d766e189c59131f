import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, type KeyPair } from '../../contracts/index.js';
import { peerIdOfSeed } from '../p2p/host.js';
import { DEFAULT_CONFIG, encodeConfig, type NodeConfig } from './config.js';
import { encodeGenesis, type Genesis } from './genesis-file.js';
import { devnetMarket, HomeError, homePaths, writeKey, writeNodeKey } from './home.js';

/** What `lendnet genesis` makes. */
export interface NetworkHomesOptions {
  readonly validators: number;
  /** Observer nodes besides the validators (they follow and verify, never vote). */
  readonly observers?: number;
  /** The address every node listens on and is dialled at (127.0.0.1 by default). */
  readonly host?: string;
  /** Node i listens on basePort + i. */
  readonly basePort?: number;
  readonly chainId?: string;
  readonly genesisTime: number;
  /** Config settings for every node (the network section is filled in here). */
  readonly config?: Partial<NodeConfig>;
}

export interface NetworkHome {
  readonly dir: string;
  readonly validator: boolean;
  readonly peerId: string;
  readonly address: string;
}

/**
 * Writes the homes of a network of validators (and observers) that all know each other:
 * `out/node0` … `out/node{n-1}`, each with the shared genesis (the validators with equal
 * power, a dollar stablecoin and a collateral asset issued by a faucet key every home holds),
 * its own validator and node keys (readable by the owner only), and a config that listens on
 * its port and dials every other node. Refuses a folder that already holds homes.
 */
export async function writeNetworkHomes(out: string, options: NetworkHomesOptions): Promise<{ readonly genesis: Genesis; readonly homes: readonly NetworkHome[] }> {
  if (!Number.isSafeInteger(options.validators) || options.validators < 1 || options.validators > 100) throw new HomeError('--validators must be 1 to 100');
  const observers = options.observers ?? 0;
  const total = options.validators + observers;
  const host = options.host ?? '127.0.0.1';
  const basePort = options.basePort ?? 26656;
  if (!/^[0-9a-zA-Z.:-]+$/.test(host)) throw new HomeError(`--host ${host} is not an address`);
  if (!Number.isSafeInteger(basePort) || basePort < 1 || basePort + total - 1 > 65535) throw new HomeError('--base-port leaves no room for every node');
  const dirs = Array.from({ length: total }, (_, i) => join(out, `node${i}`));
  for (const dir of dirs) if (existsSync(homePaths(dir).config)) throw new HomeError(`${dir} already holds a node; choose another --out or remove it`);

  const chainId = options.chainId ?? 'lendnet-network';
  const faucet = generateKeyPair();
  const nodes: { key: KeyPair; seed: Uint8Array; peerId: string; address: string; dir: string; validator: boolean }[] = [];
  for (let i = 0; i < total; i++) {
    const seed = new Uint8Array(randomBytes(32));
    const peerId = await peerIdOfSeed(seed);
    const family = host.includes(':') ? 'ip6' : /^[0-9.]+$/.test(host) ? 'ip4' : 'dns4';
    nodes.push({ key: generateKeyPair(), seed, peerId, address: `/${family}/${host}/tcp/${basePort + i}`, dir: dirs[i]!, validator: i < options.validators });
  }
  const genesis: Genesis = {
    genesisTime: options.genesisTime,
    market: devnetMarket(chainId, faucet.account),
    validators: nodes.filter((node) => node.validator).map((node) => ({ account: node.key.account, power: 1 })),
  };
  for (const node of nodes) {
    const paths = homePaths(node.dir);
    await mkdir(join(node.dir, 'keys'), { recursive: true, mode: 0o700 });
    await mkdir(paths.data, { recursive: true });
    await writeKey(paths.validatorKey, node.key);
    await writeKey(paths.faucetKey, faucet);
    await writeNodeKey(paths.nodeKey, node.seed, node.peerId);
    await writeFile(paths.genesis, `${encodeGenesis(genesis)}\n`);
    const peers = nodes.filter((other) => other !== node).map((other) => `${other.address}/p2p/${other.peerId}`);
    const config: NodeConfig = { ...DEFAULT_CONFIG, ...options.config, network: { listen: node.address, peers } };
    await writeFile(paths.config, encodeConfig(config));
  }
  return { genesis, homes: nodes.map((node) => ({ dir: node.dir, validator: node.validator, peerId: node.peerId, address: node.address })) };
}
