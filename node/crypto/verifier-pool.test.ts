import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyPairFromSecret, verifySignature } from '../../contracts/tx/keys.js';
import { signTransaction, type SignedTransaction } from '../../contracts/tx/envelope.js';
import { createSignatureCache, verifyTransactions } from './signature-cache.js';
import {
  createVerifierPool,
  VerifierPoolClosedError,
  VerifierWorkerCrashedError,
  type SignatureItem,
  type VerifierPool,
} from './verifier-pool.js';
import { verifyPackedBatch } from './verifier-worker.js';
import { B, challenge, concat, flipBit, L, le32, mod, P, Point, scalar, T8 } from './ed25519-test-math.js';

const text = new TextEncoder();

// ---- a few edge vectors, built as in fast-verifier.test.ts ----


interface Vector extends SignatureItem {
  readonly name: string;
  /** What the consensus rule decides (checked against verifySignature). */
  readonly rule: boolean;
}

function edgeVectors(): Vector[] {
  const vectors: Vector[] = [];
  const add = (name: string, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, rule: boolean): void => {
    vectors.push({ name, publicKey, message, signature, rule });
  };
  const message = text.encode('lendnet: offer 1200.00 USD at 7.5% for 12 months');
  const seed = sha512(text.encode('pool/normal')).subarray(0, 32);
  const pk = ed25519.getPublicKey(seed);
  const good = ed25519.sign(message, seed);
  add('valid', pk, message, good, true);
  add('valid, empty message', pk, new Uint8Array(0), ed25519.sign(new Uint8Array(0), seed), true);
  const big = new Uint8Array(10_000).fill(0xa5);
  add('valid, 10 kB message', pk, big, ed25519.sign(big, seed), true);
  add('message tampered', pk, flipBit(message, 5), good, false);
  add('R tampered', pk, message, flipBit(good, 3), false);
  add('S tampered', pk, message, flipBit(good, 32 * 8), false);
  add('public key tampered', flipBit(pk, 9), message, good, false);
  add('all-zero signature', pk, message, new Uint8Array(64), false);
  add('signature of 63 bytes', pk, message, good.subarray(0, 63), false);
  add('signature of 65 bytes', pk, message, concat(good, new Uint8Array([0])), false);
  add('public key of 31 bytes', pk.subarray(0, 31), message, good, false);
  add('message that is not bytes', pk, 'x' as unknown as Uint8Array, good, false);

  // Small-order key (the identity): R = B, S = 1 satisfies OpenSSL's equation; the key rule refuses.
  add('small-order key (identity), forged signature', Point.ZERO.toBytes(), message, concat(B.toBytes(), le32(1n)), false);

  // Known-scalar key; R the identity written non-canonically (y = 1 + p), S = k·a: ZIP-215 accepts,
  // OpenSSL refuses, so only the fallback gets it right.
  const a = scalar('pool/key');
  const key = B.multiply(a).toBytes();
  const nonCanonicalIdentity = le32(1n + P);
  add('non-canonical R (identity as y = 1 + p), S = k·a', key, message, concat(nonCanonicalIdentity, le32(mod(challenge(nonCanonicalIdentity, key, message) * a, L))), true);

  // S out of range: a valid signature with S + L.
  const r = scalar('pool/r');
  const rBytes = B.multiply(r).toBytes();
  const s = mod(r + challenge(rBytes, key, message) * a, L);
  add('valid, known scalar', key, message, concat(rBytes, le32(s)), true);
  add('S + L', key, message, concat(rBytes, le32(s + L)), false);

  // Mixed-order key A = a·B + T8 and an honest signature whose k·T8 ≠ 0: cofactored equation only.
  const mixedA = scalar('pool/mixed');
  const mixedKey = B.multiply(mixedA).add(T8).toBytes();
  for (let attempt = 0; ; attempt += 1) {
    const mr = scalar(`pool/mixed/${attempt}`);
    const mrBytes = B.multiply(mr).toBytes();
    const k = challenge(mrBytes, mixedKey, message);
    if (k % 8n === 0n) continue;
    const signature = concat(mrBytes, le32(mod(mr + k * mixedA, L)));
    add('mixed-order key, cofactored-only signature', mixedKey, message, signature, true);
    add('mixed-order key, cofactored-only signature, message tampered', mixedKey, flipBit(message, 0), signature, false);
    break;
  }
  return vectors;
}

// ---- many signers, signed with node:crypto (fast) ----

interface Signer {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

function signers(count: number): Signer[] {
  return Array.from({ length: count }, () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    return {
      publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12)),
      sign: (message: Uint8Array) => new Uint8Array(cryptoSign(null, message, privateKey)),
    };
  });
}

interface Expected extends SignatureItem {
  readonly valid: boolean;
}

/** `count` items from `keys`, one in `badEvery` with a flipped signature bit (refused by the rule). */
function workload(keys: readonly Signer[], count: number, label: string, badEvery = 10): Expected[] {
  return Array.from({ length: count }, (_, i) => {
    const signer = keys[(i * 7919) % keys.length]!;
    const message = text.encode(`${label}/${i}/${'x'.repeat(i % 50)}`);
    const signature = signer.sign(message);
    const valid = i % badEvery !== 3;
    return { publicKey: signer.publicKey, message, signature: valid ? signature : flipBit(signature, 8 * (i % 64) + (i % 8)), valid };
  });
}

const SIGNERS = signers(64);

describe('verifier pool: verdicts', () => {
  let pool: VerifierPool;
  beforeAll(async () => {
    pool = createVerifierPool({ workers: 2, maxBatch: 16 });
    await pool.ready();
  });
  afterAll(() => pool.close());

  it('gives the verdicts of verifySignature on valid, tampered and edge-case signatures', async () => {
    const vectors = edgeVectors();
    const verdicts = await pool.verify(vectors);
    vectors.forEach((vector, i) => {
      expect(verifySignature(vector.publicKey, vector.message, vector.signature), `rule: ${vector.name}`).toBe(vector.rule);
      expect(verdicts[i], `pool: ${vector.name}`).toBe(vector.rule);
    });
    const one = await Promise.all(vectors.map((vector) => pool.verifyOne(vector.publicKey, vector.message, vector.signature)));
    expect(one).toEqual(vectors.map((vector) => vector.rule));
    expect(pool.stats().itemsRefusedByShape).toBeGreaterThanOrEqual(2 * 4);
  });

  it('agrees with verifySignature on a mix of signers and tampering', async () => {
    const items = workload(SIGNERS, 300, 'mix', 3);
    const verdicts = await pool.verify(items);
    expect(verdicts).toEqual(items.map((item) => verifySignature(item.publicKey, item.message, item.signature)));
    expect(verdicts).toEqual(items.map((item) => item.valid));
  });

  it('answers an empty call and keeps each call in its own order under many concurrent calls', async () => {
    expect(await pool.verify([])).toEqual([]);
    const calls = Array.from({ length: 60 }, (_, c) => workload(SIGNERS, 1 + ((c * 37) % 120), `concurrent/${c}`, 7 + (c % 5)));
    const before = pool.stats().messagesSent;
    const answers = await Promise.all(calls.map((items) => pool.verify(items)));
    answers.forEach((verdicts, c) => expect(verdicts).toEqual(calls[c]!.map((item) => item.valid)));
    // Calls made together share messages (16 items each here), far fewer than one per call.
    const items = calls.reduce((sum, call) => sum + call.length, 0);
    expect(pool.stats().messagesSent - before).toBeLessThanOrEqual(Math.ceil(items / 16) + 2 * pool.size);
    expect(pool.stats().inFlightItems).toBe(0);
  });

  it('refuses a malformed batch in the thread body (a protocol violation)', () => {
    const truncated = new ArrayBuffer(8);
    new DataView(truncated).setUint32(0, 1, true);
    expect(() => verifyPackedBatch(truncated, () => true)).toThrow(RangeError);
  });
});

describe('verifier pool: crashes', () => {
  it('replaces a killed thread and re-sends its unanswered batches, without losing or mixing verdicts', async () => {
    const pool = createVerifierPool({ workers: 2, maxBatch: 32 });
    try {
      await pool.ready();
      const calls = Array.from({ length: 12 }, (_, c) => workload(SIGNERS, 250, `crash/${c}`, 25));
      const pending = calls.map((items) => pool.verify(items));
      await nextTurn();
      expect(pool.stats().inFlightItems).toBeGreaterThan(0);
      await pool.killWorker(0);
      await nextTurn();
      await pool.killWorker(1);
      const answers = await Promise.all(pending);
      answers.forEach((verdicts, c) => expect(verdicts).toEqual(calls[c]!.map((item) => item.valid)));
      const stats = pool.stats();
      expect(stats.restarts).toBe(2);
      expect(stats.itemsResent).toBeGreaterThan(0);
      expect(stats.itemsVerified).toBe(12 * 250);
      // The replacements keep working.
      const after = workload(SIGNERS, 50, 'crash/after');
      expect(await pool.verify(after)).toEqual(after.map((item) => item.valid));
    } finally {
      await pool.close();
    }
  });

  it('rejects with VerifierWorkerCrashedError once a batch has used its attempts', async () => {
    const pool = createVerifierPool({ workers: 1, maxBatch: 64, maxAttempts: 1 });
    try {
      await pool.ready();
      const items = workload(SIGNERS, 1000, 'attempts', 1000);
      const pending = pool.verify(items);
      await nextTurn();
      await pool.killWorker(0);
      const error: unknown = await pending.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(VerifierWorkerCrashedError);
      expect((error as VerifierWorkerCrashedError).name).toBe('VerifierWorkerCrashedError');
      expect((error as VerifierWorkerCrashedError).worker).toBe(0);
      const after = workload(SIGNERS, 20, 'attempts/after');
      expect(await pool.verify(after)).toEqual(after.map((item) => item.valid));
    } finally {
      await pool.close();
    }
  });
});

describe('verifier pool: close', () => {
  it('rejects unanswered calls with VerifierPoolClosedError and every later call too', async () => {
    const pool = createVerifierPool({ workers: 1 });
    const pending = pool.verify(workload(SIGNERS, 500, 'close'));
    const queued = pool.verifyOne(SIGNERS[0]!.publicKey, text.encode('m'), SIGNERS[0]!.sign(text.encode('m')));
    const closing = pool.close();
    expect(pool.close()).toBe(closing);
    await expect(pending).rejects.toBeInstanceOf(VerifierPoolClosedError);
    await expect(queued).rejects.toThrow(VerifierPoolClosedError);
    await closing;
    await expect(pool.verify([])).rejects.toMatchObject({ name: 'VerifierPoolClosedError' });
    await expect(pool.ready()).rejects.toBeInstanceOf(VerifierPoolClosedError);
  });
});

describe('signature cache', () => {
  let pool: VerifierPool;
  beforeAll(() => {
    pool = createVerifierPool({ workers: 2 });
  });
  afterAll(() => pool.close());

  function signedTxs(count: number, label: string): SignedTransaction<unknown>[] {
    return Array.from({ length: count }, (_, i) => {
      const { secretKey, account } = keyPairFromSecret(sha512(text.encode(`${label}/${i % 5}`)).subarray(0, 32));
      return signTransaction({ chainId: 'lendnet-test', type: 'offer', signer: account, nonce: BigInt(i), body: { amount: `${100 + i}.00`, memo: label } }, secretKey);
    });
  }

  function countingPool(): { readonly pool: Pick<VerifierPool, 'verify'>; readonly calls: number[] } {
    const calls: number[] = [];
    return {
      calls,
      pool: {
        verify(items) {
          calls.push(items.length);
          return pool.verify(items);
        },
      },
    };
  }

  it('verifies each transaction once: a second call does not reach the pool', async () => {
    const txs = signedTxs(20, 'cache');
    const forged: SignedTransaction<unknown> = { ...txs[3]!, tx: { ...txs[3]!.tx, nonce: 999n }, id: 'f'.repeat(64) };
    const batch = [...txs, forged, txs[0]!];
    const expected = [...txs.map(() => true), false, true];
    const cache = createSignatureCache();
    const counting = countingPool();
    const itemsBefore = pool.stats().itemsSubmitted;

    expect(await verifyTransactions(counting.pool, cache, batch)).toEqual(expected);
    // One pool call, each distinct id once (the repeated txs[0] is not sent twice).
    expect(counting.calls).toEqual([21]);
    expect(cache.size).toBe(21);

    expect(await verifyTransactions(counting.pool, cache, batch)).toEqual(expected);
    expect(counting.calls).toEqual([21]);
    expect(pool.stats().itemsSubmitted - itemsBefore).toBe(21);
    expect(cache.stats().hits).toBe(22);
  });

  it('verifies a transaction once even when two calls carry it at the same time', async () => {
    const txs = signedTxs(10, 'concurrent');
    const cache = createSignatureCache();
    const counting = countingPool();
    const [first, second] = await Promise.all([verifyTransactions(counting.pool, cache, txs), verifyTransactions(counting.pool, cache, txs.slice(4))]);
    expect(first).toEqual(txs.map(() => true));
    expect(second).toEqual(txs.slice(4).map(() => true));
    expect(counting.calls).toEqual([10]);
  });

  it('remembers nothing when the pool fails', async () => {
    const txs = signedTxs(3, 'failing');
    const cache = createSignatureCache();
    const failing: Pick<VerifierPool, 'verify'> = { verify: () => Promise.reject(new VerifierPoolClosedError()) };
    await expect(verifyTransactions(failing, cache, txs)).rejects.toBeInstanceOf(VerifierPoolClosedError);
    expect(cache.size).toBe(0);
    const counting = countingPool();
    expect(await verifyTransactions(counting.pool, cache, txs)).toEqual([true, true, true]);
    expect(counting.calls).toEqual([3]);
  });

  it('is bounded, evicting the least recently used verdict', () => {
    const cache = createSignatureCache({ maxEntries: 3 });
    cache.set('a', true);
    cache.set('b', false);
    cache.set('c', true);
    expect(cache.get('a')).toBe(true);
    cache.set('d', true);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(true);
    expect(cache.get('c')).toBe(true);
    expect(cache.get('d')).toBe(true);
    expect(cache.stats().evictions).toBe(1);
    expect(() => createSignatureCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});
