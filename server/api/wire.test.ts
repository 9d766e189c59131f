import fc from 'fast-check';
import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { realisedYieldBps } from './queries/accounts.js';
import { isAdmin } from './trpc.js';
import { amountInput, decodeCursor, encodeCursor, pageOf, toWire } from './wire.js';

describe('the wire vocabulary', () => {
  it('round-trips every cursor key and refuses cursors of another scope or shape', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), fc.maxSafeNat(), (text, n) => {
        const cursor = encodeCursor('book:lend:rate:asc', [text, n]);
        expect(decodeCursor(cursor, 'book:lend:rate:asc', ['s', 'n'])).toEqual([text, n]);
        expect(() => decodeCursor(cursor, 'book:lend:rate:desc', ['s', 'n'])).toThrow(TRPCError);
        expect(() => decodeCursor(cursor, 'book:lend:rate:asc', ['n', 'n'])).toThrow(TRPCError);
      }),
    );
    for (const garbage of ['', '!!!', 'e30', encodeCursor('blocks', [1.5])]) expect(() => decodeCursor(garbage, 'blocks', ['n'])).toThrow(TRPCError);
  });

  it('reads amounts as bigint from decimal strings only, up to 78 digits', () => {
    expect(amountInput.parse('123456789012345678901234567890')).toBe(123456789012345678901234567890n);
    expect(amountInput.parse('9'.repeat(78))).toBe(10n ** 78n - 1n);
    for (const bad of ['', '-1', '1.5', '1e6', ' 1', '9'.repeat(79), '0x10']) expect(amountInput.safeParse(bad).success).toBe(false);
    expect(amountInput.safeParse(12).success).toBe(false);
  });

  it('writes bigints as decimal strings at every depth, and bytes as hex', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n }), (value) => {
        const wire = toWire({ a: value, b: [value, { c: value }], d: 'text', e: 7, f: null, g: Uint8Array.of(1, 255) });
        expect(JSON.parse(JSON.stringify(wire))).toEqual({ a: value.toString(), b: [value.toString(), { c: value.toString() }], d: 'text', e: 7, f: null, g: '01ff' });
      }),
    );
  });

  it('pages rows fetched with one extra', () => {
    expect(pageOf([1, 2, 3], 2, (n) => `after ${n}`)).toEqual({ items: [1, 2], nextCursor: 'after 2' });
    expect(pageOf([1, 2], 2, (n) => `after ${n}`)).toEqual({ items: [1, 2], nextCursor: null });
  });

  it('computes realised yield in basis points with integer math', () => {
    expect(realisedYieldBps(50n, 0n, 1_000n)).toBe(500n);
    expect(realisedYieldBps(1n, 0n, 3n)).toBe(3_333n);
    expect(realisedYieldBps(10n, 110n, 1_000n)).toBe(-1_000n);
    expect(realisedYieldBps(5n, 0n, 0n)).toBe(0n);
    expect(realisedYieldBps(10n ** 40n, 0n, 10n ** 40n)).toBe(10_000n);
  });

  it('admits the admin token only as a bearer token, exactly', () => {
    expect(isAdmin('Bearer s3cret', 's3cret')).toBe(true);
    expect(isAdmin('bearer s3cret', 's3cret')).toBe(true);
    for (const header of [undefined, '', 'Bearer', 'Bearer s3cre', 'Bearer s3cret2', 'Basic s3cret', 's3cret', 'Bearer s3cret extra']) expect(isAdmin(header, 's3cret')).toBe(false);
    expect(isAdmin('Bearer ', '')).toBe(false);
  });
});
