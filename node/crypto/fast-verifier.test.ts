import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { verify as cryptoVerify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidAccountKey, verifySignature } from '../../contracts/tx/keys.js';
import { createFastVerifier, ed25519KeyObject, fastVerify, opensslVerify } from './fast-verifier.js';
import { B, challenge, concat, type EdPoint, flipBit, fromLe, L, le32, mod, P, Point, scalar, T8 } from './ed25519-test-math.js';

const text = new TextEncoder();

// ---- small helpers over bigints, bytes and the Ed25519 equation ----

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** An encoding of y (possibly y ≥ p) with the x sign bit. */
function encode(y: bigint, xSign: number): Uint8Array {
  const bytes = le32(y);
  bytes[31] = (bytes[31] ?? 0) | (xSign << 7);
  return bytes;
}

/**
 * What OpenSSL computes, written with noble's arithmetic: an acceptable account key, S < L,
 * R' = [S]B − [k]A without the cofactor, and the canonical encoding of R' equal to the R bytes.
 */
function cofactorlessModel(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64 || !isValidAccountKey(publicKey)) return false;
  const s = fromLe(signature.subarray(32));
  if (s >= L) return false;
  const a = Point.fromBytes(publicKey, false);
  const rBytes = signature.subarray(0, 32);
  const expected = B.multiplyUnsafe(s).subtract(a.multiplyUnsafe(challenge(rBytes, publicKey, message)));
  return hex(expected.toBytes()) === hex(rBytes);
}

/** OpenSSL on the raw key bytes, with no account-key check in front (informative only). */
function rawOpenssl(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return cryptoVerify(null, message, ed25519KeyObject(publicKey), signature);
  } catch {
    return false;
  }
}

// ---- the torsion subgroup ----

const TORSION: EdPoint[] = [Point.ZERO];
for (let i = 1; i < 8; i += 1) TORSION.push((TORSION[i - 1] as EdPoint).add(T8));

function torsion(index: number): EdPoint {
  return TORSION[index & 7] as EdPoint;
}

/** The order of a small-order point. */
function smallOrder(point: EdPoint): number {
  let q = point;
  for (let order = 1; order <= 8; order += 1) {
    if (q.is0()) return order;
    q = q.add(point);
  }
  throw new Error('not of small order');
}

/** Every 32-byte encoding that decodes (under ZIP-215) to a small-order point, named. */
function smallOrderEncodings(): { name: string; bytes: Uint8Array; point: EdPoint }[] {
  const out = new Map<string, { name: string; bytes: Uint8Array; point: EdPoint }>();
  TORSION.forEach((point, index) => {
    const canonical = point.toBytes();
    const y = fromLe(canonical) & ((1n << 255n) - 1n);
    for (const extra of [0n, P]) {
      if (y + extra >= 1n << 255n) continue;
      for (const sign of [0, 1]) {
        const bytes = encode(y + extra, sign);
        let decoded: EdPoint;
        try {
          decoded = Point.fromBytes(bytes, true);
        } catch {
          continue;
        }
        if (!decoded.isSmallOrder()) continue;
        const isCanonical = hex(bytes) === hex(decoded.toBytes());
        const label = `${index}·T8 (order ${smallOrder(decoded)})`;
        const form = isCanonical ? 'canonical' : extra > 0n ? `y+p, sign ${sign}` : `x=0 with sign bit`;
        out.set(hex(bytes), { name: `${label} ${form} ${hex(bytes).slice(0, 8)}…${hex(bytes).slice(-2)}`, bytes, point: decoded });
      }
    }
  });
  return [...out.values()];
}

// ---- signing with known scalars, including crafted R ----

interface Signer {
  readonly a: bigint;
  readonly point: EdPoint;
  readonly publicKey: Uint8Array;
}

function signer(a: bigint, tors: EdPoint = Point.ZERO): Signer {
  const point = B.multiply(a).add(tors);
  return { a, point, publicKey: point.toBytes() };
}

/** S = r + k·a mod L for the given R bytes; R need not be r·B. */
function sFor(key: Signer, r: bigint, rBytes: Uint8Array, message: Uint8Array): Uint8Array {
  return le32(mod(r + challenge(rBytes, key.publicKey, message) * key.a, L));
}

function signWithR(key: Signer, r: bigint, rPoint: EdPoint, message: Uint8Array): Uint8Array {
  const rBytes = rPoint.toBytes();
  return concat(rBytes, sFor(key, r, rBytes, message));
}

/** An honest-looking signature with R = r·B + tors, retrying r until `accept(k)` holds for the challenge k. */
function signMixed(key: Signer, label: string, message: Uint8Array, accept: (k: bigint) => boolean, tors: EdPoint): Uint8Array {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const r = scalar(`${label}/${attempt}`);
    const rPoint = B.multiply(r).add(tors);
    const k = challenge(rPoint.toBytes(), key.publicKey, message);
    if (accept(k)) return signWithR(key, r, rPoint, message);
  }
  throw new Error(`no signature found for ${label}`);
}

/** For a key with torsion part T_A, a signature with R = r·B + T_j that satisfies the cofactorless equation (T_j = −k·T_A). */
function signCofactorless(key: Signer, keyTorsion: EdPoint, label: string, message: Uint8Array): Uint8Array {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const r = scalar(`${label}/${attempt}`);
    for (const t of TORSION) {
      const rPoint = B.multiply(r).add(t);
      const k = challenge(rPoint.toBytes(), key.publicKey, message);
      if (t.equals(keyTorsion.multiplyUnsafe(k).negate())) return signWithR(key, r, rPoint, message);
    }
  }
  throw new Error(`no cofactorless signature found for ${label}`);
}

/** A signature under a small-order (or any) point A with unknown discrete log that OpenSSL's equation accepts. */
function forgeUnderSmallOrderKey(publicKey: Uint8Array, point: EdPoint, message: Uint8Array): Uint8Array {
  for (let s = 1n; s < 200n; s += 1n) {
    for (const t of TORSION) {
      const rPoint = B.multiply(s).add(t);
      const rBytes = rPoint.toBytes();
      const k = challenge(rBytes, publicKey, message);
      if (B.multiply(s).subtract(point.multiplyUnsafe(k)).equals(rPoint)) return concat(rBytes, le32(s));
    }
  }
  throw new Error('no forgery found');
}

// ---- the vectors ----

interface Vector {
  readonly category: string;
  readonly name: string;
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
  /** What the consensus rule must decide (checked, so a wrongly built vector shows up). */
  readonly rule: boolean;
}

function buildVectors(): Vector[] {
  const vectors: Vector[] = [];
  const add = (category: string, name: string, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, rule: boolean): void => {
    vectors.push({ category, name, publicKey, message, signature, rule });
  };
  const message = text.encode('lendnet: offer 1200.00 USD at 7.5% for 12 months');
  const long = new Uint8Array(300).map((_, i) => (i * 7 + 3) & 0xff);

  // Ordinary signatures made by noble's signer, and tampering.
  const seed = sha512(text.encode('seed/normal')).subarray(0, 32);
  const pk = ed25519.getPublicKey(seed);
  const good = ed25519.sign(message, seed);
  const other = ed25519.getPublicKey(sha512(text.encode('seed/other')).subarray(0, 32));
  add('normal', 'valid signature', pk, message, good, true);
  add('normal', 'valid signature, empty message', pk, new Uint8Array(0), ed25519.sign(new Uint8Array(0), seed), true);
  add('normal', 'valid signature, 300-byte message', pk, long, ed25519.sign(long, seed), true);
  const big = new Uint8Array(10_000).fill(0xa5);
  add('normal', 'valid signature, 10 kB message', pk, big, ed25519.sign(big, seed), true);
  add('tampered', 'message bit flipped', pk, flipBit(message, 5), good, false);
  add('tampered', 'message with a byte appended', pk, concat(message, new Uint8Array([0])), good, false);
  add('tampered', 'R bit flipped', pk, message, flipBit(good, 3), false);
  add('tampered', 'S low bit flipped', pk, message, flipBit(good, 32 * 8), false);
  add('tampered', 'S top byte changed', pk, message, flipBit(good, 62 * 8 + 1), false);
  add('tampered', 'public key bit flipped', flipBit(pk, 9), message, good, false);
  add('tampered', 'signature checked against another key', other, message, good, false);
  add('tampered', 'R and S swapped', pk, message, concat(good.subarray(32), good.subarray(0, 32)), false);
  add('tampered', 'all-zero signature', pk, message, new Uint8Array(64), false);
  add('length', 'signature of 63 bytes', pk, message, good.subarray(0, 63), false);
  add('length', 'signature of 65 bytes', pk, message, concat(good, new Uint8Array([0])), false);
  add('length', 'empty signature', pk, message, new Uint8Array(0), false);
  add('length', 'public key of 31 bytes', pk.subarray(0, 31), message, good, false);
  add('length', 'public key of 33 bytes', concat(pk, new Uint8Array([0])), message, good, false);

  // Small-order public keys in every encoding; each signature satisfies OpenSSL's equation.
  for (const { name, bytes, point } of smallOrderEncodings()) {
    add('small-order key', `A = ${name}, forged signature`, bytes, message, forgeUnderSmallOrderKey(bytes, point, message), false);
  }

  // Non-canonical encodings (y + p) of keys that are acceptable in their canonical form.
  let nonCanonicalKeys = 0;
  for (let y = 2n; y < 19n && nonCanonicalKeys < 8; y += 1n) {
    let point: EdPoint;
    try {
      point = Point.fromBytes(le32(y), false);
    } catch {
      continue;
    }
    if (!isValidAccountKey(point.toBytes())) throw new Error('expected an acceptable canonical key');
    for (const sign of [0, 1]) {
      nonCanonicalKeys += 1;
      const bytes = encode(y + P, sign);
      const rPoint = B.multiply(scalar(`noncanonical-key/${y}/${sign}`));
      add('non-canonical key', `A = y+p with y = ${y}, sign ${sign}`, bytes, message, concat(rPoint.toBytes(), le32(7n)), false);
    }
  }

  // R of small order (canonical and not), S = k·a: [S]B − [k]A = 0 so only the torsion R is left,
  // which the cofactor removes. Only canonical identity R satisfies the cofactorless equation.
  const key = signer(scalar('key/prime'));
  for (const { name, bytes } of smallOrderEncodings()) {
    const s = le32(mod(challenge(bytes, key.publicKey, message) * key.a, L));
    const canonical = name.includes('canonical');
    add(canonical ? 'small-order R' : 'non-canonical R', `R = ${name}, S = k·a`, key.publicKey, message, concat(bytes, s), true);
  }
  // Non-canonical R of a point that is not of small order: cannot verify.
  add('non-canonical R', 'R = y+p with y = 2 (not small order), arbitrary S', key.publicKey, message, concat(encode(2n + P, 0), le32(5n)), false);

  // S out of range.
  const valid = signWithR(key, scalar('r/prime'), B.multiply(scalar('r/prime')), message);
  add('normal', 'valid signature with known scalar', key.publicKey, message, valid, true);
  const sOf = (sig: Uint8Array): bigint => fromLe(sig.subarray(32));
  const withS = (sig: Uint8Array, s: bigint): Uint8Array => concat(sig.subarray(0, 32), le32(s));
  add('S out of range', 'S + L (valid once reduced)', key.publicKey, message, withS(valid, sOf(valid) + L), false);
  add('S out of range', 'S + 2L (valid once reduced)', key.publicKey, message, withS(valid, sOf(valid) + 2n * L), false);
  add('S out of range', 'S + 8L (valid once reduced)', key.publicKey, message, withS(valid, sOf(valid) + 8n * L), false);
  add('S out of range', 'S = L', key.publicKey, message, withS(valid, L), false);
  add('S out of range', 'S = L, R = identity', key.publicKey, message, concat(Point.ZERO.toBytes(), le32(L)), false);
  add('S out of range', 'S = 2^256 − 1', key.publicKey, message, withS(valid, (1n << 256n) - 1n), false);
  add('S out of range', 'S with the top bit set', key.publicKey, message, withS(valid, sOf(valid) | (1n << 255n)), false);
  add('S in range', 'S = L − 1, R = B', key.publicKey, message, concat(B.toBytes(), le32(L - 1n)), false);
  add('S in range', 'S = 0, R = identity', key.publicKey, message, concat(Point.ZERO.toBytes(), le32(0n)), false);
  const identityR = Point.ZERO.toBytes();
  add('S out of range', 'R = identity, S = k·a + L (valid once reduced)', key.publicKey, message, concat(identityR, le32(mod(challenge(identityR, key.publicKey, message) * key.a, L) + L)), false);

  // Mixed-order keys A = a·B + T and mixed-order R = r·B + T.
  for (const index of [4, 2, 1, 3]) {
    const t = torsion(index);
    const order = smallOrder(t);
    const mixed = signer(scalar(`key/mixed/${index}`), t);
    if (!isValidAccountKey(mixed.publicKey)) throw new Error('a mixed-order key is an acceptable account key');
    const label = `A = a·B + ${index}·T8 (order ${order})`;
    // R = r·B: [S]B − [k]A = R − [k]T, which differs from R unless k·T = 0.
    const cofactoredOnly = signMixed(mixed, `mixed/${index}`, message, (k) => !t.multiplyUnsafe(k).is0(), Point.ZERO);
    add('mixed-order key', `${label}, honest signature with k·T ≠ 0 (cofactored only)`, mixed.publicKey, message, cofactoredOnly, true);
    add('mixed-order key', `${label}, honest signature with k·T = 0 (cofactorless too)`, mixed.publicKey, message, signMixed(mixed, `mixed-zero/${index}`, message, (k) => t.multiplyUnsafe(k).is0(), Point.ZERO), true);
    add('mixed-order key', `${label}, R = r·B − k·T (cofactorless)`, mixed.publicKey, message, signCofactorless(mixed, t, `mixed-cofactorless/${index}`, message), true);
    add('mixed-order key', `${label}, cofactored-only signature, message tampered`, mixed.publicKey, flipBit(message, 0), cofactoredOnly, false);
    add('mixed-order key', `${label}, cofactored-only signature, S + L`, mixed.publicKey, message, withS(cofactoredOnly, sOf(cofactoredOnly) + L), false);
    add('mixed-order R', `prime-order A, R = r·B + ${index}·T8 (order ${order})`, key.publicKey, message, signWithR(key, scalar(`mixedR/${index}`), B.multiply(scalar(`mixedR/${index}`)).add(t), message), true);
    add('mixed-order R', `${label}, R = r·B + 1·T8 with T_R ≠ −k·T_A`, mixed.publicKey, message, signMixed(mixed, `mixed-both/${index}`, message, (k) => !t.multiplyUnsafe(k).negate().equals(T8), T8), true);
  }
  return vectors;
}

const vectors = buildVectors();

describe('fast verifier: edge-case vectors', () => {
  const verifier = createFastVerifier();

  it.each(vectors.map((vector) => [`${vector.category}: ${vector.name}`, vector] as const))('%s', (_, vector) => {
    const { publicKey, message, signature } = vector;
    const rule = verifySignature(publicKey, message, signature);
    expect(rule).toBe(vector.rule);
    const fastPath = verifier.verifyOpenssl(publicKey, message, signature);
    // The fast path never accepts what the rule refuses, and it computes what the model says.
    if (fastPath) expect(rule).toBe(true);
    expect(fastPath).toBe(cofactorlessModel(publicKey, message, signature));
    expect(verifier.verify(publicKey, message, signature)).toBe(rule);
    expect(fastVerify(publicKey, message, signature)).toBe(rule);
    expect(opensslVerify(publicKey, message, signature)).toBe(fastPath);
  });

  it('has enough vectors and reports where OpenSSL and ZIP-215 disagree', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(40);
    const table = new Map<string, { vectors: number; rule: number; openssl: number; rawOpenssl: number; fallbackAccepts: number }>();
    for (const { category, publicKey, message, signature } of vectors) {
      const row = table.get(category) ?? { vectors: 0, rule: 0, openssl: 0, rawOpenssl: 0, fallbackAccepts: 0 };
      const rule = verifySignature(publicKey, message, signature);
      const openssl = opensslVerify(publicKey, message, signature);
      row.vectors += 1;
      row.rule += rule ? 1 : 0;
      row.openssl += openssl ? 1 : 0;
      row.rawOpenssl += publicKey.length === 32 && rawOpenssl(publicKey, message, signature) ? 1 : 0;
      row.fallbackAccepts += rule && !openssl ? 1 : 0;
      table.set(category, row);
    }
    console.log(`${vectors.length} vectors; accepted by: rule (ZIP-215 + key rule), OpenSSL fast path, OpenSSL alone on raw key bytes`);
    console.table(Object.fromEntries(table));
    // The categories where the fallback is what makes the fast verifier agree with the rule.
    expect(table.get('non-canonical R')?.fallbackAccepts).toBeGreaterThan(0);
    expect(table.get('mixed-order key')?.fallbackAccepts).toBeGreaterThan(0);
    expect(table.get('mixed-order R')?.fallbackAccepts).toBeGreaterThan(0);
    expect(table.get('small-order R')?.fallbackAccepts).toBeGreaterThan(0);
  });
});

describe('fast verifier: properties', () => {
  const verifier = createFastVerifier({ maxKeys: 64 });
  const tamper = fc.option(fc.record({ where: fc.constantFrom('key', 'message', 'signature'), bit: fc.nat() }), { nil: undefined });

  function check(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, change: { where: string; bit: number } | undefined): boolean {
    const pk = change?.where === 'key' ? flipBit(publicKey, change.bit) : publicKey;
    const msg = change?.where === 'message' && message.length > 0 ? flipBit(message, change.bit) : message;
    const sig = change?.where === 'signature' ? flipBit(signature, change.bit) : signature;
    const rule = verifySignature(pk, msg, sig);
    if (verifier.verifyOpenssl(pk, msg, sig)) expect(rule).toBe(true);
    expect(verifier.verify(pk, msg, sig)).toBe(rule);
    return rule;
  }

  it('agrees with the rule on random keys, messages and bit flips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 400 }), tamper, (seed, message, change) => {
        const rule = check(ed25519.getPublicKey(seed), message, ed25519.sign(message, seed), change);
        if (change === undefined) expect(rule).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the rule on mixed-order keys and R, with bit flips', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: L - 1n }),
        fc.bigInt({ min: 1n, max: L - 1n }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 7 }),
        fc.uint8Array({ maxLength: 300 }),
        tamper,
        (a, r, keyTorsion, rTorsion, message, change) => {
          const key = signer(a, torsion(keyTorsion));
          const signature = signWithR(key, r, B.multiply(r).add(torsion(rTorsion)), message);
          const rule = check(key.publicKey, message, signature, change);
          if (change === undefined) expect(rule).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('agrees with the rule on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), (pk, message, sig) => {
        check(pk, message, sig, undefined);
      }),
      { numRuns: 300 },
    );
  });
});

describe('fast verifier: cache and inputs', () => {
  it('keeps at most maxKeys keys and still decides correctly after eviction', () => {
    const verifier = createFastVerifier({ maxKeys: 2 });
    const message = text.encode('cache');
    const keys = [1, 2, 3].map((i) => sha512(text.encode(`cache/${i}`)).subarray(0, 32));
    for (let round = 0; round < 3; round += 1) {
      for (const seed of keys) {
        expect(verifier.verify(ed25519.getPublicKey(seed), message, ed25519.sign(message, seed))).toBe(true);
        expect(verifier.cachedKeys).toBeLessThanOrEqual(2);
      }
    }
    expect(verifier.stats().opensslAccepted).toBe(9);
    expect(verifier.stats().fallbacks).toBe(0);
  });

  it('remembers refused keys and is not fooled by a caller reusing its key buffer', () => {
    const verifier = createFastVerifier();
    const message = text.encode('reuse');
    const seedA = sha512(text.encode('reuse/a')).subarray(0, 32);
    const seedB = sha512(text.encode('reuse/b')).subarray(0, 32);
    const buffer = Uint8Array.from(ed25519.getPublicKey(seedA));
    expect(verifier.verify(buffer, message, ed25519.sign(message, seedA))).toBe(true);
    buffer.set(ed25519.getPublicKey(seedB));
    expect(verifier.verify(buffer, message, ed25519.sign(message, seedA))).toBe(false);
    expect(verifier.verify(buffer, message, ed25519.sign(message, seedB))).toBe(true);
    const identity = Point.ZERO.toBytes();
    const forged = concat(B.toBytes(), le32(1n));
    expect(rawOpenssl(identity, message, forged)).toBe(true);
    expect(verifier.verify(identity, message, forged)).toBe(false);
    expect(verifier.verify(identity, message, forged)).toBe(false);
    expect(verifier.stats().fallbacks).toBe(1);
  });

  it('returns false rather than throwing on inputs that are not bytes', () => {
    const verifier = createFastVerifier();
    const seed = sha512(text.encode('types')).subarray(0, 32);
    const pk = ed25519.getPublicKey(seed);
    const message = text.encode('x');
    const signature = ed25519.sign(message, seed);
    const notBytes = 'x' as unknown as Uint8Array;
    expect(verifier.verify(pk, notBytes, signature)).toBe(false);
    expect(verifier.verify(notBytes, message, signature)).toBe(false);
    expect(verifier.verify(pk, message, notBytes)).toBe(false);
    expect(verifySignature(pk, notBytes, signature)).toBe(false);
    expect(() => createFastVerifier({ maxKeys: 0 })).toThrow(RangeError);
  });
});
