import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, isRefusal, type KeyPair } from '../../contracts/index.js';
import { peerIdOfSeed } from '../p2p/host.js';
import { DEFAULT_CONFIG, decodeConfig, encodeConfig, type NodeConfig } from './config.js';
import { decodeGenesis, type Genesis } from './genesis-file.js';
import { decodeKey, decodeNodeKey, HomeError, homePaths, readChecked, writeKey, writeNodeKey } from './home.js';
import { DEFAULT_LISTEN, decodeCard, encodeCard, listenAddressFault, peerIdOfAddress, type ValidatorCard } from './validator-card.js';

/**
 * An operator's side of forming a network from their own machine: make the node's keys there
 * and hand out only the public card (`lendnet keys new --home`), then, once someone has
 * assembled the genesis from every card, turn the home into one that joins the network
 * (`lendnet init --join`). Secret keys are written once, readable by the owner only, and
 * never overwritten.
 */

/** Where a home keeps its operator's public card. */
export const cardPath = (home: string) => join(home, 'validator-card.json');

function checkListen(listen: string): void {
  const fault = listenAddressFault(listen);
  if (fault) throw new HomeError(`--listen ${listen} ${fault}`);
}

/**
 * Makes a home's validator key and libp2p identity (keys/validator.json, keys/node.json) and
 * writes its card, with power 1 and `listen` as its address. Refuses a home that holds either
 * key already: a key that is lost cannot be made again.
 */
export async function createOperatorKeys(home: string, listen: string = DEFAULT_LISTEN): Promise<ValidatorCard> {
  checkListen(listen);
  const paths = homePaths(home);
  for (const path of [paths.validatorKey, paths.nodeKey]) {
    if (existsSync(path)) throw new HomeError(`${path} already exists and a key is never overwritten; "lendnet keys show --home ${home}" prints its card`);
  }
  const key = generateKeyPair();
  const seed = new Uint8Array(randomBytes(32));
  const peerId = await peerIdOfSeed(seed);
  await mkdir(join(home, 'keys'), { recursive: true, mode: 0o700 });
  await writeKey(paths.validatorKey, key);
  await writeNodeKey(paths.nodeKey, seed, peerId);
  const card: ValidatorCard = { account: key.account, peerId, address: listen, power: '1' };
  await writeFile(cardPath(home), encodeCard(card));
  return card;
}

/**
 * A home's card, from its keys (the account and peer id are derived from the secrets, never
 * taken on trust from a file), its config's listen address if it has joined a network, else
 * the address and power its card file holds.
 */
export async function readHomeCard(home: string): Promise<ValidatorCard> {
  const paths = homePaths(home);
  const missing = [paths.validatorKey, paths.nodeKey].filter((path) => !existsSync(path));
  if (missing.length === 2) throw new HomeError(`no operator keys in ${home} (run "lendnet keys new --home ${home}" first)`);
  if (missing.length === 1) throw new HomeError(`${home} has no ${missing[0]}: only a home made by "lendnet keys new" or "lendnet init --join" has a validator card`);
  const key = await readChecked(paths.validatorKey, decodeKey);
  const peerId = await peerIdOfSeed(await readChecked(paths.nodeKey, decodeNodeKey));
  const saved = await savedCard(home);
  const listen = existsSync(paths.config) ? (await readChecked(paths.config, decodeConfig)).network?.listen : undefined;
  return { account: key.account, peerId, address: listen ?? saved?.address ?? DEFAULT_LISTEN, power: saved?.power ?? '1' };
}

async function savedCard(home: string): Promise<ValidatorCard | undefined> {
  const path = cardPath(home);
  return existsSync(path) ? readChecked(path, (text) => decodeCard(text, path)) : undefined;
}

/** What `lendnet init --join` is given. */
export interface JoinRequest {
  /** The network's genesis file, as assembled from the operators' cards. */
  readonly genesisFile: string;
  /** Nodes of the network to dial, each ending in /p2p/<peer id>. */
  readonly peers: readonly string[];
  /** Where this node listens; its card's address, else DEFAULT_LISTEN, if absent. */
  readonly listen?: string;
  /** Whether the node starts from a state snapshot of its peers rather than syncing from block 1 (`--snapshot`). */
  readonly stateSync?: boolean;
  /** Config settings besides the network section (tests shorten the timeouts). */
  readonly config?: Partial<NodeConfig>;
}

/** The home `init --join` wrote. */
export interface JoinedHome {
  readonly genesis: Genesis;
  readonly card: ValidatorCard;
  /** Whether the home's key is in the genesis's validator set. */
  readonly validator: boolean;
  /** Whether keys were made here (no `keys new` before). */
  readonly madeKeys: boolean;
}

/**
 * Writes a home that joins an existing network: a copy of its genesis (checked as the node
 * will read it), a config that listens on the node's address and dials the peers, and the
 * node's keys if `keys new` did not make them (those it did are kept). Everything is checked
 * before the first file is written, so a refusal leaves the home as it was. Refuses a home that
 * already holds a node, and a peer list naming this node itself.
 */
export async function writeJoinHome(home: string, request: JoinRequest): Promise<JoinedHome> {
  const paths = homePaths(home);
  if (existsSync(paths.config) || existsSync(paths.genesis)) throw new HomeError(`${home} already holds a node; choose another --home or remove it`);
  const genesisText = await readFile(request.genesisFile, 'utf8').catch(() => {
    throw new HomeError(`cannot read ${request.genesisFile}`);
  });
  let genesis: Genesis;
  try {
    genesis = decodeGenesis(genesisText);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    throw new HomeError(`${request.genesisFile} is not a valid genesis: ${error.message}`);
  }
  if (request.peers.length === 0) throw new HomeError('init --join needs at least one --peer: the address of a node in the network, ending in /p2p/<peer id>');

  // The node's keys: those `keys new` made, or new ones written below.
  const key: KeyPair = existsSync(paths.validatorKey) ? await readChecked(paths.validatorKey, decodeKey) : generateKeyPair();
  const seed = existsSync(paths.nodeKey) ? await readChecked(paths.nodeKey, decodeNodeKey) : new Uint8Array(randomBytes(32));
  const peerId = await peerIdOfSeed(seed);
  const saved = await savedCard(home);

  const peerIds = new Set<string>();
  for (const peer of request.peers) {
    const id = peerIdOfAddress(peer);
    // A node dialling itself would count itself as a peer it never hears from.
    if (id === peerId) throw new HomeError(`--peer ${peer} is this node itself (peer id ${peerId}); name the other nodes`);
    if (peerIds.has(id)) throw new HomeError(`--peer ${peer} names peer id ${id} a second time`);
    peerIds.add(id);
  }
  const listen = request.listen ?? saved?.address ?? DEFAULT_LISTEN;
  checkListen(listen);
  const config: NodeConfig = { ...DEFAULT_CONFIG, ...request.config, network: { listen, peers: [...request.peers], ...(request.stateSync ? { stateSync: true } : {}) } };
  // The config must load as the node will read it: a home that cannot start is not written.
  try {
    decodeConfig(encodeConfig(config));
  } catch (error) {
    if (!isRefusal(error)) throw error;
    throw new HomeError(`the config would not be valid: ${error.message}`);
  }

  await mkdir(join(home, 'keys'), { recursive: true, mode: 0o700 });
  await mkdir(paths.data, { recursive: true });
  const madeKeys = !existsSync(paths.validatorKey) || !existsSync(paths.nodeKey);
  if (!existsSync(paths.validatorKey)) await writeKey(paths.validatorKey, key);
  if (!existsSync(paths.nodeKey)) await writeNodeKey(paths.nodeKey, seed, peerId);
  const card: ValidatorCard = { account: key.account, peerId, address: listen, power: saved?.power ?? '1' };
  await writeFile(cardPath(home), encodeCard(card));
  // A copy, byte for byte, of the file every operator was handed.
  await writeFile(paths.genesis, genesisText, { flag: 'wx' });
  await writeFile(paths.config, encodeConfig(config), { flag: 'wx' });
  return { genesis, card, validator: genesis.validators.some((v) => v.account === key.account), madeKeys };
}
