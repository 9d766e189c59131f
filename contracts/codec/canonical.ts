import { refuse } from '../errors.js';

/**
 * A value that has a canonical encoding: strings of printable ASCII, booleans, integers
 * (bigint, or a safe-integer number) written as decimal strings, arrays, and objects whose
 * keys are written in sorted order. No floats, no null, no whitespace.
 */
export type CanonicalValue =
  | string
  | boolean
  | bigint
  | number
  | readonly CanonicalValue[]
  | { readonly [key: string]: CanonicalValue | undefined };

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The canonical encoding of a value as a string (the bytes are its ASCII). */
export function encodeCanonical(value: CanonicalValue): string {
  switch (typeof value) {
    case 'string':
      if (!PRINTABLE_ASCII.test(value)) throw new TypeError('canonical strings are printable ASCII');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value.toString(10)}"`;
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`not a safe integer: ${value}`);
      return `"${value.toString(10)}"`;
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => encodeCanonical(item as CanonicalValue)).join(',')}]`;
      const record = value as { readonly [key: string]: CanonicalValue | undefined };
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort(compareKeys);
      return `{${keys.map((key) => `${encodeCanonical(key)}:${encodeCanonical(record[key] as CanonicalValue)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`no canonical encoding for ${typeof value}`);
  }
}

/** Keys sort by their bytes; keys are ASCII, so byte order is code-unit order. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const textEncoder = new TextEncoder();
// ignoreBOM keeps a leading byte-order mark in the text (where JSON.parse refuses it) rather
// than silently dropping it, so bytes that differ from the canonical encoding never decode.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function canonicalBytes(value: CanonicalValue): Uint8Array {
  return textEncoder.encode(encodeCanonical(value));
}

/**
 * Parses untrusted bytes as JSON within a size limit. The result is plain data of unknown
 * shape; a schema decoder gives it a type. Canonical form is checked by `assertCanonical`.
 */
export function parseJson(input: Uint8Array | string, maxBytes: number): unknown {
  const size = typeof input === 'string' ? utf8Length(input, maxBytes) : input.length;
  if (size > maxBytes) refuse('TX_TOO_LARGE', `input is ${size} bytes; the limit is ${maxBytes}`, { size, limit: maxBytes });
  let text: string;
  try {
    text = typeof input === 'string' ? input : strictUtf8.decode(input);
  } catch {
    return refuse('MALFORMED', 'input is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return refuse('MALFORMED', 'input is not valid JSON');
  }
}

/** Refuses input whose bytes differ from the canonical encoding of what it parsed to. */
export function assertCanonical(input: Uint8Array | string, parsed: unknown): string {
  const text = typeof input === 'string' ? input : strictUtf8.decode(input);
  let canonical: string;
  try {
    canonical = encodeCanonical(parsed as CanonicalValue);
  } catch {
    return refuse('NON_CANONICAL', 'input holds a value with no canonical encoding (a JSON number, null or a non-ASCII string)');
  }
  if (canonical !== text) refuse('NON_CANONICAL', 'input is not in canonical form (sorted keys, no whitespace, integers as decimal strings)');
  return canonical;
}

/** UTF-8 length of a string, counting no further than just past `stopAfter`. */
function utf8Length(text: string, stopAfter: number): number {
  if (text.length > stopAfter) return text.length; // at least one byte per code unit
  return textEncoder.encode(text).length;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) throw new TypeError('not lowercase hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}
