/**
 * Secrets sealed under a passphrase with WebCrypto: PBKDF2-SHA-256 turns the passphrase and a
 * random salt into an AES-256-GCM key, which seals the secret with a random IV. GCM's tag makes
 * a wrong passphrase (or a changed box) fail to open rather than give wrong bytes.
 */

/** The fewest PBKDF2 iterations the wallet accepts (OWASP's figure for PBKDF2-HMAC-SHA256). */
export const MIN_ITERATIONS = 600_000;
const SALT_BYTES = 16;
const IV_BYTES = 12;

/** What is stored: every parameter needed to open it again, bytes as base64. */
export interface SealedBox {
  readonly kdf: { readonly name: 'PBKDF2'; readonly hash: 'SHA-256'; readonly iterations: number; readonly salt: string };
  readonly cipher: { readonly name: 'AES-GCM'; readonly iv: string };
  readonly ciphertext: string;
}

/** The passphrase does not open the box (or the box was changed). */
export class WrongPassphraseError extends Error {
  override readonly name = 'WrongPassphraseError';
  constructor() {
    super('That passphrase is not the one this wallet was locked with.');
  }
}

/** The stored box is not one this wallet can read. */
export class DamagedBoxError extends Error {
  override readonly name = 'DamagedBoxError';
}

/** An AES-GCM key from a passphrase; not extractable, so even the page cannot read it back. */
export async function deriveKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  if (!Number.isSafeInteger(iterations) || iterations < MIN_ITERATIONS) throw new DamagedBoxError(`PBKDF2 needs at least ${MIN_ITERATIONS} iterations`);
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** A new random salt for a new passphrase. */
export function newSalt(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SALT_BYTES));
}

/** Seals `plaintext` under `key` (made from `salt`, `iterations`) with a fresh random IV. */
export async function sealWithKey(key: CryptoKey, salt: Uint8Array, iterations: number, plaintext: Uint8Array): Promise<SealedBox> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource }, key, plaintext as BufferSource));
  return {
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toBase64(salt) },
    cipher: { name: 'AES-GCM', iv: toBase64(iv) },
    ciphertext: toBase64(ciphertext),
  };
}

/** Seals `plaintext` under a passphrase, with a new salt. Also returns the key, to seal again without PBKDF2. */
export async function seal(passphrase: string, plaintext: Uint8Array, iterations: number = MIN_ITERATIONS): Promise<{ box: SealedBox; key: CryptoKey }> {
  const salt = newSalt();
  const key = await deriveKey(passphrase, salt, iterations);
  return { box: await sealWithKey(key, salt, iterations, plaintext), key };
}

/** Opens a box with a key already derived; a wrong key throws WrongPassphraseError. */
export async function openWithKey(key: CryptoKey, box: SealedBox): Promise<Uint8Array> {
  const iv = fromBase64(box.cipher.iv);
  const ciphertext = fromBase64(box.ciphertext);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: iv as BufferSource }, key, ciphertext as BufferSource));
  } catch {
    throw new WrongPassphraseError();
  }
}

/** Opens a box with the passphrase; also returns the key, to seal again without PBKDF2. */
export async function open(passphrase: string, box: SealedBox): Promise<{ plaintext: Uint8Array; key: CryptoKey }> {
  if (box.kdf?.name !== 'PBKDF2' || box.kdf.hash !== 'SHA-256' || box.cipher?.name !== 'AES-GCM') throw new DamagedBoxError('the wallet was sealed in a way this app does not read');
  const key = await deriveKey(passphrase, fromBase64(box.kdf.salt), box.kdf.iterations);
  return { plaintext: await openWithKey(key, box), key };
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new DamagedBoxError('the stored wallet is damaged (bad base64)');
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
