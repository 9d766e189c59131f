import { describe, expect, it } from 'vitest';
import { keyPairFromSecret } from '../../contracts/tx/keys';
import { BadSecretKeyError, accountOf, newSecretKey, parseSecretKeyHex, secretKeyHex } from './keys';

// protocol.md §12.1: Alice's secret key is SHA-256("alice"), her account is known.
const ALICE_SECRET = '2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90';
const ALICE_ACCOUNT = 'd5bf4a3fcce717b0388bcc2749ebc148ad9969b23f45ee1b605fd58778576ac4';

describe('wallet keys', () => {
  it("derives the account of protocol.md's worked example, as contracts/ does", () => {
    const secret = parseSecretKeyHex(ALICE_SECRET);
    expect(accountOf(secret)).toBe(ALICE_ACCOUNT);
    expect(accountOf(secret)).toBe(keyPairFromSecret(secret).account);
  });

  it('imports and exports a secret key as the same 64 lowercase hex characters', () => {
    const secret = newSecretKey();
    expect(secret).toHaveLength(32);
    const hex = secretKeyHex(secret);
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
    expect(parseSecretKeyHex(hex)).toEqual(secret);
  });

  it('forgives spaces, an 0x prefix and capitals when importing', () => {
    expect(secretKeyHex(parseSecretKeyHex(`  0x${ALICE_SECRET.toUpperCase()}\n`))).toBe(ALICE_SECRET);
  });

  it('makes a different key each time', () => {
    expect(secretKeyHex(newSecretKey())).not.toBe(secretKeyHex(newSecretKey()));
  });

  it.each([
    ['', /Enter the secret key/],
    ['xyz', /only the characters/],
    [ALICE_SECRET.slice(2), /this one has 62/],
    [`${ALICE_SECRET}00`, /this one has 66/],
  ])('refuses bad hex %j in plain words', (input, message) => {
    expect(() => parseSecretKeyHex(input)).toThrow(BadSecretKeyError);
    expect(() => parseSecretKeyHex(input)).toThrow(message);
  });
});
