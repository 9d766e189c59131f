import { fromHex, toHex } from '../../contracts/codec/canonical';
import { keyPairFromSecret } from '../../contracts/tx/keys';

/**
 * Keys as the wallet holds them: a 32-byte ed25519 secret (the RFC 8032 seed, protocol.md §2)
 * and the account it controls. The account always comes from contracts/, the same code that
 * checks signatures on the chain.
 */

/** Bytes in a secret key. */
export const SECRET_KEY_BYTES = 32;

/** A secret key the user typed or pasted that is not one. Its message is for people. */
export class BadSecretKeyError extends Error {
  override readonly name = 'BadSecretKeyError';
}

/** A new secret key from the browser's secure random source. */
export function newSecretKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SECRET_KEY_BYTES));
}

/** The account (public key, lowercase hex) a secret key controls. */
export function accountOf(secretKey: Uint8Array): string {
  return keyPairFromSecret(secretKey).account;
}

/**
 * A secret key from its hex form: 64 hex characters, with surrounding spaces and an `0x`
 * someone may have copied along forgiven, in either case.
 */
export function parseSecretKeyHex(text: string): Uint8Array {
  let hex = text.trim().replace(/\s+/g, '');
  if (hex.startsWith('0x') || hex.startsWith('0X')) hex = hex.slice(2);
  if (hex === '') throw new BadSecretKeyError('Enter the secret key: 64 hexadecimal characters (0-9, a-f).');
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new BadSecretKeyError('A secret key holds only the characters 0-9 and a-f.');
  if (hex.length !== SECRET_KEY_BYTES * 2) {
    throw new BadSecretKeyError(`A secret key is 64 hexadecimal characters; this one has ${hex.length}.`);
  }
  return fromHex(hex.toLowerCase());
}

/** A secret key as protocol.md writes it: 64 lowercase hex characters. */
export function secretKeyHex(secretKey: Uint8Array): string {
  if (secretKey.length !== SECRET_KEY_BYTES) throw new BadSecretKeyError('A secret key is 32 bytes.');
  return toHex(secretKey);
}

/** An account id cut for display: the first and last characters. */
export function shortAccount(account: string): string {
  return account.length <= 16 ? account : `${account.slice(0, 8)}…${account.slice(-6)}`;
}
