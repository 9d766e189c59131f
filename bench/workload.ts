import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { encodeEnvelope, signBytes, toHex, type CanonicalValue, type Transaction } from '../contracts/index.js';

/** A load generator's account: its id, its public key as SPKI DER (for the raw-limit threads), and its node:crypto private key. */
export interface BenchSigner {
  readonly account: string;
  readonly spki: Uint8Array;
  readonly privateKey: KeyObject;
}

/** A pre-signed transaction: its wire form, the index of its signer, and what was signed. */
export interface BenchTx {
  readonly wire: string;
  readonly signer: number;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

/** `count` new ed25519 accounts, made with node:crypto. */
export function benchSigners(count: number): BenchSigner[] {
  return Array.from({ length: count }, () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    return { account: Buffer.from(spki.subarray(12)).toString('hex'), spki, privateKey };
  });
}

/**
 * `perAccount` transactions from each account, signed beforehand: nonce 0 a faucet payout, then
 * transfers of 1 to another account and payouts alternating. Ordered nonce-major: every
 * account's nonce k before any account's nonce k+1 (account a's nonce k is at k × accounts + a).
 */
export function benchWorkload(chainId: string, keys: readonly BenchSigner[], perAccount: number): BenchTx[] {
  const out: BenchTx[] = [];
  for (let nonce = 0; nonce < perAccount; nonce++) {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const transfer = nonce % 2 === 1;
      const body: CanonicalValue = transfer ? { asset: 'USD', to: keys[(i + 1 + nonce * 7) % keys.length]!.account, amount: 1n } : { asset: 'USD', amount: 1_000_000n };
      out.push({ ...signBench(chainId, key, transfer ? 'transfer' : 'faucet', BigInt(nonce), body), signer: i });
    }
  }
  return out;
}

/** One transaction signed by a bench account with node:crypto: its wire form, and what was signed. */
export function signBench(chainId: string, key: BenchSigner, type: string, nonce: bigint, body: CanonicalValue): Omit<BenchTx, 'signer'> {
  const tx: Transaction<CanonicalValue> = { chainId, type, signer: key.account, nonce, body };
  const message = signBytes(tx);
  const signature = new Uint8Array(cryptoSign(null, message, key.privateKey));
  return { wire: encodeEnvelope(tx, toHex(signature)), message, signature };
}
