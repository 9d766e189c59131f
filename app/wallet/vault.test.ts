import { describe, expect, it } from 'vitest';
import { accountOf, parseSecretKeyHex, secretKeyHex } from './keys';
import { MIN_ITERATIONS, WrongPassphraseError, fromBase64, open, seal } from './sealed-box';
import {
  WALLET_STORAGE_KEY,
  WalletError,
  addAccount,
  createWallet,
  exportSecretKey,
  forgetSession,
  loadWallet,
  renameAccount,
  saveWallet,
  selectAccount,
  unlockWallet,
} from './vault';

const ALICE_SECRET = '2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90';
const ALICE_ACCOUNT = 'd5bf4a3fcce717b0388bcc2749ebc148ad9969b23f45ee1b605fd58778576ac4';
const PASSPHRASE = 'correct horse battery';

/** localStorage's two calls the wallet uses, in memory. */
function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value), items };
}

describe('sealed box', () => {
  it('opens with its passphrase to the same bytes, and uses PBKDF2 with 600,000 iterations, a random salt and IV', async () => {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const first = await seal(PASSPHRASE, secret);
    const second = await seal(PASSPHRASE, secret);
    expect(first.box.kdf).toMatchObject({ name: 'PBKDF2', hash: 'SHA-256', iterations: MIN_ITERATIONS });
    expect(first.box.cipher.name).toBe('AES-GCM');
    expect(fromBase64(first.box.kdf.salt)).toHaveLength(16);
    expect(fromBase64(first.box.cipher.iv)).toHaveLength(12);
    expect(first.box.kdf.salt).not.toBe(second.box.kdf.salt);
    expect(first.box.cipher.iv).not.toBe(second.box.cipher.iv);
    expect(first.box.ciphertext).not.toBe(second.box.ciphertext);
    expect((await open(PASSPHRASE, first.box)).plaintext).toEqual(secret);
  });

  it('refuses a wrong passphrase', async () => {
    const { box } = await seal(PASSPHRASE, new Uint8Array([1, 2, 3]));
    await expect(open('wrong horse battery', box)).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it('refuses fewer than 600,000 iterations', async () => {
    await expect(seal(PASSPHRASE, new Uint8Array([1]), 1_000)).rejects.toThrow(/600000/);
  });
});

describe('wallet vault', () => {
  it('stores no secret in the clear, and unlocks to the key it was created with', async () => {
    const storage = memoryStorage();
    const { wallet, session } = await createWallet(PASSPHRASE, 'Alice', parseSecretKeyHex(ALICE_SECRET));
    expect(wallet.accounts).toEqual([{ account: ALICE_ACCOUNT, name: 'Alice' }]);
    expect(wallet.selected).toBe(ALICE_ACCOUNT);
    expect(secretKeyHex(session.secrets.get(ALICE_ACCOUNT)!)).toBe(ALICE_SECRET);
    saveWallet(storage, wallet);
    expect(storage.items.get(WALLET_STORAGE_KEY)).not.toContain(ALICE_SECRET);

    const loaded = loadWallet(storage)!;
    expect(loaded).toEqual(wallet);
    const unlocked = await unlockWallet(loaded, PASSPHRASE);
    expect(secretKeyHex(unlocked.secrets.get(ALICE_ACCOUNT)!)).toBe(ALICE_SECRET);
    await expect(unlockWallet(loaded, 'not the passphrase')).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it('refuses a short passphrase for a new wallet', async () => {
    await expect(createWallet('short', 'A', parseSecretKeyHex(ALICE_SECRET))).rejects.toThrow(/at least 8 characters/);
  });

  it('holds several named accounts, one selected, and exports each key only with the passphrase', async () => {
    const created = await createWallet(PASSPHRASE, '', parseSecretKeyHex(ALICE_SECRET));
    expect(created.wallet.accounts[0]!.name).toBe('Account 1');
    const bobSecret = crypto.getRandomValues(new Uint8Array(32));
    const bob = accountOf(bobSecret);
    const added = await addAccount(created.wallet, created.session, 'Bob', bobSecret);
    expect(added.wallet.accounts.map((a) => a.name)).toEqual(['Account 1', 'Bob']);
    expect(added.wallet.selected).toBe(bob);
    await expect(addAccount(added.wallet, added.session, 'again', parseSecretKeyHex(ALICE_SECRET))).rejects.toBeInstanceOf(WalletError);

    const renamed = selectAccount(renameAccount(added.wallet, ALICE_ACCOUNT, 'Alice'), ALICE_ACCOUNT);
    expect(renamed.selected).toBe(ALICE_ACCOUNT);
    expect(renamed.accounts[0]!.name).toBe('Alice');

    // The added key is sealed too: a fresh unlock finds both.
    const reopened = await unlockWallet(renamed, PASSPHRASE);
    expect([...reopened.secrets.keys()].sort()).toEqual([ALICE_ACCOUNT, bob].sort());
    expect(await exportSecretKey(renamed, bob, PASSPHRASE)).toBe(secretKeyHex(bobSecret));
    await expect(exportSecretKey(renamed, bob, 'wrong passphrase')).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it('forgets the secrets in memory on lock', async () => {
    const { session } = await createWallet(PASSPHRASE, 'A', parseSecretKeyHex(ALICE_SECRET));
    const secret = session.secrets.get(ALICE_ACCOUNT)!;
    forgetSession(session);
    expect(secret.every((byte) => byte === 0)).toBe(true);
  });

  it('refuses a stored wallet whose listed account does not match its sealed key', async () => {
    const { wallet } = await createWallet(PASSPHRASE, 'A', parseSecretKeyHex(ALICE_SECRET));
    const forged = { ...wallet, accounts: [{ account: 'ab'.repeat(32), name: 'A' }], selected: 'ab'.repeat(32) };
    await expect(unlockWallet(forged, PASSPHRASE)).rejects.toThrow(/do not match/);
  });

  it('reads no wallet as none, and a damaged one as damaged', () => {
    const storage = memoryStorage();
    expect(loadWallet(storage)).toBeUndefined();
    storage.setItem(WALLET_STORAGE_KEY, '{oops');
    expect(() => loadWallet(storage)).toThrow(/damaged/);
  });
});
