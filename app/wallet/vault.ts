import { accountOf, secretKeyHex, parseSecretKeyHex } from './keys';
import { DamagedBoxError, MIN_ITERATIONS, fromBase64, open, seal, sealWithKey, type SealedBox } from './sealed-box';

/**
 * The wallet as the browser stores it: the accounts' names and ids in the clear (so a locked
 * wallet can still show whose it is and read balances), and every secret key in one box sealed
 * under the passphrase. Unlocking opens the box into a session held only in memory.
 */

/** Where the wallet lives in localStorage. */
export const WALLET_STORAGE_KEY = 'lendnet.wallet.v1';
/** The shortest passphrase the wallet accepts for a new wallet. */
export const MIN_PASSPHRASE_LENGTH = 8;
const MAX_NAME_LENGTH = 40;

export interface WalletAccount {
  /** The account id: the ed25519 public key, 64 lowercase hex characters. */
  readonly account: string;
  readonly name: string;
}

export interface StoredWallet {
  readonly version: 1;
  readonly accounts: readonly WalletAccount[];
  /** The account transactions are signed by; one of `accounts`. */
  readonly selected: string;
  /** The secrets, sealed: JSON `{ "secrets": { account: secretHex } }`. */
  readonly box: SealedBox;
}

/** An unlocked wallet: the secrets and the passphrase's key, in memory only. */
export interface WalletSession {
  readonly key: CryptoKey;
  readonly secrets: ReadonlyMap<string, Uint8Array>;
}

/** Something the user asked for that the wallet will not do; the message is for people. */
export class WalletError extends Error {
  override readonly name = 'WalletError';
}

/** A new wallet holding one account. */
export async function createWallet(
  passphrase: string,
  name: string,
  secretKey: Uint8Array,
  iterations: number = MIN_ITERATIONS,
): Promise<{ wallet: StoredWallet; session: WalletSession }> {
  checkNewPassphrase(passphrase);
  const account = accountOf(secretKey);
  const secrets = new Map([[account, secretKey]]);
  const { box, key } = await seal(passphrase, encodeSecrets(secrets), iterations);
  return { wallet: { version: 1, accounts: [{ account, name: accountName(name, 0) }], selected: account, box }, session: { key, secrets } };
}

/** Opens the wallet with its passphrase; throws WrongPassphraseError for a wrong one. */
export async function unlockWallet(wallet: StoredWallet, passphrase: string): Promise<WalletSession> {
  const { plaintext, key } = await open(passphrase, wallet.box);
  const secrets = decodeSecrets(plaintext);
  plaintext.fill(0);
  // The names and ids are stored in the clear: each must be the one its sealed secret controls.
  const listed = new Set(wallet.accounts.map((a) => a.account));
  if (listed.size !== secrets.size || [...secrets.keys()].some((account) => !listed.has(account))) {
    throw new DamagedBoxError('the stored wallet lists accounts its sealed keys do not match');
  }
  return { key, secrets };
}

/** Adds an account to an unlocked wallet, sealing its key with the others. It becomes the selected one. */
export async function addAccount(
  wallet: StoredWallet,
  session: WalletSession,
  name: string,
  secretKey: Uint8Array,
): Promise<{ wallet: StoredWallet; session: WalletSession }> {
  const account = accountOf(secretKey);
  const existing = wallet.accounts.find((a) => a.account === account);
  if (existing) throw new WalletError(`This key is already in your wallet, as "${existing.name}".`);
  const secrets = new Map(session.secrets);
  secrets.set(account, secretKey);
  const box = await sealWithKey(session.key, fromBase64(wallet.box.kdf.salt), wallet.box.kdf.iterations, encodeSecrets(secrets));
  const accounts = [...wallet.accounts, { account, name: accountName(name, wallet.accounts.length) }];
  return { wallet: { ...wallet, accounts, selected: account, box }, session: { key: session.key, secrets } };
}

export function selectAccount(wallet: StoredWallet, account: string): StoredWallet {
  if (!wallet.accounts.some((a) => a.account === account)) throw new WalletError('That account is not in this wallet.');
  return { ...wallet, selected: account };
}

export function renameAccount(wallet: StoredWallet, account: string, name: string): StoredWallet {
  const index = wallet.accounts.findIndex((a) => a.account === account);
  if (index < 0) throw new WalletError('That account is not in this wallet.');
  return { ...wallet, accounts: wallet.accounts.map((a, i) => (i === index ? { ...a, name: accountName(name, index) } : a)) };
}

/** An account's secret key as hex, only for someone who types the passphrase again. */
export async function exportSecretKey(wallet: StoredWallet, account: string, passphrase: string): Promise<string> {
  const session = await unlockWallet(wallet, passphrase);
  try {
    const secret = session.secrets.get(account);
    if (!secret) throw new WalletError('That account is not in this wallet.');
    return secretKeyHex(secret);
  } finally {
    forgetSession(session);
  }
}

/** Overwrites the secrets in memory; the session must not be used after. */
export function forgetSession(session: WalletSession): void {
  for (const secret of session.secrets.values()) secret.fill(0);
}

export function checkNewPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) throw new WalletError(`Choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters.`);
}

function accountName(name: string, index: number): string {
  const trimmed = name.trim();
  if (trimmed.length > MAX_NAME_LENGTH) throw new WalletError(`Keep the account's name to ${MAX_NAME_LENGTH} characters.`);
  return trimmed === '' ? `Account ${index + 1}` : trimmed;
}

function encodeSecrets(secrets: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const record: Record<string, string> = {};
  for (const [account, secret] of secrets) record[account] = secretKeyHex(secret);
  return new TextEncoder().encode(JSON.stringify({ secrets: record }));
}

function decodeSecrets(plaintext: Uint8Array): Map<string, Uint8Array> {
  const parsed: unknown = JSON.parse(new TextDecoder().decode(plaintext));
  const record = (parsed as { secrets?: unknown }).secrets;
  if (typeof record !== 'object' || record === null) throw new DamagedBoxError('the sealed keys are not in a form this app reads');
  const secrets = new Map<string, Uint8Array>();
  for (const [account, hex] of Object.entries(record)) {
    const secret = parseSecretKeyHex(String(hex));
    if (accountOf(secret) !== account) throw new DamagedBoxError('a sealed key does not control the account it is stored under');
    secrets.set(account, secret);
  }
  return secrets;
}

/** Reads the stored wallet: undefined when there is none; DamagedBoxError when it cannot be read. */
export function loadWallet(storage: Pick<Storage, 'getItem'>): StoredWallet | undefined {
  const text = storage.getItem(WALLET_STORAGE_KEY);
  if (text === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DamagedBoxError('the stored wallet is damaged (not JSON)');
  }
  const wallet = parsed as Partial<StoredWallet>;
  const accountsOk =
    Array.isArray(wallet.accounts) &&
    wallet.accounts.length > 0 &&
    wallet.accounts.every((a) => typeof a?.account === 'string' && /^[0-9a-f]{64}$/.test(a.account) && typeof a.name === 'string');
  if (wallet.version !== 1 || !accountsOk || typeof wallet.box !== 'object' || wallet.box === null) {
    throw new DamagedBoxError('the stored wallet is not in a form this app reads');
  }
  const accounts = wallet.accounts as WalletAccount[];
  const selected = accounts.some((a) => a.account === wallet.selected) ? (wallet.selected as string) : accounts[0]!.account;
  return { version: 1, accounts, selected, box: wallet.box };
}

export function saveWallet(storage: Pick<Storage, 'setItem'>, wallet: StoredWallet): void {
  storage.setItem(WALLET_STORAGE_KEY, JSON.stringify(wallet));
}
