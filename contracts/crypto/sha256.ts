import { sha256 as portableSha256 } from '@noble/hashes/sha2.js';
import { toHex, utf8 } from '../codec/canonical.js';

/**
 * SHA-256 for every hash Lendnet commits to (tx ids, block hashes, Merkle trees). The rules
 * use the portable implementation from @noble/hashes, which runs in browsers; a node may
 * install a native one with {@link useSha256}. SHA-256 is SHA-256: the choice changes how fast
 * a digest is computed, never its bytes (node/crypto/native-sha256.test.ts checks that).
 */
export interface Sha256Implementation {
  /** The digest of the concatenation of `parts`. */
  digest(parts: readonly Uint8Array[]): Uint8Array;
  /** The digest, in lowercase hex, of a string's UTF-8 bytes. */
  hexOfText(text: string): string;
}

/** The implementation that runs everywhere. */
export const portableSha256Implementation: Sha256Implementation = {
  digest(parts) {
    if (parts.length === 1) return portableSha256(parts[0]!);
    const hasher = portableSha256.create();
    for (const part of parts) hasher.update(part);
    return hasher.digest();
  },
  hexOfText(text) {
    return toHex(portableSha256(utf8(text)));
  },
};

let active: Sha256Implementation = portableSha256Implementation;

/** Makes every digest from here on come from `implementation`. */
export function useSha256(implementation: Sha256Implementation): void {
  active = implementation;
}

/** SHA-256 of the concatenation of `parts`. */
export function sha256Of(...parts: readonly Uint8Array[]): Uint8Array {
  return active.digest(parts);
}

/** SHA-256 of a string's UTF-8 bytes, in lowercase hex. */
export function sha256HexOfText(text: string): string {
  return active.hexOfText(text);
}
