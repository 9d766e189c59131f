import { readFile } from 'node:fs/promises';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { isValidAccountId } from '../../contracts/index.js';
import { parseJson } from '../../contracts/codec/canonical.js';
import { isRefusal } from '../../contracts/errors.js';
import { decodeGenesis, encodeGenesis, type Genesis } from './genesis-file.js';
import { devnetMarket, HomeError } from './home.js';

/**
 * An operator's validator card: the public parts of their node, which they hand to whoever
 * assembles the network's genesis. It never holds a secret: the keys stay on the operator's
 * machine, and only the validator's public key and the node's peer id leave it.
 */
export interface ValidatorCard {
  /** The validator's ed25519 public key, 64 lowercase hex characters. */
  readonly account: string;
  /** The node's libp2p peer id (an Ed25519 identity, `12D3KooW…`). */
  readonly peerId: string;
  /** Where the node listens, as other nodes dial it: `/ip4/<host>/tcp/<port>`. */
  readonly address: string;
  /** The validator's voting power, a whole number as a decimal string like every Lendnet file. */
  readonly power: string;
}

/** Where a node listens when its operator names no address. */
export const DEFAULT_LISTEN = '/ip4/127.0.0.1/tcp/26656';

/** The card fields, in the order a card file lists them. */
const CARD_FIELDS = ['account', 'peerId', 'address', 'power'] as const;

/** The largest card file read; a card is about 250 bytes. */
const MAX_CARD_BYTES = 64 * 1024;

/** The highest power one validator may hold, as genesis files allow it. */
const MAX_POWER = 1_000_000;

/** A card file that cannot be used; `field` names what is wrong ('card' for the file as a whole). */
export class CardError extends HomeError {
  constructor(
    readonly file: string,
    readonly field: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

// The same address forms config.json accepts (node/home/config.ts): a node listens on, and is
// dialled at, a TCP port of an IP address or a DNS name.
const LISTEN_ADDRESS = /^\/(ip4|ip6|dns4|dns6)\/[^/\s]+\/tcp\/([0-9]{1,5})$/;
const PEER_ID = /^[1-9A-HJ-NP-Za-km-z]{40,60}$/;

/** Why `text` is not an address a node can listen on and be dialled at, or undefined if it is one. */
export function listenAddressFault(text: string): string | undefined {
  const match = LISTEN_ADDRESS.exec(text);
  if (!match) return 'must be a multiaddr like /ip4/127.0.0.1/tcp/26656';
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return 'must name a TCP port from 1 to 65535';
  try {
    multiaddr(text);
  } catch {
    return 'is not a valid multiaddr';
  }
  return undefined;
}

/** Whether `text` is the peer id of a libp2p Ed25519 identity, the kind every Lendnet node has. */
export function isPeerId(text: string): boolean {
  if (!PEER_ID.test(text)) return false;
  try {
    return peerIdFromString(text).type === 'Ed25519';
  } catch {
    return false;
  }
}

/**
 * The peer id at the end of a peer's address (`/ip4/…/tcp/…/p2p/<peer id>`), or a HomeError
 * naming the address: a node dials only peers whose identity it knows beforehand.
 */
export function peerIdOfAddress(address: string): string {
  const at = address.lastIndexOf('/p2p/');
  const peerId = at < 0 ? '' : address.slice(at + '/p2p/'.length);
  if (at < 0 || !isPeerId(peerId)) throw new HomeError(`--peer ${address} must end in /p2p/<peer id>`);
  if (listenAddressFault(address.slice(0, at))) throw new HomeError(`--peer ${address} must be a multiaddr like /ip4/127.0.0.1/tcp/26656/p2p/<peer id>`);
  return peerId;
}

/** A card's file text: the four fields, in order, as indented JSON. */
export function encodeCard(card: ValidatorCard): string {
  return `${JSON.stringify({ account: card.account, peerId: card.peerId, address: card.address, power: card.power }, null, 2)}\n`;
}

/** Reads a card file's text, refusing what is not a whole, well-formed card with a CardError naming `file` and the field. */
export function decodeCard(text: string, file: string): ValidatorCard {
  let parsed: unknown;
  try {
    parsed = parseJson(text, MAX_CARD_BYTES);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    throw new CardError(file, 'card', `not a validator card: ${error.message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CardError(file, 'card', 'not a validator card: it must be a JSON object');
  const record = parsed as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(CARD_FIELDS as readonly string[]).includes(key)) throw new CardError(file, key, `has an unknown field "${key.slice(0, 40)}" (a card holds ${CARD_FIELDS.join(', ')})`);
  }
  const field = (name: (typeof CARD_FIELDS)[number]): string => {
    const value = record[name];
    if (typeof value !== 'string') throw new CardError(file, name, `${name} is missing or not a string`);
    return value;
  };
  const account = field('account');
  // An account must be a key a signature can be checked under: the signature rule refuses small-order and non-canonical keys.
  if (!/^[0-9a-f]{64}$/.test(account)) throw new CardError(file, 'account', 'account must be an ed25519 public key in 64 lowercase hex characters');
  if (!isValidAccountId(account)) throw new CardError(file, 'account', 'account is not an acceptable ed25519 public key');
  const peerId = field('peerId');
  if (!isPeerId(peerId)) throw new CardError(file, 'peerId', 'peerId must be a libp2p peer id of an Ed25519 key (12D3KooW...)');
  const address = field('address');
  const fault = listenAddressFault(address);
  if (fault) throw new CardError(file, 'address', `address ${fault}`);
  const power = field('power');
  if (!/^[1-9][0-9]{0,6}$/.test(power) || Number(power) > MAX_POWER) throw new CardError(file, 'power', `power must be a whole number from 1 to ${MAX_POWER}, as a string like "1"`);
  return { account, peerId, address, power };
}

/** A card and the file it came from. */
export interface CardFile {
  readonly file: string;
  readonly card: ValidatorCard;
}

/** Reads and checks card files; the first fault is a CardError naming the file and field. */
export async function readCards(files: readonly string[]): Promise<CardFile[]> {
  if (files.length === 0) throw new HomeError('genesis --cards needs at least one card file');
  if (files.length > 1_000) throw new HomeError('a genesis holds at most 1000 validators');
  const cards: CardFile[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new CardError(file, 'card', 'cannot read the file');
    }
    cards.push({ file, card: decodeCard(text, file) });
  }
  refuseDuplicates(cards);
  return cards;
}

/** Two cards for one validator key, one node identity or one address would make a validator count twice or a node unreachable. */
function refuseDuplicates(cards: readonly CardFile[]): void {
  for (const field of ['account', 'peerId', 'address'] as const) {
    const seen = new Map<string, string>();
    for (const { file, card } of cards) {
      const first = seen.get(card[field]);
      if (first !== undefined) throw new CardError(file, field, `${field} is the same as in ${first}`);
      seen.set(card[field], file);
    }
  }
}

/** What a genesis assembled from cards is made of besides the validators. */
export interface CardsGenesisOptions {
  readonly chainId: string;
  readonly genesisTime: number;
  /** The account that issues the market's assets; the first validator's if absent. */
  readonly faucet?: string;
}

/**
 * A network's genesis from its operators' cards: every card's account a validator with its
 * power, and a devnet-style market (devnetMarket) whose assets the faucet account issues.
 * Validators are listed by account, so the genesis depends on the set of cards and not on
 * the order they were given in: operators who assemble it from the same cards, chain id and
 * time get the same file, byte for byte, and so the same genesis hash.
 */
export function assembleGenesis(cards: readonly ValidatorCard[], options: CardsGenesisOptions): Genesis {
  if (cards.length === 0) throw new HomeError('a genesis needs at least one validator card');
  const validators = [...cards].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0)).map((card) => ({ account: card.account, power: Number(card.power) }));
  const issuer = options.faucet ?? validators[0]!.account;
  const genesis: Genesis = { genesisTime: options.genesisTime, market: devnetMarket(options.chainId, issuer), validators };
  // Checked as every node will read it, so no operator is handed a genesis their node refuses.
  try {
    return decodeGenesis(encodeGenesis(genesis));
  } catch (error) {
    if (!isRefusal(error)) throw error;
    throw new HomeError(`the assembled genesis is not valid: ${error.message}`);
  }
}

/** The addresses other nodes dial a card's node at: its address ending in /p2p/<peer id>. */
export function peerAddress(card: ValidatorCard): string {
  return `${card.address}/p2p/${card.peerId}`;
}
