import { generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { verifySignature } from '../../contracts/tx/keys.js';
import { createFastVerifier, ed25519KeyObject } from '../../node/crypto/fast-verifier.js';
import { measureRate, rounded, type BenchCase, type BenchFigure } from '../harness.js';

/**
 * Signature verification on one core (everything runs synchronously on the main thread):
 * noble's ZIP-215 rule, node:crypto alone, and the node's fast verifier over a realistic mix
 * of 1000 distinct signers and ~300-byte transaction messages.
 */

const SIGNERS = 1000;
const MESSAGES_PER_SIGNER = 4;
const MESSAGE_BYTES = 300;

interface Signed {
  readonly publicKey: Uint8Array;
  readonly keyObject: KeyObject;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

function transactionLike(signer: number, index: number): Uint8Array {
  const body = JSON.stringify({ type: 'offer', from: signer, nonce: index, amount: '1200.00', rate: '0.075', memo: '' });
  const text = body.slice(0, -2) + 'x'.repeat(Math.max(0, MESSAGE_BYTES - body.length)) + '"}';
  return new TextEncoder().encode(text);
}

function workload(): Signed[] {
  const signed: Signed[] = [];
  for (let signer = 0; signer < SIGNERS; signer += 1) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
    const keyObject = ed25519KeyObject(raw);
    for (let index = 0; index < MESSAGES_PER_SIGNER; index += 1) {
      const message = transactionLike(signer, index);
      signed.push({ publicKey: raw, keyObject, message, signature: new Uint8Array(cryptoSign(null, message, privateKey)) });
    }
  }
  // Interleave signers, as transactions from many accounts arrive mixed in a block.
  return signed.sort((a, b) => a.signature[0]! - b.signature[0]! || a.signature[1]! - b.signature[1]!);
}

/** A step function that verifies `batch` items round-robin and fails loudly on a wrong answer. */
function stepper(items: readonly Signed[], batch: number, expected: boolean, check: (item: Signed) => boolean): () => number {
  let next = 0;
  return () => {
    for (let i = 0; i < batch; i += 1) {
      const item = items[next]!;
      next = next + 1 === items.length ? 0 : next + 1;
      if (check(item) !== expected) throw new Error('verifier gave a wrong answer in the benchmark');
    }
    return batch;
  };
}

const bench: BenchCase = {
  name: 'verify',
  run(): BenchFigure[] {
    const items = workload();
    const tampered = items.map((item) => {
      const signature = Uint8Array.from(item.signature);
      signature[40] = signature[40]! ^ 1;
      return { ...item, signature };
    });
    const unit = 'signatures/s';

    const noble = measureRate(stepper(items, 20, true, (s) => verifySignature(s.publicKey, s.message, s.signature)));
    const raw = measureRate(stepper(items, 200, true, (s) => cryptoVerify(null, s.message, s.keyObject, s.signature)));

    const fast = createFastVerifier();
    for (const item of items) fast.verify(item.publicKey, item.message, item.signature);
    const fastPathOnly = measureRate(stepper(items, 200, true, (s) => fast.verifyOpenssl(s.publicKey, s.message, s.signature)));
    const chosen = measureRate(stepper(items, 200, true, (s) => fast.verify(s.publicKey, s.message, s.signature)));

    // A cache smaller than the signer set: every key is first seen, so it is checked and imported.
    const cold = createFastVerifier({ maxKeys: 100 });
    const coldRate = measureRate(stepper(items, 50, true, (s) => cold.verify(s.publicKey, s.message, s.signature)));
    const invalid = measureRate(stepper(tampered, 20, false, (s) => fast.verify(s.publicKey, s.message, s.signature)));

    return [
      { name: 'noble ZIP-215 (verifySignature)', value: rounded(noble), unit },
      { name: 'node:crypto raw (crypto.verify, KeyObject in hand)', value: rounded(raw), unit },
      {
        name: 'opensslVerify (key cache + node:crypto, no fallback)',
        value: rounded(fastPathOnly),
        unit,
        limit: rounded(raw),
        ratio: rounded(fastPathOnly / raw, 3),
      },
      {
        name: 'fast verifier (chosen), 1000 signers, 300-byte messages, warm cache',
        value: rounded(chosen),
        unit,
        limit: rounded(raw),
        ratio: rounded(chosen / raw, 3),
        note: `${rounded(chosen / noble, 1)}x noble`,
      },
      {
        name: 'fast verifier, every key first seen (cache of 100 for 1000 signers)',
        value: rounded(coldRate),
        unit,
        note: 'account-key check with noble and KeyObject import on each call',
      },
      {
        name: 'fast verifier, invalid signatures (OpenSSL refuses, noble fallback)',
        value: rounded(invalid),
        unit,
        note: 'the cost of a flood of bad signatures',
      },
    ];
  },
};

export default bench;
