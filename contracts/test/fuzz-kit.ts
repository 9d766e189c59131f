/**
 * Test support for fuzzing decoders: mutations of valid encodings at the byte level (flip,
 * insert, delete, duplicate, truncate) and at the JSON level (a value replaced by a nasty one,
 * a field removed or added, a type swapped, a value wrapped deep), random inputs, and a check
 * that a decoder throws nothing but its documented error.
 */
import fc from 'fast-check';
import { encodeCanonical, type CanonicalValue, utf8 } from '../codec/canonical.js';
import { isRefusal, REFUSAL_CODES } from '../errors.js';
import { MAX_AMOUNT } from '../money.js';

/** Parsed JSON: what a decoder of untrusted input is handed. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

// ---- bytes ----------------------------------------------------------------------------

export type ByteMutation =
  | { readonly kind: 'flip'; readonly at: number; readonly mask: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly count: number };

const jsonish = fc.constantFrom(' ', ',', '"', '0', '-', ':', '{', '}', '[', ']', '\\', '\\u0000', 'null', '1e9', '"x":"1",', '\n', '\ufeff', 'é', '\ud800').map(utf8);

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), jsonish) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 64 }) }),
);

export function mutateBytes(input: Uint8Array, change: ByteMutation): Uint8Array {
  const at = change.at % (input.length + 1);
  switch (change.kind) {
    case 'flip': {
      if (input.length === 0) return input;
      const out = input.slice();
      const index = change.at % input.length;
      out[index] = out[index]! ^ change.mask;
      return out;
    }
    case 'truncate':
      return input.slice(0, at);
    case 'insert':
      return concat(input.subarray(0, at), change.bytes, input.subarray(at));
    case 'delete':
      return concat(input.subarray(0, at), input.subarray(at + change.count));
    case 'duplicate':
      return concat(input.subarray(0, at + change.count), input.subarray(at));
  }
}

/** One to four byte mutations, applied in turn. */
export const byteMutations = fc.array(byteMutation, { minLength: 1, maxLength: 4 });

export function mutateBytesAll(input: Uint8Array, changes: readonly ByteMutation[]): Uint8Array {
  return changes.reduce(mutateBytes, input);
}

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

// ---- JSON values ----------------------------------------------------------------------

/** Nested arrays `depth` deep around a string: what a recursive decoder might choke on. */
export function deepNesting(depth: number): Json {
  let value: Json = '1';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

/** Values that are wrong in interesting ways: huge or signed numbers, floats, odd strings, deep nesting. */
export const nastyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null, true, false, 0, -0, 1, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 2 ** 64,
    '', ' ', '0', '1', '-1', '01', '+1', '1.0', '1e3', '0x10', ' 1', '1 ', 'NaN', 'Infinity', 'null', 'true',
    (MAX_AMOUNT + 1n).toString(), MAX_AMOUNT.toString(), '9'.repeat(400), '9007199254740993', '18446744073709551616',
    '\u0000', '\ud800', 'é', '\u202e', '__proto__', 'constructor', 'a'.repeat(70_000), '0'.repeat(64), 'f'.repeat(128),
    [], {}, [[]], JSON.parse('{"__proto__":"1"}') as Json, ['1', '2'],
  ),
  // Deeper values are fed as text (randomInput): a test's own recursion (and fast-check's report) must not overflow.
  fc.integer({ min: 2, max: 400 }).map(deepNesting),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((n) => n.toString()),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

export type JsonMutation =
  | { readonly kind: 'replace'; readonly at: number; readonly value: Json }
  | { readonly kind: 'remove'; readonly at: number }
  | { readonly kind: 'add'; readonly at: number; readonly key: string; readonly value: Json }
  | { readonly kind: 'swap-type'; readonly at: number }
  | { readonly kind: 'wrap'; readonly at: number; readonly inArray: boolean }
  | { readonly kind: 'number'; readonly at: number };

const extraKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'x', '', 'é', 'id', 'amount', 'body', 'height'), fc.string({ maxLength: 12 }));

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: nastyValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: extraKey, value: nastyValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('swap-type' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wrap' as const), at: fc.nat(), inArray: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('number' as const), at: fc.nat() }) },
);

/** One to three JSON mutations, applied in turn. */
export const jsonMutations = fc.array(jsonMutation, { minLength: 1, maxLength: 3 });

/** A deep copy that keeps a "__proto__" key as an own field, as JSON.parse makes it. */
export function copyJson(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** Every node of a value with its parent and the key it sits under, depth first (the root has none). */
function nodesOf(root: Json): { readonly value: Json; readonly parent?: Json[] | { [key: string]: Json }; readonly key?: string | number }[] {
  const out: { value: Json; parent?: Json[] | { [key: string]: Json }; key?: string | number }[] = [{ value: root }];
  for (let i = 0; i < out.length; i++) {
    const { value } = out[i]!;
    if (Array.isArray(value)) value.forEach((item, index) => out.push({ value: item, parent: value, key: index }));
    else if (typeof value === 'object' && value !== null) for (const key of Object.keys(value)) out.push({ value: value[key]!, parent: value, key });
  }
  return out;
}

function setOwn(target: Json[] | { [key: string]: Json }, key: string | number, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function swapType(value: Json): Json {
  if (typeof value === 'string') return /^-?[0-9]{1,300}$/.test(value) ? Number(value) : value.length > 0 ? [value] : false;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 0;
  if (value === null) return {};
  if (Array.isArray(value)) return Object.fromEntries(value.map((item, i) => [String(i), item]));
  const values = Object.values(value);
  return values.length > 0 ? values : null;
}

/** The value with one change; the input is left as it was. */
export function mutateJson(input: Json, change: JsonMutation): Json {
  const root = copyJson(input);
  const nodes = nodesOf(root);
  const node = nodes[change.at % nodes.length]!;
  const replace = (value: Json): Json => {
    if (node.parent === undefined || node.key === undefined) return value;
    setOwn(node.parent, node.key, value);
    return root;
  };
  switch (change.kind) {
    case 'replace':
      return replace(copyJson(change.value));
    case 'swap-type':
      return replace(swapType(node.value));
    case 'wrap':
      return replace(change.inArray ? [node.value] : { value: node.value });
    case 'number':
      return replace(typeof node.value === 'string' && /^[0-9]+$/.test(node.value) ? (BigInt(node.value) + 1n).toString() : node.value === '' ? '0' : node.value);
    case 'remove': {
      const { parent, key } = node;
      if (parent === undefined || key === undefined) return null;
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      return root;
    }
    case 'add': {
      const containers = nodes.filter((n) => typeof n.value === 'object' && n.value !== null);
      if (containers.length === 0) return root;
      const container = containers[change.at % containers.length]!.value as Json[] | { [key: string]: Json };
      if (Array.isArray(container)) container.push(copyJson(change.value));
      else setOwn(container, change.key, copyJson(change.value));
      return root;
    }
  }
}

export function mutateJsonAll(input: Json, changes: readonly JsonMutation[]): Json {
  return changes.reduce(mutateJson, input);
}

/**
 * The text of a (mutated) value: its canonical encoding when it has one, so that decoding gets
 * past the canonical check to the fields, or plain JSON (`JSON.stringify`) when asked or when it
 * has none.
 */
export function textOf(value: Json, canonical: boolean): string {
  if (canonical) {
    try {
      return encodeCanonical(value as CanonicalValue);
    } catch {
      // no canonical form (null, a float, non-ASCII): the plain text is the input then
    }
  }
  return JSON.stringify(value);
}

// ---- random inputs --------------------------------------------------------------------

/** Random bytes, random text, random JSON text and random JSON-shaped ASCII. */
export const randomInput: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc.string({ unit: 'binary', maxLength: 256 }).map(utf8),
  fc.jsonValue({ maxDepth: 6 }).map((value) => utf8(JSON.stringify(value))),
  fc.array(fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '"a"', '"1"', 'true', '0', ' '), { maxLength: 64 }).map((parts) => utf8(parts.join(''))),
  fc.integer({ min: 1, max: 100_000 }).map((depth) => utf8(`${'['.repeat(depth)}"1"${']'.repeat(depth)}`)),
  fc.integer({ min: 1, max: 50_000 }).map((depth) => utf8(`${'{"a":'.repeat(depth)}"1"${'}'.repeat(depth)}`)),
);

// ---- verdicts -------------------------------------------------------------------------

const CODES: ReadonlySet<string> = new Set(REFUSAL_CODES);

/** Whether `error` is a coded Refusal with a code of REFUSAL_CODES. */
export function isCodedRefusal(error: unknown): boolean {
  return isRefusal(error) && CODES.has(error.code);
}

/**
 * Runs `decode`; returns its result, or undefined when it threw an error `documented` accepts.
 * Anything else it throws is thrown again, failing the property with fast-check's seed.
 */
export function decodeOrRefuse<T>(decode: () => T, documented: (error: unknown) => boolean = isCodedRefusal): T | undefined {
  try {
    return decode();
  } catch (error) {
    if (documented(error)) return undefined;
    throw error;
  }
}
