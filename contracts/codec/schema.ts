import { refuse } from '../errors.js';
import { MAX_AMOUNT } from '../money.js';

/**
 * Strict decoders for untrusted, JSON-parsed data. Each takes the value and its path (for
 * the message) and returns a typed value or throws a coded Refusal. Objects refuse unknown
 * and missing fields.
 */
export type Decoder<T> = (value: unknown, path: string) => T;

export type Shape = Record<string, Decoder<unknown>>;
type Optional<T> = Decoder<T | undefined> & { readonly optional: true };
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
export type Decoded<S extends Shape> = {
  readonly [K in Exclude<keyof S, OptionalKeys<S>>]: S[K] extends Decoder<infer T> ? T : never;
} & {
  readonly [K in OptionalKeys<S>]?: S[K] extends Decoder<infer T> ? Exclude<T, undefined> : never;
};

export function object<S extends Shape>(shape: S): Decoder<Decoded<S>> {
  const known = new Set(Object.keys(shape));
  const fields = Object.entries(shape);
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse('BAD_FIELD', `${path} must be an object`, { field: path });
    const record = value as Record<string, unknown>;
    for (const key in record) {
      if (Object.prototype.hasOwnProperty.call(record, key) && !known.has(key)) refuse('UNKNOWN_FIELD', `${path} has an unknown field "${printable(key)}"`, { field: `${path}.${printable(key)}` });
    }
    const out: Record<string, unknown> = {};
    for (const [key, decode] of fields) {
      const has = Object.prototype.hasOwnProperty.call(record, key);
      if (!has) {
        if ((decode as Partial<Optional<unknown>>).optional) continue;
        refuse('MISSING_FIELD', `${path}.${key} is missing`, { field: `${path}.${key}` });
      }
      out[key] = decode(record[key], `${path}.${key}`);
    }
    return out as Decoded<S>;
  };
}

export function optional<T>(decode: Decoder<T>): Optional<T> {
  const wrapped = ((value: unknown, path: string) => decode(value, path)) as Optional<T>;
  return Object.assign(wrapped, { optional: true as const });
}

export function arrayOf<T>(decode: Decoder<T>, maxItems: number): Decoder<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) refuse('BAD_FIELD', `${path} must be an array`, { field: path });
    if (value.length > maxItems) refuse('BAD_FIELD', `${path} has more than ${maxItems} items`, { field: path });
    return value.map((item, i) => decode(item, `${path}[${i}]`));
  };
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

function decimalString(value: unknown, path: string, maxDigits: number): string {
  if (typeof value !== 'string' || value.length > maxDigits || !DECIMAL.test(value)) {
    refuse('BAD_FIELD', `${path} must be a non-negative integer written as a decimal string`, { field: path });
  }
  return value;
}

/** An amount in minor units: a decimal string from 0 to MAX_AMOUNT. */
export const amount: Decoder<bigint> = (value, path) => {
  const parsed = BigInt(decimalString(value, path, 40));
  if (parsed > MAX_AMOUNT) refuse('AMOUNT_OUT_OF_RANGE', `${path} is above the maximum amount ${MAX_AMOUNT}`, { field: path, max: MAX_AMOUNT.toString() });
  return parsed;
};

/** An amount that must be above zero. */
export const positiveAmount: Decoder<bigint> = (value, path) => {
  const parsed = amount(value, path);
  if (parsed === 0n) refuse('ZERO_AMOUNT', `${path} must be above zero`, { field: path });
  return parsed;
};

/** A small integer (a count, a rate in basis points, seconds) from `min` to `max`. */
export function integer(min: number, max: number): Decoder<number> {
  return (value, path) => {
    const parsed = Number(decimalString(value, path, 16));
    if (parsed < min || parsed > max) refuse('BAD_FIELD', `${path} must be from ${min} to ${max}`, { field: path, min, max });
    return parsed;
  };
}

export const boolean: Decoder<boolean> = (value, path) => {
  if (typeof value !== 'boolean') refuse('BAD_FIELD', `${path} must be true or false`, { field: path });
  return value;
};

export function oneOf<const T extends readonly string[]>(...options: T): Decoder<T[number]> {
  return (value, path) => {
    if (typeof value !== 'string' || !options.includes(value)) refuse('BAD_FIELD', `${path} must be one of ${options.join(', ')}`, { field: path });
    return value as T[number];
  };
}

export function matching(pattern: RegExp, description: string): Decoder<string> {
  return (value, path) => {
    if (typeof value !== 'string' || !pattern.test(value)) refuse('BAD_FIELD', `${path} must be ${description}`, { field: path });
    return value;
  };
}

/** An account: an ed25519 public key as 64 lowercase hex characters. */
export const accountId = matching(/^[0-9a-f]{64}$/, 'an ed25519 public key in 64 lowercase hex characters');
/** An asset symbol declared in genesis. */
export const assetId = matching(/^[A-Z][A-Z0-9]{1,11}$/, 'an asset symbol (2 to 12 capital letters and digits)');
/** An order or loan number. */
export const sequenceId = integer(1, Number.MAX_SAFE_INTEGER);
/** A chain id: lowercase letters, digits and dashes. */
export const chainId = matching(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a chain id (lowercase letters, digits and dashes, at most 64)');

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}
