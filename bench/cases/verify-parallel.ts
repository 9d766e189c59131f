import { createPublicKey, generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { signBytes, type Transaction } from '../../contracts/tx/envelope.js';
import type { CanonicalValue } from '../../contracts/codec/canonical.js';
import { createFastVerifier } from '../../node/crypto/fast-verifier.js';
import { createVerifierPool, type SignatureItem, type VerifierPool } from '../../node/crypto/verifier-pool.js';
import { measureRate, rounded, type BenchCase, type BenchFigure } from '../harness.js';
import { rawVerifyLimit } from '../raw-verify-limit.js';

/**
 * Signature verification on all cores, measured in one run:
 *  (a) the machine's raw limit: one thread per core, each calling crypto.verify with a
 *      KeyObject made beforehand in a tight loop, all at once, summed;
 *  (b) the node's verifier pool (node/crypto/verifier-pool.ts) through verify(), on batches of
 *      1000 signed transactions from 1000 signers (sign bytes of about 300 bytes), reported
 *      against (a) as its limit;
 * and, for context, one core: crypto.verify and the fast verifier on the main thread.
 */

const SIGNERS = 1000;
const BATCHES = 4;
const MESSAGE_BYTES = 300;
const ROUNDS = 3;
const ROUND_MS = 1500;
const CHAIN_ID = 'lendnet-bench';

interface Workload {
  /** SPKI DER of each signer's key, for the raw threads to import. */
  readonly spki: Uint8Array[];
  /** BATCHES batches of SIGNERS items; item i of a batch is signed by signer order[i]. */
  readonly batches: { readonly items: SignatureItem[]; readonly signers: number[] }[];
}

function transaction(account: string, nonce: number): Transaction<CanonicalValue> {
  const body = { amount: '1200.00', duration: '12', memo: '', rate: '0.075' };
  const tx: Transaction<CanonicalValue> = { chainId: CHAIN_ID, type: 'offer', signer: account, nonce: BigInt(nonce), body };
  const pad = MESSAGE_BYTES - signBytes(tx).length;
  return { ...tx, body: { ...body, memo: 'x'.repeat(Math.max(0, pad)) } };
}

function workload(): Workload {
  const spki: Uint8Array[] = [];
  const privateKeys: KeyObject[] = [];
  const accounts: string[] = [];
  for (let signer = 0; signer < SIGNERS; signer += 1) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const der = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    spki.push(der);
    privateKeys.push(privateKey);
    accounts.push(Buffer.from(der.subarray(12)).toString('hex'));
  }
  const batches = Array.from({ length: BATCHES }, (_, batch) => {
    // Each signer once per batch, in a shuffled order, as accounts arrive mixed in a block.
    const signers = Array.from({ length: SIGNERS }, (_, i) => i).sort((a, b) => ((a * 7919 + batch * 104_729) % SIGNERS) - ((b * 7919 + batch * 104_729) % SIGNERS));
    const items = signers.map((signer) => {
      const message = signBytes(transaction(accounts[signer]!, batch));
      return { publicKey: spki[signer]!.subarray(12), message, signature: new Uint8Array(cryptoSign(null, message, privateKeys[signer]!)) };
    });
    return { items, signers };
  });
  return { spki, batches };
}

/** (a): the raw limit over this workload's signatures. */
function rawLimit(load: Workload, threads: number, ms: number): Promise<number> {
  const items = load.batches.flatMap((batch) => batch.items.map((item, i) => ({ signer: batch.signers[i]!, message: item.message, signature: item.signature })));
  return rawVerifyLimit({ spki: load.spki, items }, threads, ms);
}

/** (b): items per second through pool.verify() with `depth` batches of 1000 outstanding. */
async function poolRate(pool: VerifierPool, load: Workload, depth: number, ms: number): Promise<number> {
  let verified = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(ms) * 1_000_000n;
  async function lane(): Promise<void> {
    while (process.hrtime.bigint() < deadline) {
      const batch = load.batches[next]!;
      next = (next + 1) % load.batches.length;
      const verdicts = await pool.verify(batch.items);
      if (verdicts.some((verdict) => !verdict)) throw new Error('the pool refused a valid signature in the benchmark');
      verified += verdicts.length;
    }
  }
  await Promise.all(Array.from({ length: depth }, () => lane()));
  return (verified * 1e9) / Number(process.hrtime.bigint() - started);
}

const bench: BenchCase = {
  name: 'verify-parallel',
  async run(): Promise<BenchFigure[]> {
    const unit = 'signatures/s';
    const cores = availableParallelism();
    const load = workload();
    const all = load.batches.flatMap((batch) => batch.items);

    // One core, on the main thread.
    const keyObjects = load.spki.map((der) => createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }));
    const rawItems = load.batches.flatMap((batch) => batch.items.map((item, i) => ({ ...item, key: keyObjects[batch.signers[i]!]! })));
    let cursor = 0;
    const rawOneCore = measureRate(() => {
      for (let j = 0; j < 100; j += 1) {
        const item = rawItems[cursor]!;
        cursor = cursor + 1 === rawItems.length ? 0 : cursor + 1;
        if (!cryptoVerify(null, item.message, item.key, item.signature)) throw new Error('crypto.verify refused a valid signature');
      }
      return 100;
    }, 2000);
    const fast = createFastVerifier();
    for (const item of all) fast.verify(item.publicKey, item.message, item.signature);
    cursor = 0;
    const fastOneCore = measureRate(() => {
      for (let j = 0; j < 100; j += 1) {
        const item = all[cursor]!;
        cursor = cursor + 1 === all.length ? 0 : cursor + 1;
        if (!fast.verify(item.publicKey, item.message, item.signature)) throw new Error('the fast verifier refused a valid signature');
      }
      return 100;
    }, 2000);

    // (a) and (b) in alternating rounds, so that load from anything else on the machine
    // weighs on both alike; each figure is the best of its rounds.
    const pool = createVerifierPool();
    const limits: number[] = [];
    const pipelinedRates: number[] = [];
    const sequentialRates: number[] = [];
    let messages: number;
    try {
      await pool.ready();
      for (const batch of load.batches) await pool.verify(batch.items);
      const before = pool.stats();
      for (let round = 0; round < ROUNDS; round += 1) {
        limits.push(await rawLimit(load, cores, ROUND_MS));
        pipelinedRates.push(await poolRate(pool, load, 4, ROUND_MS));
        sequentialRates.push(await poolRate(pool, load, 1, ROUND_MS));
      }
      const after = pool.stats();
      messages = (after.itemsVerified - before.itemsVerified) / Math.max(1, after.messagesSent - before.messagesSent);
    } finally {
      await pool.close();
    }
    const limit = Math.max(...limits);
    const pipelined = Math.max(...pipelinedRates);
    const sequential = Math.max(...sequentialRates);
    const spread = (rates: number[]): string => `rounds: ${rates.map((rate) => rounded(rate)).join(', ')}`;

    return [
      { name: `raw limit: crypto.verify with KeyObjects in hand, ${cores} threads (all cores) summed`, value: rounded(limit), unit, note: spread(limits) },
      {
        name: `verifier pool (${pool.size} threads), verify() on batches of 1000 txs from 1000 signers, 4 batches in flight`,
        value: rounded(pipelined),
        unit,
        limit: rounded(limit),
        ratio: rounded(pipelined / limit, 3),
        note: `about ${rounded(messages)} signatures per message to a thread; ${spread(pipelinedRates)}`,
      },
      {
        name: `verifier pool (${pool.size} threads), verify() on batches of 1000 txs from 1000 signers, one batch at a time`,
        value: rounded(sequential),
        unit,
        limit: rounded(limit),
        ratio: rounded(sequential / limit, 3),
        note: spread(sequentialRates),
      },
      { name: 'one core: crypto.verify with KeyObjects in hand (main thread)', value: rounded(rawOneCore), unit },
      {
        name: 'one core: fast verifier, warm key cache (main thread)',
        value: rounded(fastOneCore),
        unit,
        limit: rounded(rawOneCore),
        ratio: rounded(fastOneCore / rawOneCore, 3),
        note: `all-core limit / one-core raw = ${rounded(limit / rawOneCore, 2)} on ${cores} cores`,
      },
    ];
  },
};

export default bench;
