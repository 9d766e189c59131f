import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { portableSha256Implementation } from '../../contracts/crypto/sha256.js';
import { nativeSha256Implementation } from './native-sha256.js';

describe('native SHA-256', () => {
  it('gives the portable digest for all parts', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 4 }), (parts) => {
        expect(new Uint8Array(nativeSha256Implementation.digest(parts))).toEqual(new Uint8Array(portableSha256Implementation.digest(parts)));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the portable hex digest of every text, non-ASCII included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(nativeSha256Implementation.hexOfText(text)).toBe(portableSha256Implementation.hexOfText(text));
      }),
      { numRuns: 300 },
    );
  });

  it('matches the FIPS 180-2 example', () => {
    const abc = new TextEncoder().encode('abc');
    const expected = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(Buffer.from(nativeSha256Implementation.digest([abc])).toString('hex')).toBe(expected);
    expect(Buffer.from(portableSha256Implementation.digest([abc.subarray(0, 1), abc.subarray(1)])).toString('hex')).toBe(expected);
    expect(nativeSha256Implementation.hexOfText('abc')).toBe(expected);
  });
});
