import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { CanonicalValue } from '../../contracts/index.js';
import { createVerifierPool } from '../../node/crypto/verifier-pool.js';
import type { LedgerNode } from '../../node/ledger/ledger-node.js';
import { createApiHandler } from '../../server/api/handler.js';
import type { AppRouter } from '../../server/api/router.js';
import { openTestDatabase, serverUnavailable, type DatabaseKind } from '../../server/db/test-databases.js';
import { Projector } from '../../server/index/projector.js';
import { rounded, type BenchCase, type BenchFigure } from '../harness.js';
import { percentile, startBenchNode, submitAll } from '../index-kit.js';
import { benchSigners, type BenchSigner, signBench } from '../workload.js';

/**
 * The API as a client sees it, over HTTP on 127.0.0.1 with the tRPC client: the order book
 * query with 100,000 open orders in the index (posted as transactions by 1,000 accounts, each
 * at the limit of 100 open orders), and tx.submit of signed transfers until their block is in
 * the index. On the Postgres server (the target's database), and on embedded PGlite.
 */

const CHAIN = 'lendnet-bench-api';
const ACCOUNTS = 1_000;
const LEND_PER_ACCOUNT = 75;
const BORROW_PER_ACCOUNT = 25;
const BLOCK_INTERVAL_MS = 100;
const WARMUP = 20;
const SAMPLES = 300;
const SUBMITS = 2_000;
const SUBMIT_CONCURRENCY = 20;
const DAY = 86_400;

/** A small deterministic generator, so every run posts the same book. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Each account: faucet dollars and collateral, then 75 lend offers and 25 borrow requests of varied terms. */
function bookLoad(keys: readonly BenchSigner[]): { wire: string }[] {
  const random = lcg(20_261_124);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const out: { wire: string }[] = [];
  for (const key of keys) {
    let nonce = 0n;
    const sign = (type: string, body: CanonicalValue) => out.push(signBench(CHAIN, key, type, nonce++, body));
    sign('faucet', { asset: 'USD', amount: 100_000_000_000n });
    sign('faucet', { asset: 'COL', amount: 10_000_000_000n });
    for (let i = 0; i < LEND_PER_ACCOUNT + BORROW_PER_ACCOUNT; i++) {
      const term = pick([30, 90, 180, 365, 730]) * DAY;
      const installments = pick([1, 3, 6, 12]);
      const schedule = pick(['amortizing', 'bullet']);
      const amount = BigInt(100 + Math.floor(random() * 9_900)) * 100_000n; // 10 to 1,000 dollars
      // Offers from 8 % a year up, requests below: no request can take an offer, so all stay open.
      const rate = i < LEND_PER_ACCOUNT ? 800 + Math.floor(random() * 1_700) : 200 + Math.floor(random() * 590);
      if (i < LEND_PER_ACCOUNT) {
        const collateral = random() < 0.5 ? { collateral: { asset: 'COL', ratioBps: 5_000 + Math.floor(random() * 10_000) } } : {};
        sign('post-lend-offer', { asset: 'USD', term, schedule, installments, amount, minTicket: 100_000n, maxTicket: amount, aprBps: rate, expiresAt: 2 ** 39, ...collateral });
      } else {
        const collateral = { asset: 'COL', amount: BigInt(1 + Math.floor(random() * 300)) * 1_000_000n };
        sign('post-borrow-request', { asset: 'USD', term, schedule, installments, amount, maxAprBps: rate, collateral, partial: random() < 0.5, expiresAt: 2 ** 39 });
      }
    }
  }
  return out;
}

type Client = ReturnType<typeof createTRPCClient<AppRouter>>;

/** Latencies of `call`, in ms, sorted, after a warm-up. */
async function timed(call: () => Promise<unknown>, samples: number): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await call();
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await call();
    out.push(performance.now() - started);
  }
  return out.sort((a, b) => a - b);
}

async function bookQueries(kind: DatabaseKind, client: Client, open: number): Promise<BenchFigure[]> {
  const firstPage = await client.market.book.query({ side: 'lend', asset: 'USD', limit: 50 });
  const queries: [string, () => Promise<unknown>][] = [
    ['lend offers in USD by best rate, 50 a page', () => client.market.book.query({ side: 'lend', asset: 'USD', limit: 50 })],
    ['the next page of those', () => client.market.book.query({ side: 'lend', asset: 'USD', limit: 50, cursor: firstPage.nextCursor })],
    [
      'lend offers filtered by rate, term and no collateral',
      () => client.market.book.query({ side: 'lend', asset: 'USD', rateMinBps: 1_000, rateMaxBps: 1_500, termMax: 180 * DAY, collateral: 'none', limit: 50 }),
    ],
    ['lend offers of at least 500 dollars by amount', () => client.market.book.query({ side: 'lend', asset: 'USD', amountMin: '500000000', sort: 'amount', limit: 50 })],
    ['borrow requests from borrowers with no default, newest first', () => client.market.book.query({ side: 'borrow', asset: 'USD', maxDefaults: 0, sort: 'newest', limit: 50 })],
  ];
  const figures: BenchFigure[] = [];
  const all: number[] = [];
  for (const [what, call] of queries) {
    const latencies = await timed(call, SAMPLES);
    all.push(...latencies);
    figures.push({ name: `${kind}: market.book, ${what}, p99`, value: rounded(percentile(latencies, 99), 1), unit: 'ms', note: `p50 ${rounded(percentile(latencies, 50), 1)} ms` });
  }
  all.sort((a, b) => a - b);
  figures.push({
    name: `${kind}: market.book over HTTP with ${open.toLocaleString('en')} open orders, all five queries, p99`,
    value: rounded(percentile(all, 99), 1),
    unit: 'ms',
    ...(kind === 'postgres' ? { target: 25 } : {}),
    note: `p50 ${rounded(percentile(all, 50), 1)} ms over ${all.length} calls, one at a time`,
  });
  return figures;
}

async function submitLatency(kind: DatabaseKind, client: Client, node: LedgerNode, keys: readonly BenchSigner[]): Promise<BenchFigure[]> {
  const latencies: number[] = [];
  let refused = 0;
  let notIndexed = 0;
  const perWorker = SUBMITS / SUBMIT_CONCURRENCY;
  await Promise.all(
    Array.from({ length: SUBMIT_CONCURRENCY }, async (_, w) => {
      const key = keys[w]!;
      let nonce = node.account(key.account).nonce;
      for (let i = 0; i < perWorker; i++) {
        const { wire } = signBench(CHAIN, key, 'transfer', nonce++, { asset: 'USD', to: keys[(w + 1) % keys.length]!.account, amount: 1n });
        const started = performance.now();
        try {
          const result = await client.tx.submit.mutate({ wire });
          latencies.push(performance.now() - started);
          if (result.status === 'committed' && !result.indexed) notIndexed += 1;
        } catch {
          refused += 1;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return [
    {
      name: `${kind}: tx.submit over HTTP, signed transfer → committed and indexed, p99`,
      value: rounded(percentile(latencies, 99), 1),
      unit: 'ms',
      note: `p50 ${rounded(percentile(latencies, 50), 1)} ms; ${latencies.length} answers, ${refused} refused, ${notIndexed} not indexed within 5 s; ${SUBMIT_CONCURRENCY} clients, blocks every ${BLOCK_INTERVAL_MS} ms`,
    },
  ];
}

const bench: BenchCase = {
  name: 'api-latency',
  async run(): Promise<BenchFigure[]> {
    const kinds: DatabaseKind[] = (await serverUnavailable()) === undefined ? ['postgres', 'pglite'] : ['pglite'];
    const pool = createVerifierPool();
    const { node, stop } = await startBenchNode(CHAIN, pool, BLOCK_INTERVAL_MS);
    const figures: BenchFigure[] = [];
    try {
      const keys = benchSigners(ACCOUNTS);
      const loaded = await submitAll(node, bookLoad(keys));
      if (loaded.refusals.size > 0) throw new Error(`the book's transactions were refused: ${JSON.stringify([...loaded.refusals])}`);
      for (const kind of kinds) {
        const db = await openTestDatabase(kind);
        const projector = await Projector.start({ db, node });
        const handler = createApiHandler({ node, db, projector, adminToken: 'bench-admin-token-0123456789' });
        const server = createServer((req, res) => void handler.handle(req, res));
        try {
          const started = performance.now();
          while (projector.lag() > 0) await new Promise((resolve) => setTimeout(resolve, 50));
          const [open] = await db.sql<{ count: bigint }[]>`SELECT count(*) FROM orders WHERE status = 'open'`;
          figures.push({ name: `${kind}: open orders in the index`, value: Number(open!.count), unit: 'orders', note: `indexed from genesis in ${rounded((performance.now() - started) / 1000, 1)} s` });
          await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
          const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trpc`;
          const client = createTRPCClient<AppRouter>({ links: [httpLink({ url })] });
          figures.push(...(await bookQueries(kind, client, Number(open!.count))));
          figures.push(...(await submitLatency(kind, client, node, keys)));
        } finally {
          handler.close();
          server.closeAllConnections();
          await new Promise<void>((resolve) => server.close(() => resolve()));
          await projector.stop();
          await db.close();
        }
      }
    } finally {
      await stop();
      await pool.close();
    }
    return figures;
  },
};

export default bench;
