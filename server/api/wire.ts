import { z } from 'zod';
import { badInput } from './errors.js';

/**
 * The API's wire vocabulary: zod schemas for inputs, and the one conversion of outputs to
 * JSON-safe values (every bigint as its decimal string, so money never passes through a JS
 * number on either side).
 */

/** An account: its ed25519 public key in lowercase hex. */
export const accountInput = z.string().regex(/^[0-9a-f]{64}$/, 'must be an account: 64 lowercase hex characters');
/** A transaction id or a block hash: SHA-256 in lowercase hex. */
export const hashInput = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');
export const assetInput = z.string().regex(/^[A-Z][A-Z0-9]{1,11}$/, 'must be an asset symbol (2 to 12 capital letters and digits)');
/** An amount in an asset's smallest unit, written in decimal digits. */
export const amountInput = z
  .string()
  .regex(/^\d{1,78}$/, 'must be a whole number of minor units written in decimal digits')
  .transform((digits) => BigInt(digits));
/** An order or loan number. */
export const sequenceInput = z.number().int('must be a whole number').min(1).max(Number.MAX_SAFE_INTEGER);
export const heightInput = z.number().int('must be a whole number').min(0).max(Number.MAX_SAFE_INTEGER);
/** APR in basis points. */
export const bpsInput = z.number().int('must be a whole number of basis points').min(0).max(10_000_000);
/** Seconds (terms, times). */
export const secondsInput = z.number().int('must be a whole number of seconds').min(0).max(2 ** 40);

export const MAX_PAGE = 100;

/** Cursor pagination: at most 100 rows a page, an opaque cursor from the previous page. */
export const pageInput = {
  limit: z.number().int().min(1).max(MAX_PAGE).default(20),
  cursor: z.string().max(512).nullish(),
};

export interface Page<Row> {
  readonly items: readonly Row[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/**
 * A keyset cursor: the sort key of the last row served, tagged with what it was made for, so
 * a cursor of one listing is refused by another. Opaque to clients (base64url JSON).
 */
export function encodeCursor(scope: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([scope, ...key]), 'utf8').toString('base64url');
}

// An `integer` column's range: a key past it would reach Postgres as an out-of-range parameter.
const INT_COLUMN = 2 ** 31;

/**
 * The key of a cursor made for `scope` with `shape` (s: string, n: safe integer, i: an integer
 * column's value, from -2^31 to 2^31 - 1); BAD_INPUT otherwise.
 */
export function decodeCursor<const Shape extends readonly ('s' | 'n' | 'i')[]>(
  cursor: string,
  scope: string,
  shape: Shape,
): { [I in keyof Shape]: Shape[I] extends 's' ? string : number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badInput('the cursor is not one this API made');
  }
  if (!Array.isArray(parsed) || parsed[0] !== scope || parsed.length !== shape.length + 1) throw badInput('the cursor belongs to another listing or sort');
  const key = parsed.slice(1) as unknown[];
  shape.forEach((kind, i) => {
    const value = key[i];
    const ok =
      kind === 's'
        ? typeof value === 'string' && value.length <= 100
        : Number.isSafeInteger(value) && (kind === 'n' || ((value as number) >= -INT_COLUMN && (value as number) < INT_COLUMN));
    if (!ok) throw badInput('the cursor is not one this API made');
  });
  return key as { [I in keyof Shape]: Shape[I] extends 's' ? string : number };
}

/** Rows fetched with one extra: the page, and the cursor after its last row if more follow. */
export function pageOf<Row>(rows: readonly Row[], limit: number, cursorOf: (row: Row) => string): Page<Row> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

/** The JSON-safe form of a value: bigints as decimal strings, bytes as hex. */
export type Wire<T> = T extends bigint
  ? string
  : T extends string | number | boolean | null | undefined
    ? T
    : T extends Uint8Array
      ? string
      : T extends readonly (infer Item)[]
        ? Wire<Item>[]
        : T extends object
          ? { [K in keyof T]: Wire<T[K]> }
          : T;

/** Converts a value for the wire; see Wire. */
export function toWire<T>(value: T): Wire<T> {
  return convert(value) as Wire<T>;
}

function convert(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString(10);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(convert);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = convert(item);
  return out;
}

/** An integer column (bigint from the driver) as a JS number: heights, ids, times and counts only, never money. */
export function int(value: bigint | number | null): number {
  if (value === null) throw new Error('an integer column was null');
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`integer out of the safe range: ${value}`);
  return n;
}

export function intOrNull(value: bigint | number | null): number | null {
  return value === null ? null : int(value);
}
