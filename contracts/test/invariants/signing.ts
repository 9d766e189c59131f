/**
 * The accounts of the property test and how their wires are signed and verified.
 *
 * noble's ed25519 (the consensus rule) takes ~1–2 ms per signature, which would dominate the
 * run. Ed25519 signing is deterministic, so wires are signed with node:crypto, and
 * `processTransaction` is given a node:crypto verifier whose verdicts are cached by
 * (key, message, signature), so replays cost nothing. `consensusAgrees` checks a wire's
 * verdict against the consensus rule `verifySignature`.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { toHex, type CanonicalValue } from '../../codec/canonical.js';
import { signBytes, type Transaction } from '../../tx/envelope.js';
import { verifySignature, type KeyPair } from '../../tx/keys.js';
import { CHAIN_ID, testKey } from '../fixtures.js';

/** A test key with its node:crypto private key. */
export interface Actor {
  readonly key: KeyPair;
  readonly privateKey: KeyObject;
}

export type Body = CanonicalValue;

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function actorOf(key: KeyPair): Actor {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, key.secretKey]), format: 'der', type: 'pkcs8' });
  return { key, privateKey };
}

export const MAX_ACCOUNTS = 10;
export const ACCOUNTS: readonly Actor[] = Array.from({ length: MAX_ACCOUNTS }, (_, i) => actorOf(testKey(`invariants-${i}`)));
export const ISSUER: Actor = actorOf(testKey('issuer'));
/** An encoding of the identity point: small order, so never an acceptable account. */
export const SMALL_ORDER_KEY = `01${'00'.repeat(31)}`;

export function unsignedTx(signer: Actor, nonce: bigint, type: string, body: Body, chainId = CHAIN_ID): Transaction<Body> {
  return { chainId, type, signer: signer.key.account, nonce, body };
}

/** The hex signature of `tx` by `by`, byte-identical to `signTransaction`'s. */
export function signWith(tx: Transaction<Body>, by: Actor): string {
  return toHex(cryptoSign(null, signBytes(tx), by.privateKey));
}

const publicKeys = new Map<string, KeyObject>();
const verdicts = new Map<string, boolean>();
let verifierCalls = 0;

/** node:crypto ed25519 verification, cached by (key, message, signature). */
export function cachedVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  verifierCalls++;
  const keyHex = toHex(publicKey);
  const cacheKey = `${keyHex}|${toHex(signature)}|${Buffer.from(message).toString('latin1')}`;
  const known = verdicts.get(cacheKey);
  if (known !== undefined) return known;
  let keyObject = publicKeys.get(keyHex);
  if (!keyObject) {
    keyObject = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
    publicKeys.set(keyHex, keyObject);
  }
  const ok = signature.length === 64 && cryptoVerify(null, message, keyObject, signature);
  verdicts.set(cacheKey, ok);
  return ok;
}

/** Drops the cached verdicts, so that only the current run's wires are replayed from the cache. */
export function forgetVerdicts(): void {
  verdicts.clear();
}

/** How many times `cachedVerify` was called, cached or not. */
export function verifierCallCount(): number {
  return verifierCalls;
}

/** Whether the consensus rule `verifySignature` accepts the signature of an encoded wire. */
export function consensusAccepts(wire: string): boolean {
  const decoded = JSON.parse(wire) as { body: Body; chainId: string; nonce: string; signature: string; signer: string; type: string };
  const tx: Transaction<Body> = { chainId: decoded.chainId, type: decoded.type, signer: decoded.signer, nonce: BigInt(decoded.nonce), body: decoded.body };
  return verifySignature(Buffer.from(decoded.signer, 'hex'), signBytes(tx), Buffer.from(decoded.signature, 'hex'));
}
