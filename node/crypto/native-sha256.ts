import { hash } from 'node:crypto';
import { type Sha256Implementation, useSha256 } from '../../contracts/crypto/sha256.js';

/**
 * SHA-256 from node:crypto (OpenSSL): the same digests as the portable implementation, several
 * times faster for the short inputs the node hashes most (tx ids, Merkle leaves and nodes).
 */
export const nativeSha256Implementation: Sha256Implementation = {
  digest(parts) {
    if (parts.length === 1) return hash('sha256', parts[0]!, 'buffer');
    let length = 0;
    for (const part of parts) length += part.length;
    const joined = new Uint8Array(length);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    return hash('sha256', joined, 'buffer');
  },
  hexOfText(text) {
    return hash('sha256', text, 'hex');
  },
};

/** Makes the rules of contracts/ hash with node:crypto in this process. */
export function useNativeSha256(): void {
  useSha256(nativeSha256Implementation);
}
