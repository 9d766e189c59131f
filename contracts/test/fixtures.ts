import { sha256 } from '@noble/hashes/sha2.js';
import type { CanonicalValue } from '../codec/canonical.js';
import { utf8 } from '../codec/canonical.js';
import { genesisState } from '../machine.js';
import { devnetParams, type MarketGenesis } from '../params.js';
import type { MarketState } from '../state/market-state.js';
import { signTransaction, type SignedTransaction } from '../tx/envelope.js';
import { keyPairFromSecret, type KeyPair } from '../tx/keys.js';

/** Deterministic test keys: the secret key is SHA-256 of the name. */
export function testKey(name: string): KeyPair {
  return keyPairFromSecret(sha256(utf8(name)));
}

export const CHAIN_ID = 'lendnet-test';

/** A devnet genesis with a 6-decimal dollar issued by "issuer" and an 8-decimal collateral asset. */
export function testGenesis(overrides: Partial<MarketGenesis> = {}): MarketGenesis {
  const issuer = testKey('issuer').account;
  return {
    params: devnetParams(CHAIN_ID),
    assets: [
      { id: 'USD', name: 'Lendnet dollar', decimals: 6, issuer },
      { id: 'COL', name: 'Collateral token', decimals: 8, issuer },
    ],
    allocations: [],
    ...overrides,
  };
}

export function testState(overrides: Partial<MarketGenesis> = {}): MarketState {
  return genesisState(testGenesis(overrides));
}

/** Signs a transaction of `type` for the test chain with the named key and an explicit nonce. */
export function signed(key: KeyPair, nonce: bigint, type: string, body: CanonicalValue, chainId = CHAIN_ID): SignedTransaction<CanonicalValue> {
  return signTransaction({ chainId, type, signer: key.account, nonce, body }, key.secretKey);
}

/** Keeps each account's next nonce, so a test can sign in sequence. */
export class Wallets {
  private readonly nonces = new Map<string, bigint>();
  sign(key: KeyPair, type: string, body: CanonicalValue): SignedTransaction<CanonicalValue> {
    const nonce = this.nonces.get(key.account) ?? 0n;
    this.nonces.set(key.account, nonce + 1n);
    return signed(key, nonce, type, body);
  }
}
