import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRefusal, type RefusalCode } from '../errors.js';
import { assertCanonical, canonicalBytes, encodeCanonical, fromHex, parseJson, toHex, utf8, type CanonicalValue } from './canonical.js';

/** The refusal code `run` throws, or a failure if it throws something else or nothing. */
function refusalCode(run: () => unknown): RefusalCode {
  try {
    run();
  } catch (error) {
    if (isRefusal(error)) return error.code;
    throw error;
  }
  throw new Error('expected a refusal, but nothing was thrown');
}

/** Parses and checks canonical form the way the transaction decoder does. */
function decodeCanonical(input: Uint8Array | string, maxBytes = 4096): string {
  return assertCanonical(input, parseJson(input, maxBytes));
}

const printableChar = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));
const printableString = fc.string({ unit: printableChar, maxLength: 24 });
// Keys lean towards characters that sort in surprising ways: digits (integer-like keys that
// JavaScript objects reorder), capitals before lowercase, and the quote and backslash escapes.
const objectKey = fc.oneof(printableString, fc.constantFrom('10', '9', '0', 'B', 'a', '_', '"', '\\', '__proto__', 'body', 'amount', 'aprBps'));

const canonicalValue: fc.Arbitrary<CanonicalValue> = fc.letrec<{ value: CanonicalValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    printableString,
    fc.boolean(),
    fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }),
    fc.maxSafeInteger(),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(objectKey, tie('value'), { maxKeys: 6 }),
  ),
})).value;

describe('encodeCanonical', () => {
  it('writes strings as JSON does, escaping only the quote and the backslash', () => {
    expect(encodeCanonical('USD')).toBe('"USD"');
    expect(encodeCanonical('a"b\\c/d')).toBe('"a\\"b\\\\c/d"');
    expect(encodeCanonical(' ~')).toBe('" ~"');
    expect(encodeCanonical('')).toBe('""');
  });

  it('refuses strings outside printable ASCII', () => {
    for (const text of ['line\nbreak', 'tab\t', '\x7f', '\x1f', 'café', '\u{1f4b5}', '\ufeff']) {
      expect(() => encodeCanonical(text)).toThrow(TypeError);
    }
  });

  it('writes booleans as JSON literals', () => {
    expect(encodeCanonical(true)).toBe('true');
    expect(encodeCanonical(false)).toBe('false');
  });

  it('writes every integer as a decimal string without leading zeros', () => {
    expect(encodeCanonical(0n)).toBe('"0"');
    expect(encodeCanonical(0)).toBe('"0"');
    expect(encodeCanonical(-0)).toBe('"0"');
    expect(encodeCanonical(42)).toBe('"42"');
    expect(encodeCanonical((1n << 64n) - 1n)).toBe('"18446744073709551615"');
    expect(encodeCanonical(Number.MAX_SAFE_INTEGER)).toBe('"9007199254740991"');
    // An integer and a string of its digits encode alike: the schema says which a field is.
    expect(encodeCanonical(7n)).toBe(encodeCanonical('7'));
  });

  it('has no encoding for floats, unsafe integers, null or undefined', () => {
    for (const value of [1.5, 0.1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -(2 ** 53)]) {
      expect(() => encodeCanonical(value)).toThrow(TypeError);
    }
    expect(() => encodeCanonical(null as unknown as CanonicalValue)).toThrow();
    expect(() => encodeCanonical(undefined as unknown as CanonicalValue)).toThrow();
  });

  it('sorts object keys by their bytes and omits absent members', () => {
    expect(encodeCanonical({ b: 1, a: 2, B: 3, _: 4 })).toBe('{"B":"3","_":"4","a":"2","b":"1"}');
    // JavaScript puts integer-like keys first in numeric order; byte order puts "10" before "9".
    expect(encodeCanonical({ 9: 'nine', 10: 'ten', x: 'x' })).toBe('{"10":"ten","9":"nine","x":"x"}');
    expect(encodeCanonical({ to: 'bob', asset: 'USD', amount: 250n, memo: undefined })).toBe('{"amount":"250","asset":"USD","to":"bob"}');
    expect(encodeCanonical({})).toBe('{}');
  });

  it('writes arrays in order, with no whitespace anywhere', () => {
    expect(encodeCanonical([1, 'a', [true, {}], { k: [] }])).toBe('["1","a",[true,{}],{"k":[]}]');
  });

  it('round-trips arbitrary values through JSON.parse', () => {
    fc.assert(
      fc.property(canonicalValue, (value) => {
        const encoded = encodeCanonical(value);
        expect(encoded).toMatch(/^[\x20-\x7e]*$/);
        const parsed = JSON.parse(encoded) as CanonicalValue;
        expect(encodeCanonical(parsed)).toBe(encoded);
        expect(decodeCanonical(encoded, 1 << 20)).toBe(encoded);
        expect(decodeCanonical(canonicalBytes(value), 1 << 20)).toBe(encoded);
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on the order members were added in', () => {
    fc.assert(
      fc.property(fc.dictionary(objectKey, canonicalValue, { maxKeys: 8 }), fc.nat(), (record, seed) => {
        const entries = Object.entries(record);
        const rotated = [...entries.slice(seed % (entries.length || 1)), ...entries.slice(0, seed % (entries.length || 1))].reverse();
        const rebuilt: Record<string, CanonicalValue> = {};
        for (const [key, value] of rotated) Object.defineProperty(rebuilt, key, { value, enumerable: true, configurable: true, writable: true });
        expect(encodeCanonical(rebuilt)).toBe(encodeCanonical(record));
      }),
    );
  });
});

describe('parseJson and assertCanonical refuse with a code', () => {
  it('refuses input above the size limit as TX_TOO_LARGE, counting bytes', () => {
    expect(refusalCode(() => parseJson(new Uint8Array(4097).fill(0x20), 4096))).toBe('TX_TOO_LARGE');
    expect(refusalCode(() => parseJson(' '.repeat(4097), 4096))).toBe('TX_TOO_LARGE');
    // 2,049 two-byte characters are 4,098 bytes though only 2,049 code units.
    expect(refusalCode(() => parseJson(`"${'é'.repeat(2049)}"`, 4096))).toBe('TX_TOO_LARGE');
    expect(parseJson(`"${'a'.repeat(4094)}"`, 4096)).toBe('a'.repeat(4094));
  });

  it('refuses invalid UTF-8 as MALFORMED', () => {
    const cases = [
      [0x22, 0xff, 0x22], // a byte that never appears in UTF-8
      [0x22, 0xc0, 0xaf, 0x22], // an overlong encoding of "/"
      [0x22, 0xed, 0xa0, 0x80, 0x22], // a UTF-16 surrogate
      [0x22, 0xe2, 0x82, 0x22], // a truncated sequence
    ];
    for (const bytes of cases) expect(refusalCode(() => parseJson(Uint8Array.from(bytes), 4096))).toBe('MALFORMED');
  });

  it('refuses a leading byte-order mark as MALFORMED rather than dropping it', () => {
    expect(refusalCode(() => decodeCanonical(Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('{"a":"1"}')])))).toBe('MALFORMED');
    expect(refusalCode(() => decodeCanonical('\ufeff{"a":"1"}'))).toBe('MALFORMED');
  });

  it('refuses text that is not JSON as MALFORMED', () => {
    for (const text of ['', '{', '{"a":"1"', "{'a':'1'}", '{"a":"1",}', 'undefined', '{"a":01}', '"\\x41"']) {
      expect(refusalCode(() => parseJson(text, 4096))).toBe('MALFORMED');
    }
  });

  it('refuses JSON that is not in canonical form as NON_CANONICAL', () => {
    const cases = [
      '{"a":"1", "b":"2"}', // whitespace between members
      ' {"a":"1"}', // leading whitespace
      '{"a":"1"}\n', // trailing newline
      '{"b":"1","a":"2"}', // unsorted keys
      '{"a":"1","a":"2"}', // a duplicate key
      '{"a":1}', // a JSON number
      '{"a":null}', // null
      '{"a":"\\u0041"}', // an escape where the character itself is canonical
      '{"a":"\\/"}', // an escaped slash
      '{"a":"caf\\u00e9"}', // non-ASCII text
      '["1",["2" ]]',
    ];
    for (const text of cases) expect(refusalCode(() => decodeCanonical(text)), text).toBe('NON_CANONICAL');
  });

  it('accepts exactly the canonical bytes', () => {
    const text = '{"a":["1",true,{"B":"x\\"y"}],"b":false}';
    expect(decodeCanonical(text)).toBe(text);
    expect(decodeCanonical(utf8(text))).toBe(text);
  });

  it('accepts a text exactly when it is the encoding of what it parses to, under small edits', () => {
    // The definition, written plainly: parse, encode, compare.
    const isCanonical = (text: string): boolean => {
      try {
        return encodeCanonical(JSON.parse(text) as CanonicalValue) === text;
      } catch {
        return false;
      }
    };
    const edit = fc.tuple(fc.nat(), fc.constantFrom('', ' ', '"', '\\', ',', ':', '{', '}', '[', ']', '0', '1', 'a', 'true', 'null', '\\u0041'), fc.nat({ max: 2 }));
    fc.assert(
      fc.property(canonicalValue, fc.array(edit, { maxLength: 3 }), (value, edits) => {
        let text = encodeCanonical(value);
        for (const [position, insert, removed] of edits) {
          const at = position % (text.length + 1);
          text = text.slice(0, at) + insert + text.slice(at + removed);
        }
        let accepted: boolean;
        try {
          expect(decodeCanonical(text, 1 << 20)).toBe(text);
          accepted = true;
        } catch (error) {
          if (!isRefusal(error)) throw error;
          accepted = false;
        }
        expect(accepted, text).toBe(isCanonical(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws anything but a refusal on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const text = decodeCanonical(bytes);
          expect(toHex(utf8(text))).toBe(toHex(bytes));
        } catch (error) {
          expect(isRefusal(error)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('hex', () => {
  it('round-trips bytes through lowercase hex and refuses anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(toHex(bytes)).toMatch(/^([0-9a-f]{2})*$/);
        expect(fromHex(toHex(bytes))).toEqual(bytes);
      }),
    );
    for (const bad of ['0', 'AB', '0x00', 'zz', ' 00']) expect(() => fromHex(bad)).toThrow(TypeError);
  });
});
