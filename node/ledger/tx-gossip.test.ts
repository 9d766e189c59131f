import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTxBatch, encodeTxBatch, MAX_TX_GOSSIP_BYTES, MAX_TXS_PER_GOSSIP } from './tx-gossip.js';

/**
 * The gossip message of transactions: a u32 count, then per transaction a u32 length and its
 * UTF-8 bytes, little-endian. Strict both ways.
 */

/** Raw batch bytes from a count and (length, bytes) pairs, lengths as written, not as true. */
function rawBatch(count: number, items: readonly (readonly [length: number, bytes: readonly number[]])[], trailing: readonly number[] = []): Uint8Array {
  const size = 4 + items.reduce((sum, [, bytes]) => sum + 4 + bytes.length, 0) + trailing.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, count, true);
  let at = 4;
  for (const [length, bytes] of items) {
    view.setUint32(at, length, true);
    out.set(bytes, at + 4);
    at += 4 + bytes.length;
  }
  out.set(trailing, at);
  return out;
}

function ascii(text: string): number[] {
  return Array.from(new TextEncoder().encode(text));
}

/** The error `run` throws, or undefined if it returns. */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

// Transactions are canonical JSON: printable ASCII. The codec itself takes every well-formed text.
const asciiWire = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), minLength: 1, maxLength: 300 });
const unicodeWire = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 });

describe('tx gossip round trip', () => {
  it('the layout is a little-endian count, then a length and the UTF-8 bytes of each', () => {
    expect(Array.from(encodeTxBatch(['ab', 'é']))).toEqual([2, 0, 0, 0, 2, 0, 0, 0, 0x61, 0x62, 2, 0, 0, 0, 0xc3, 0xa9]);
  });

  it('ASCII wires come back as they went (property)', () => {
    fc.assert(
      fc.property(fc.array(asciiWire, { minLength: 1, maxLength: 40 }), (wires) => {
        expect(decodeTxBatch(encodeTxBatch(wires))).toEqual(wires);
      }),
      { numRuns: 200 },
    );
  });

  it('wires of well-formed Unicode come back as they went (property)', () => {
    fc.assert(
      fc.property(fc.array(unicodeWire, { minLength: 1, maxLength: 20 }), (wires) => {
        expect(decodeTxBatch(encodeTxBatch(wires))).toEqual(wires);
      }),
      { numRuns: 200 },
    );
  });

  it('exactly MAX_TXS_PER_GOSSIP transactions round trip', () => {
    const wires = Array.from({ length: MAX_TXS_PER_GOSSIP }, (_, i) => `tx ${i}`);
    expect(decodeTxBatch(encodeTxBatch(wires))).toEqual(wires);
  });

  it('a message of exactly MAX_TX_GOSSIP_BYTES bytes decodes', () => {
    const wire = 'x'.repeat(MAX_TX_GOSSIP_BYTES - 8);
    const bytes = encodeTxBatch([wire]);
    expect(bytes.length).toBe(MAX_TX_GOSSIP_BYTES);
    expect(decodeTxBatch(bytes)).toEqual([wire]);
  });

  it('a batch inside a larger buffer decodes from its own offset', () => {
    const batch = encodeTxBatch(['first', 'second']);
    const buffer = new Uint8Array(batch.length + 10).fill(0xff);
    buffer.set(batch, 7);
    expect(decodeTxBatch(buffer.subarray(7, 7 + batch.length))).toEqual(['first', 'second']);
  });

  // TextDecoder drops a leading byte-order mark unless told `ignoreBOM: true`: the codec keeps
  // it, so bytes with and without the mark never decode to the same transactions.
  it('a wire that starts with a byte-order mark comes back as it went', () => {
    expect(decodeTxBatch(encodeTxBatch(['\uFEFF{"a":"1"}']))).toEqual(['\uFEFF{"a":"1"}']);
  });

  it('keeps a byte-order mark at the start of a wire', () => {
    expect(decodeTxBatch(rawBatch(1, [[4, [0xef, 0xbb, 0xbf, 0x61]]]))).toEqual(['\uFEFFa']);
  });
});

describe('tx gossip encoding', () => {
  it('refuses more than MAX_TXS_PER_GOSSIP transactions', () => {
    expect(() => encodeTxBatch(Array.from({ length: MAX_TXS_PER_GOSSIP + 1 }, () => 'tx'))).toThrow(RangeError);
  });
});

describe('tx gossip refused', () => {
  const refusedWithRangeError: readonly [string, Uint8Array][] = [
    ['no bytes at all', new Uint8Array(0)],
    ['a count cut short', new Uint8Array([1, 0, 0])],
    ['a count of 0', rawBatch(0, [])],
    ['a count of 0 followed by a transaction', rawBatch(0, [[2, ascii('tx')]])],
    ['a count over the maximum', rawBatch(MAX_TXS_PER_GOSSIP + 1, [[2, ascii('tx')]])],
    ['a count of 2^32 - 1', rawBatch(0xffff_ffff, [[2, ascii('tx')]])],
    ['a count larger than the transactions present', rawBatch(2, [[2, ascii('tx')]])],
    ['a length cut short', new Uint8Array([1, 0, 0, 0, 2, 0])],
    ['a length past the end', rawBatch(1, [[3, ascii('tx')]])],
    ['a length of 2^32 - 1', rawBatch(1, [[0xffff_ffff, ascii('tx')]])],
    ['a zero-length transaction', rawBatch(1, [[0, []]])],
    ['a zero-length transaction among others', rawBatch(3, [[2, ascii('tx')], [0, []], [2, ascii('tx')]])],
    ['trailing bytes', rawBatch(1, [[2, ascii('tx')]], [0])],
    ['a whole extra transaction past the count', rawBatch(1, [[2, ascii('tx')], [2, ascii('tx')]])],
    ['one byte over MAX_TX_GOSSIP_BYTES, though otherwise valid', rawBatch(1, [[MAX_TX_GOSSIP_BYTES - 7, ascii('x'.repeat(MAX_TX_GOSSIP_BYTES - 7))]])],
  ];
  for (const [what, bytes] of refusedWithRangeError) {
    it(`${what}: RangeError`, () => {
      expect(thrownBy(() => decodeTxBatch(bytes))).toBeInstanceOf(RangeError);
    });
  }

  const invalidUtf8: readonly [string, readonly number[]][] = [
    ['a lone continuation byte', [0x80]],
    ['0xff', [0x61, 0xff]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a sequence cut short by the length', [0xe2, 0x82]],
  ];
  for (const [what, bytes] of invalidUtf8) {
    it(`invalid UTF-8, ${what}: refused with an Error`, () => {
      expect(thrownBy(() => decodeTxBatch(rawBatch(1, [[bytes.length, bytes]])))).toBeInstanceOf(Error);
    });
  }

  it('a multi-byte character split between two transactions is refused', () => {
    expect(thrownBy(() => decodeTxBatch(rawBatch(2, [[1, [0xc3]], [1, [0xa9]]])))).toBeInstanceOf(Error);
  });

  // The doc comment of decodeTxBatch promises a RangeError on every malformation; the strict
  // TextDecoder throws a TypeError (ERR_ENCODING_INVALID_ENCODED_DATA) for invalid UTF-8.
  it('invalid UTF-8 is refused with a RangeError, as decodeTxBatch documents', () => {
    expect(thrownBy(() => decodeTxBatch(rawBatch(1, [[1, [0xff]]])))).toBeInstanceOf(RangeError);
  });

  it('random bytes never throw but an Error, and what decodes encodes back to the same bytes (property)', () => {
    // Pure noise; noise behind a plausible count and first length, to get past the header
    // checks; and a valid batch with one byte changed.
    const noise = fc.uint8Array({ maxLength: 64 });
    const framed = fc
      .tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 40 }), fc.uint8Array({ maxLength: 64 }))
      .map(([count, length, rest]) => new Uint8Array([count, 0, 0, 0, length, 0, 0, 0, ...rest]));
    const mutated = fc
      .tuple(fc.array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.integer({ min: 0, max: 255 }))
      .map(([wires, at, value]) => {
        const bytes = encodeTxBatch(wires);
        bytes[at % bytes.length] = value;
        return bytes;
      });
    fc.assert(
      fc.property(fc.oneof(noise, framed, mutated), (bytes) => {
        let wires: string[];
        try {
          wires = decodeTxBatch(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect(error).toBeInstanceOf(RangeError);
          return;
        }
        expect(wires.length).toBeGreaterThan(0);
        expect(wires.length).toBeLessThanOrEqual(MAX_TXS_PER_GOSSIP);
        // Decoding is the inverse of encoding.
        expect(encodeTxBatch(wires)).toEqual(bytes);
      }),
      { numRuns: 1_000 },
    );
  });
});
