import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';

/** Ed25519 arithmetic for building crafted signature vectors in tests (not for the node). */

export type EdPoint = ReturnType<typeof ed25519.Point.fromBytes>;

export const Point = ed25519.Point;
export const { p: P, n: L } = Point.CURVE();
export const B = Point.BASE;
/** A point of order 8; its multiples are the 8 small-order points. */
export const T8: EdPoint = Point.fromBytes(Buffer.from('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', 'hex'));

const text = new TextEncoder();

export function le32(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let rest = value;
  for (let i = 0; i < 32; i += 1) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  if (rest !== 0n) throw new RangeError('does not fit in 32 bytes');
  return out;
}

export function fromLe(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i -= 1) value = (value << 8n) | BigInt(bytes[i] ?? 0);
  return value;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function mod(value: bigint, modulus: bigint): bigint {
  const r = value % modulus;
  return r < 0n ? r + modulus : r;
}

/** A deterministic nonzero scalar mod L from a label, so the vectors are reproducible. */
export function scalar(label: string): bigint {
  return mod(fromLe(sha512(text.encode(label))), L - 1n) + 1n;
}

/** The challenge k = SHA-512(R || A || M) mod L, over the raw bytes as sent. */
export function challenge(rBytes: Uint8Array, publicKey: Uint8Array, message: Uint8Array): bigint {
  return mod(fromLe(sha512(concat(rBytes, publicKey, message))), L);
}

export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const index = Math.floor(bit / 8) % out.length;
  out[index] = (out[index] ?? 0) ^ (1 << bit % 8);
  return out;
}
