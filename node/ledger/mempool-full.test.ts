import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type KeyPair, signTransaction, type SignedTransaction } from '../../contracts/index.js';
import { testGenesis, testKey } from '../../contracts/test/fixtures.js';
// The HTTP burst needs the API in front of the node; this test sits with the node's other load
// tests, and only the test reaches into server/.
import { createApiHandler } from '../../server/api/handler.js';
import { openTestDatabase } from '../../server/db/test-databases.js';
import { Projector } from '../../server/index/projector.js';
import { DEFAULT_CONFIG } from '../home/config.js';
import type { Genesis } from '../home/genesis-file.js';
import { type BlockWrite, openMemoryStore } from '../store/index.js';
import { LedgerNode, type SubmitResult, verifyInThisThread } from './ledger-node.js';

const LIMITS = { maxTxs: 16, maxPerAccount: 2 };
/** What a full mempool may answer, beside committing. */
const FULL = new Set(['MEMPOOL_FULL', 'ACCOUNT_QUEUE_FULL']);
const validator = testKey('validator');
const genesis: Genesis = { genesisTime: 1_000, market: testGenesis(), validators: [{ account: validator.account, power: 1 }] };
const CHAIN = genesis.market.params.chainId;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A node with a tiny mempool whose signature checks wait until `floodSize` transactions have
 * arrived (0: none wait), so a whole flood reaches the mempool between two blocks; its store
 * takes `commitDelayMs` to write a block. The largest mempool size seen, sampled every ms.
 */
async function startNode(options: { readonly floodSize: number; readonly blockIntervalMs: number; readonly commitDelayMs: number }) {
  const fatal: unknown[] = [];
  let arrived = 0;
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  if (options.floodSize === 0) open();
  const store = await openMemoryStore(new Map());
  const slowStore = new Proxy(store, {
    get(target, property) {
      if (property === 'commitBlock') {
        return async (write: BlockWrite) => {
          await sleep(options.commitDelayMs);
          return target.commitBlock(write);
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const node = await LedgerNode.open({
    genesis,
    checkSignatures: async (txs: readonly SignedTransaction<unknown>[]) => {
      arrived += txs.length;
      if (arrived >= options.floodSize) open();
      await gate;
      return verifyInThisThread(txs);
    },
    config: { ...DEFAULT_CONFIG, blockIntervalMs: options.blockIntervalMs, mempool: LIMITS },
    store: slowStore,
    validatorKey: validator,
    onFatal: (error) => fatal.push(error),
  });
  await node.start();
  let largest = 0;
  const sampler = setInterval(() => (largest = Math.max(largest, node.status().mempoolSize)), 1);
  cleanups.push(async () => {
    clearInterval(sampler);
    await node.stop();
  });
  return { node, fatal, largestMempool: () => Math.max(largest, node.status().mempoolSize) };
}

const keys = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => testKey(`${prefix}-${i}`));
const faucet = (key: KeyPair, nonce: bigint) => signTransaction({ chainId: CHAIN, type: 'faucet', signer: key.account, nonce, body: { asset: 'USD', amount: 1_000n } }, key.secretKey).encoded;

/** How many answers had each outcome: `committed`, or the refusal's code. */
function tally(results: readonly SubmitResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const result of results) {
    const key = result.status === 'committed' ? 'committed' : result.code;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

describe('a node with a full mempool', () => {
  it('answers a flood of five times its capacity with commits and coded refusals, then commits the queue and takes new transactions', async () => {
    // 4 accounts send 6 nonces each (2 fit per account), then 32 accounts send 2 nonces each, nonce-major: 88 transactions for 16 places.
    const heavy = keys('heavy', 4);
    const light = keys('light', 32);
    const wires = [...heavy.flatMap((key) => [0n, 1n, 2n, 3n, 4n, 5n].map((nonce) => ({ key, nonce }))), ...[0n, 1n].flatMap((nonce) => light.map((key) => ({ key, nonce })))];
    const { node, fatal, largestMempool } = await startNode({ floodSize: wires.length, blockIntervalMs: 50, commitDelayMs: 0 });

    const settled = await Promise.allSettled(wires.map(({ key, nonce }) => node.submit(faucet(key, nonce))));
    expect(settled.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    const results = settled.map((outcome) => (outcome as PromiseFulfilledResult<SubmitResult>).value);
    for (const result of results) if (result.status === 'refused') expect(FULL.has(result.code)).toBe(true);
    // The whole flood met the mempool between two blocks: the first 16 it could take filled it.
    expect(tally(results)).toEqual({ committed: 16, ACCOUNT_QUEUE_FULL: 16, MEMPOOL_FULL: 56 });
    expect(new Set(results.flatMap((result) => (result.status === 'committed' ? [result.height] : [])))).toEqual(new Set([1]));
    expect(largestMempool()).toBeLessThanOrEqual(LIMITS.maxTxs);
    expect(node.status()).toMatchObject({ height: 1, mempoolSize: 0 });

    // The refused senders try again, each in nonce order, until all of theirs are in.
    await Promise.all(
      [...heavy, ...light].map(async (key) => {
        const sent = heavy.includes(key) ? 6n : 2n;
        let nonce = node.account(key.account).nonce;
        while (nonce < sent) {
          const result = await node.submit(faucet(key, nonce));
          if (result.status === 'committed') nonce += 1n;
          else {
            expect(FULL.has(result.code)).toBe(true);
            await sleep(5);
          }
        }
      }),
    );
    for (const key of heavy) expect(node.account(key.account).nonce).toBe(6n);
    for (const key of light) expect(node.account(key.account).nonce).toBe(2n);
    expect(await node.submit(faucet(testKey('newcomer'), 0n))).toMatchObject({ status: 'committed' });
    expect(largestMempool()).toBeLessThanOrEqual(LIMITS.maxTxs);
    expect(fatal).toEqual([]);
  }, 30_000);

  it('stays within its bounds under a sustained flood while slow blocks commit, and every sender gets through', async () => {
    const { node, fatal, largestMempool } = await startNode({ floodSize: 0, blockIntervalMs: 10, commitDelayMs: 30 });
    const senders = keys('sender', 48);
    const PER_SENDER = 6n;
    const answers: SubmitResult[] = [];
    const rejections: unknown[] = [];
    // Each sender sends its next three nonces at once (one more than it may have waiting), and
    // after a refusal waits a moment and sends again from the first one not committed.
    await Promise.all(
      senders.map(async (key) => {
        let next = 0n;
        while (next < PER_SENDER) {
          const burst = [next, next + 1n, next + 2n].filter((nonce) => nonce < PER_SENDER);
          const results = await Promise.all(burst.map((nonce) => node.submit(faucet(key, nonce)).catch((error: unknown) => (rejections.push(error), undefined))));
          for (const result of results) {
            if (!result) continue;
            answers.push(result);
            if (result.status === 'committed') next += 1n;
          }
          if (results.some((result) => result?.status === 'refused')) await sleep(2);
        }
      }),
    );
    expect(rejections).toEqual([]);
    const counts = tally(answers);
    expect(Object.keys(counts).filter((key) => key !== 'committed' && !FULL.has(key))).toEqual([]);
    expect(counts.committed).toBe(48 * 6);
    expect(counts.MEMPOOL_FULL).toBeGreaterThan(0);
    expect(counts.ACCOUNT_QUEUE_FULL).toBeGreaterThan(0);
    expect(largestMempool()).toBeLessThanOrEqual(LIMITS.maxTxs);
    for (const key of senders) expect(node.account(key.account).nonce).toBe(PER_SENDER);
    expect(node.status().mempoolSize).toBe(0);
    expect(await node.submit(faucet(testKey('after-the-flood'), 0n))).toMatchObject({ status: 'committed' });
    expect(fatal).toEqual([]);
  }, 30_000);

  it('answers a burst over the HTTP API with 200 committed or 429 MEMPOOL_FULL, never a server error', async () => {
    const senders = keys('http', 40);
    const { node, fatal, largestMempool } = await startNode({ floodSize: senders.length, blockIntervalMs: 50, commitDelayMs: 0 });
    const db = await openTestDatabase('pglite');
    const projector = await Projector.start({ db, node });
    const handler = createApiHandler({ node, db, projector, adminToken: 'mempool-full-test-admin-token' });
    const server = createServer((req, res) => void handler.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await projector.stop();
      await db.close();
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trpc/tx.submit`;

    const answers = await Promise.all(
      senders.map(async (key) => {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ wire: faucet(key, 0n) }) });
        const body = (await response.json()) as { result?: { data: { status: string } }; error?: { data: { code: string } } };
        return { status: response.status, outcome: body.result?.data.status ?? body.error?.data.code };
      }),
    );
    const counts: Record<string, number> = {};
    for (const { status, outcome } of answers) counts[`${status} ${outcome}`] = (counts[`${status} ${outcome}`] ?? 0) + 1;
    expect(counts).toEqual({ '200 committed': 16, '429 MEMPOOL_FULL': 24 });
    expect(largestMempool()).toBeLessThanOrEqual(LIMITS.maxTxs);
    // The API still takes transactions once the block is in.
    const again = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ wire: faucet(testKey('http-later'), 0n) }) });
    expect(again.status).toBe(200);
    expect(fatal).toEqual([]);
  }, 60_000);
});
