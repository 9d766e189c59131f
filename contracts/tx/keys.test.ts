import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../codec/canonical.js';
import { isCanonicalLargeOrderEncoding, isValidAccountId, isValidAccountKey, rememberAcceptedSigner } from './keys.js';

const Point = ed25519.Point;
const P = (1n << 255n) - 19n;
/** A point of order 8; its multiples are the 8 small-order points. */
const T8 = Point.fromBytes(fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'));

/** The account-key rule written the direct way: strict decoding, re-encoding equal to the input, not of small order. */
function referenceRule(bytes: Uint8Array): boolean {
  if (bytes.length !== 32) return false;
  try {
    const point = Point.fromBytes(bytes, false);
    return toHex(point.toBytes()) === toHex(bytes) && !point.isSmallOrder();
  } catch {
    return false;
  }
}

/** Whether bytes decode to a curve point at all (y reduced mod p, as lenient decoders do). */
function decodes(bytes: Uint8Array): boolean {
  try {
    Point.fromBytes(bytes, true);
    return true;
  } catch {
    return false;
  }
}

/** The encoding of y (which may be p or more) with the sign bit of x. */
function encode(y: bigint, sign: 0 | 1): Uint8Array {
  const out = new Uint8Array(32);
  let rest = y;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  out[31]! |= sign << 7;
  return out;
}

function withSignFlipped(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[31]! ^= 0x80;
  return out;
}

/** Small-order points with either sign bit; y = ±1 either way; every non-canonical y (p to 2^255 - 1). */
const edgeEncodings: Uint8Array[] = [
  ...Array.from({ length: 8 }, (_, k) => T8.multiply(BigInt(k + 1)).toBytes()).flatMap((bytes) => [bytes, withSignFlipped(bytes)]),
  ...[1n, P - 1n, ...Array.from({ length: 19 }, (_, i) => P + BigInt(i))].flatMap((y) => [encode(y, 0), encode(y, 1)]),
];

describe('the account-key rule', () => {
  it('decides every edge encoding as the direct reading of the rule does', () => {
    for (const bytes of edgeEncodings) expect(isValidAccountKey(bytes), toHex(bytes)).toBe(referenceRule(bytes));
    expect(edgeEncodings.filter((bytes) => isValidAccountKey(bytes))).toEqual([]);
  });

  it('decides random keys and random bytes as the direct reading of the rule does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), (bytes, asKey) => {
        const candidate = asKey ? ed25519.getPublicKey(bytes) : bytes;
        expect(isValidAccountKey(candidate)).toBe(referenceRule(candidate));
      }),
      { numRuns: 400 },
    );
  });

  it('is the byte checks alone for every encoding that decodes to a point', () => {
    for (const bytes of edgeEncodings) if (decodes(bytes)) expect(isCanonicalLargeOrderEncoding(bytes), toHex(bytes)).toBe(referenceRule(bytes));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), (bytes, asKey) => {
        const candidate = asKey ? ed25519.getPublicKey(bytes) : bytes;
        if (decodes(candidate)) expect(isCanonicalLargeOrderEncoding(candidate)).toBe(referenceRule(candidate));
      }),
      { numRuns: 400 },
    );
  });

  it('refuses other lengths', () => {
    expect(isValidAccountKey(new Uint8Array(31))).toBe(false);
    expect(isCanonicalLargeOrderEncoding(new Uint8Array(33))).toBe(false);
  });
});

describe('remembered account verdicts', () => {
  it('a signer remembered as accepted is valid, and remembering a key already refused keeps the refusal', () => {
    const signer = toHex(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
    rememberAcceptedSigner(signer);
    expect(isValidAccountId(signer)).toBe(true);
    for (const bytes of edgeEncodings) {
      const id = toHex(bytes);
      const verdict = isValidAccountId(id);
      expect(verdict).toBe(referenceRule(bytes));
      rememberAcceptedSigner(id);
      expect(isValidAccountId(id)).toBe(verdict);
    }
  });
});
