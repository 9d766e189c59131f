import { ed25519 } from '@noble/curves/ed25519.js';
import { fromHex, toHex } from '../codec/canonical.js';
import { LruMap } from '../lru-map.js';

/**
 * Keys and signatures. The consensus rule for signatures is Ed25519 with ZIP-215 semantics
 * (cofactored verification, S < L, unreduced point encodings of R accepted), plus a rule on
 * accounts: a public key must be a canonical encoding of a point that is not of small order.
 * Every node, the browser and the auditor run exactly this rule.
 */

export interface KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** The account id: the public key in lowercase hex. */
  readonly account: string;
}

/** A key pair from a 32-byte secret key (the RFC 8032 seed). */
export function keyPairFromSecret(secretKey: Uint8Array): KeyPair {
  if (secretKey.length !== 32) throw new TypeError('an ed25519 secret key is 32 bytes');
  const publicKey = ed25519.getPublicKey(secretKey);
  return { secretKey, publicKey, account: toHex(publicKey) };
}

/** A new key pair from the platform's secure random source. */
export function generateKeyPair(): KeyPair {
  return keyPairFromSecret(ed25519.utils.randomSecretKey());
}

export function signMessage(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, secretKey);
}

/**
 * Whether bytes are an acceptable account key: 32 bytes that decode canonically (y < p,
 * and no "negative zero" x) to a point that is not of small order.
 *
 * Two parts: the byte checks of `isCanonicalLargeOrderEncoding`, and that the bytes decode to a
 * curve point at all (a field square root, the costly part).
 */
export function isValidAccountKey(publicKey: Uint8Array): boolean {
  if (!isCanonicalLargeOrderEncoding(publicKey)) return false;
  try {
    ed25519.Point.fromBytes(publicKey, false);
    return true;
  } catch {
    return false;
  }
}

// p = 2^255 - 19, the field's modulus.
const FIELD_P = (1n << 255n) - 19n;

/** The canonical encodings of the 8 points of small order: the multiples of a point of order 8. */
const SMALL_ORDER_ENCODINGS: ReadonlySet<string> = (() => {
  const order8 = ed25519.Point.fromBytes(fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'));
  const encodings = new Set<string>();
  let point = ed25519.Point.ZERO;
  for (let k = 0; k < 8; k++) {
    encodings.add(toHex(point.toBytes()));
    point = point.add(order8);
  }
  if (encodings.size !== 8) throw new Error('expected 8 distinct small-order points');
  return encodings;
})();

/**
 * The byte checks of the account-key rule: 32 bytes whose y is below p, whose x is not a
 * "negative zero", and that are not the encoding of one of the 8 points of small order. For
 * bytes that decode to a curve point this is exactly `isValidAccountKey`; it does not itself
 * check that they decode (a verifier that decodes the key anyway can skip that square root).
 */
export function isCanonicalLargeOrderEncoding(publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32) return false;
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? publicKey[i]! & 0x7f : publicKey[i]!);
  if (y >= FIELD_P) return false;
  // x = 0 only where y = 1 or y = p - 1, both of small order; with the sign bit set those
  // encodings are "negative zero", which no canonical encoding is.
  if ((publicKey[31]! & 0x80) !== 0 && (y === 1n || y === FIELD_P - 1n)) return false;
  return !SMALL_ORDER_ENCODINGS.has(toHex(publicKey));
}

const ACCOUNT_VERDICTS_KEPT = 65_536;
const accountVerdicts = new LruMap<string, boolean>(ACCOUNT_VERDICTS_KEPT);

/**
 * `isValidAccountKey` for an account id (64 lowercase hex characters), remembered for the
 * most recently seen ids. Decoding checks the signer, and any recipient, of every
 * transaction; the check costs a field square root (about 0.1 ms with noble) while the
 * accounts that trade are few and recur. The verdict is a pure function of the bytes, so
 * remembering it changes no outcome; the least recently used verdict is forgotten first.
 */
export function isValidAccountId(account: string): boolean {
  let verdict = accountVerdicts.get(account);
  if (verdict === undefined) {
    verdict = isValidAccountKey(fromHex(account));
    accountVerdicts.set(account, verdict);
  }
  return verdict;
}

/**
 * Tells `isValidAccountId` that `account` is an acceptable key, because a signature under it
 * was accepted by the signature rule (`verifySignature`, or a verifier that makes exactly its
 * decisions), and that rule accepts only under acceptable keys. Whoever calls this must have
 * seen such an acceptance for these very bytes; then no outcome changes, and a recipient who
 * has signed before is not decompressed again when a transfer names it.
 */
export function rememberAcceptedSigner(account: string): void {
  if (!accountVerdicts.has(account)) accountVerdicts.set(account, true);
}

/**
 * The signature rule: the key is an acceptable account key and the signature verifies under
 * ZIP-215. Returns false for every malformed input rather than throwing.
 */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64 || !isValidAccountKey(publicKey)) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: true });
  } catch {
    return false;
  }
}
