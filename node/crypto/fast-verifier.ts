import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { isCanonicalLargeOrderEncoding, verifySignature } from '../../contracts/tx/keys.js';
import { LruMap } from '../../contracts/lru-map.js';

/**
 * A signature verifier for the node that makes exactly the decisions of the consensus rule
 * `verifySignature` (contracts/tx/keys.ts: acceptable account key + Ed25519 under ZIP-215),
 * but runs the common case through node:crypto (OpenSSL), which is much faster than noble.
 *
 * The account-key rule (`isValidAccountKey`: a canonical encoding of a curve point not of small
 * order) is split in two. Its byte checks run first (`isCanonicalLargeOrderEncoding`); the
 * costly part, that the bytes decode to a curve point at all (a field square root), is left to
 * OpenSSL, which decodes the key in every verification and refuses when it does not decode.
 * So a key that passes the byte checks and under which OpenSSL accepts a signature is an
 * acceptable account key, and a key is decompressed in JavaScript only on the fallback path.
 *
 * Why an OpenSSL acceptance is always a ZIP-215 acceptance, given that the key is acceptable
 * (32 bytes, canonical, on the curve, not of small order):
 *  - OpenSSL refuses unless S < L, the same bound ZIP-215 requires, so S is the same scalar.
 *  - The key is a canonical encoding of a curve point, so OpenSSL and noble decode it to the
 *    same point A (the two only disagree on non-canonical encodings, which never get here).
 *  - Both hash the raw bytes R || A || M with SHA-512 and reduce mod L, so k is the same.
 *  - OpenSSL computes R' = [S]B − [k]A without the cofactor, encodes R' canonically and
 *    compares that byte for byte with the R half of the signature. Equal bytes mean R is the
 *    canonical encoding of R', so noble's (more permissive) ZIP-215 decoding of R yields R'.
 *  - Then R = [S]B − [k]A holds exactly, so [8]R = [8]([S]B − [k]A) holds too: the cofactored
 *    ZIP-215 equation is satisfied.
 * The converse does not hold: ZIP-215 also accepts non-canonical encodings of R and
 * signatures that satisfy only the cofactored equation (mixed-order A or R). OpenSSL refuses
 * those, so every OpenSSL refusal is re-checked with the rule itself. That costs noble's time
 * only for signatures that are invalid or deliberately crafted.
 */

/** Options for {@link createFastVerifier}. */
export interface FastVerifierOptions {
  /** How many public keys (valid or not) to remember; the oldest unused is evicted. Default 100 000. */
  readonly maxKeys?: number;
}

/** Counters a verifier keeps, for monitoring how often the slow path runs. */
export interface FastVerifierStats {
  /** Signatures OpenSSL accepted (the fast path). */
  readonly opensslAccepted: number;
  /** Signatures OpenSSL refused that were re-checked with the ZIP-215 rule. */
  readonly fallbacks: number;
  /** Of those, how many the rule accepted (non-canonical R or cofactored-only signatures). */
  readonly fallbackAccepted: number;
}

/** A verifier with a bounded per-key cache. */
export interface FastVerifier {
  /** The consensus decision: the same result as `verifySignature`, never throws. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /**
   * The fast path alone, without the fallback: the account-key byte checks, then OpenSSL. Accepts a
   * subset of what `verify` accepts. For tests and benchmarks, not for consensus.
   */
  verifyOpenssl(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** The number of keys currently cached. */
  readonly cachedKeys: number;
  /** Counters since the verifier was created. */
  stats(): FastVerifierStats;
}

const DEFAULT_MAX_KEYS = 100_000;

/**
 * A node:crypto KeyObject for 32 raw Ed25519 public-key bytes, with no validity check at all
 * (OpenSSL stores the bytes as they are). Throws if the length is not 32. Imported as a JWK:
 * with OpenSSL 3 that is about ten times faster than decoding the same key as SPKI DER
 * (13–16 µs against 126–136 µs here), and a node meets every new account's key once.
 */
export function ed25519KeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) throw new TypeError('an ed25519 public key is 32 bytes');
  const x = Buffer.from(publicKey.buffer, publicKey.byteOffset, 32).toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

function importedOrRule(publicKey: Uint8Array): KeyObject | 'rule' {
  try {
    return ed25519KeyObject(publicKey);
  } catch {
    return 'rule';
  }
}

/** Creates a verifier with its own key cache. */
export function createFastVerifier(options: FastVerifierOptions = {}): FastVerifier {
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxKeys must be a positive integer');
  // null marks a key that is not an acceptable account key, so repeated refusals stay cheap.
  // A key's entry: its KeyObject; null when the byte checks refuse it (so does the rule); or
  // 'rule' when OpenSSL would not import it, and every signature under it goes to the rule.
  const cache = new LruMap<string, KeyObject | null | 'rule'>(maxKeys);
  let opensslAccepted = 0;
  let fallbacks = 0;
  let fallbackAccepted = 0;

  function keyObjectFor(publicKey: Uint8Array): KeyObject | null | 'rule' {
    const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('hex');
    const cached = cache.get(id);
    if (cached !== undefined) return cached;
    // Whether the bytes decode to a point is for OpenSSL to find out (see the top of this file).
    const created = isCanonicalLargeOrderEncoding(publicKey) ? importedOrRule(publicKey) : null;
    cache.set(id, created);
    return created;
  }

  function openssl(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean | null {
    // The instanceof checks keep callers outside the type system (plain JS, decoded JSON) from
    // reaching node:crypto, which would accept strings that the rule refuses.
    if (!(publicKey instanceof Uint8Array) || !(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
      return null;
    }
    if (publicKey.length !== 32 || signature.length !== 64) return null;
    const key = keyObjectFor(publicKey);
    if (key === null) return null;
    if (key === 'rule') return false;
    try {
      return cryptoVerify(null, message, key, signature);
    } catch {
      return false;
    }
  }

  return {
    verify(publicKey, message, signature) {
      const fast = openssl(publicKey, message, signature);
      // null: not bytes, wrong length or not an acceptable account key, which the rule refuses as well.
      if (fast === null) return false;
      if (fast) {
        opensslAccepted += 1;
        return true;
      }
      fallbacks += 1;
      const accepted = verifySignature(publicKey, message, signature);
      if (accepted) fallbackAccepted += 1;
      return accepted;
    },
    verifyOpenssl(publicKey, message, signature) {
      return openssl(publicKey, message, signature) === true;
    },
    get cachedKeys() {
      return cache.size;
    },
    stats() {
      return { opensslAccepted, fallbacks, fallbackAccepted };
    },
  };
}

const shared = createFastVerifier();

/** The consensus signature decision through the module's shared verifier (same result as `verifySignature`). */
export function fastVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return shared.verify(publicKey, message, signature);
}

/** The shared verifier's fast path alone (account-key byte checks + OpenSSL, no fallback). Not for consensus. */
export function opensslVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return shared.verifyOpenssl(publicKey, message, signature);
}
