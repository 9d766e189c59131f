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
// Printable ASCII without '"' and '\': written as is between quotes, no escaping needed.
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** The canonical encoding of a value as a string (the bytes are its ASCII). */
export function encodeCanonical(value: CanonicalValue): string {
  switch (typeof value) {
    case 'string':
      return encodeString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value.toString(10)}"`;
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`not a safe integer: ${value}`);
      return `"${value.toString(10)}"`;
    case 'object': {
      if (value === null) throw new TypeError('null has no canonical encoding');
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + encodeCanonical(value[i] as CanonicalValue);
        return `${out}]`;
      }
      return encodeObject(value as { readonly [key: string]: CanonicalValue | undefined });
    }
    default:
      throw new TypeError(`no canonical encoding for ${typeof value}`);
  }
}

function encodeString(value: string): string {
  if (PLAIN_ASCII.test(value)) return `"${value}"`;
  if (!PRINTABLE_ASCII.test(value)) throw new TypeError('canonical strings are printable ASCII');
  return JSON.stringify(value);
}

function encodeObject(record: { readonly [key: string]: CanonicalValue | undefined }): string {
  const keys: string[] = [];
  let sorted = true;
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key) || record[key] === undefined) continue;
    if (sorted && keys.length > 0 && compareKeys(keys[keys.length - 1]!, key) >= 0) sorted = false;
    keys.push(key);
  }
  // Objects are mostly built (and parsed) in key order already; sort only when they are not.
  if (!sorted) keys.sort(compareKeys);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    out += `${i === 0 ? '' : ','}${encodeString(key)}:${encodeCanonical(record[key] as CanonicalValue)}`;
  }
  return `${out}}`;
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
  // The common case, canonical input, is checked in place; anything else is encoded to say why.
  if (canonicalEnd(parsed, text, 0) === text.length) return text;
  let canonical: string;
  try {
    canonical = encodeCanonical(parsed as CanonicalValue);
  } catch {
    return refuse('NON_CANONICAL', 'input holds a value with no canonical encoding (a JSON number, null or a non-ASCII string)');
  }
  if (canonical !== text) refuse('NON_CANONICAL', 'input is not in canonical form (sorted keys, no whitespace, integers as decimal strings)');
  // The input itself, equal to the encoding just made: keeps the caller's string rather than a copy.
  return text;
}

/**
 * Where the canonical encoding of a parsed JSON value ends if `text` holds exactly that encoding
 * from `at`, else -1: `encodeCanonical(value) === text.slice(at, end)` without building the
 * encoding. Values with no canonical encoding (numbers, null) give -1.
 */
function canonicalEnd(value: unknown, text: string, at: number): number {
  switch (typeof value) {
    case 'string': {
      if (!PLAIN_ASCII.test(value)) {
        if (!PRINTABLE_ASCII.test(value)) return -1;
        const escaped = JSON.stringify(value);
        return text.startsWith(escaped, at) ? at + escaped.length : -1;
      }
      const end = at + 1 + value.length;
      return text.charCodeAt(at) === 0x22 && text.startsWith(value, at + 1) && text.charCodeAt(end) === 0x22 ? end + 1 : -1;
    }
    case 'boolean': {
      const literal = value ? 'true' : 'false';
      return text.startsWith(literal, at) ? at + literal.length : -1;
    }
    case 'object': {
      if (value === null) return -1;
      if (Array.isArray(value)) {
        if (text.charCodeAt(at) !== 0x5b) return -1;
        let next = at + 1;
        for (let i = 0; i < value.length; i++) {
          if (i > 0 && text.charCodeAt(next++) !== 0x2c) return -1;
          next = canonicalEnd(value[i], text, next);
          if (next < 0) return -1;
        }
        return text.charCodeAt(next) === 0x5d ? next + 1 : -1;
      }
      if (text.charCodeAt(at) !== 0x7b) return -1;
      const record = value as Record<string, unknown>;
      let next = at + 1;
      let previous: string | undefined;
      for (const key in record) {
        if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
        // Keys must come in sorted order; an object that does not enumerate so is left to the encoder.
        if (previous !== undefined) {
          if (compareKeys(previous, key) >= 0 || text.charCodeAt(next++) !== 0x2c) return -1;
        }
        next = canonicalEnd(key, text, next);
        if (next < 0 || text.charCodeAt(next++) !== 0x3a) return -1;
        next = canonicalEnd(record[key], text, next);
        if (next < 0) return -1;
        previous = key;
      }
      return text.charCodeAt(next) === 0x7d ? next + 1 : -1;
    }
    default:
      return -1;
  }
}

/**
 * A string's size for a limit check: above `stopAfter` exactly when its UTF-8 length is, and
 * then a lower bound of that length; computed without encoding when the answer is clear.
 */
function utf8Length(text: string, stopAfter: number): number {
  if (text.length > stopAfter) return text.length; // at least one byte per code unit
  if (text.length * 3 <= stopAfter) return text.length; // at most three bytes per code unit: within the limit
  return textEncoder.encode(text).length;
}

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
// Lowercase hex digit values by char code; -1 for anything else.
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) HEX_VALUE[digit.toString(16).charCodeAt(0)] = digit;

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_BYTE[bytes[i]!];
  return out;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new TypeError('not lowercase hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const high = HEX_VALUE[hex.charCodeAt(i * 2)] ?? -1;
    const low = HEX_VALUE[hex.charCodeAt(i * 2 + 1)] ?? -1;
    if (high < 0 || low < 0) throw new TypeError('not lowercase hex');
    out[i] = (high << 4) | low;
  }
  return out;
}

export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}
