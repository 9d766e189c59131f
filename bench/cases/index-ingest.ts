import { performance } from 'node:perf_hooks';
import type { LedgerNode } from '../../node/ledger/ledger-node.js';
import { createVerifierPool, type VerifierPool } from '../../node/crypto/verifier-pool.js';
import { openTestDatabase, serverUnavailable, type DatabaseKind } from '../../server/db/test-databases.js';
import { runMarketWorkload } from '../../server/index/market-workload.js';
import { Projector } from '../../server/index/projector.js';
import { rounded, type BenchCase, type BenchFigure } from '../harness.js';
import { percentile, startBenchNode, submitAll, submitAt } from '../index-kit.js';
import { benchSigners, type BenchTx, benchWorkload } from '../workload.js';

/**
 * The index's projector: ingest rate over a chain built beforehand (catching up from genesis),
 * and the index's lag behind a single-validator node at saturation, on embedded PGlite and on
 * the Postgres server (LENDNET_TEST_DATABASE_URL, by default the local one).
 */

const CHAIN = 'lendnet-bench-index';
const ACCOUNTS = 2_000;
const TXS_PER_ACCOUNT = 10;
/** The saturating load of the lag figure: 60,000 transactions, some twenty blocks. */
const LAG_TXS_PER_ACCOUNT = 30;
/** A load the projector can keep up with beside the node: 3,000 tx/s for 10 s. */
const PACED_RATE = 3_000;
const PACED_TXS_PER_ACCOUNT = 15;
const BLOCK_INTERVAL_MS = 100;

async function ingest(kind: DatabaseKind, node: LedgerNode): Promise<BenchFigure[]> {
  const db = await openTestDatabase(kind);
  try {
    const projector = await Projector.open({ db, node });
    const started = performance.now();
    await projector.catchUp();
    const seconds = (performance.now() - started) / 1000;
    const [counts] = await db.sql`SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM txs) AS txs, (SELECT count(*) FROM blocks) AS blocks`;
    const events = Number(counts!.events);
    const txs = Number(counts!.txs);
    return [
      {
        name: `${kind}: projector ingest, catching up from genesis`,
        value: rounded(events / seconds),
        unit: 'events/s',
        note: `${events} events, ${txs} txs, ${counts!.blocks} blocks in ${rounded(seconds, 2)} s = ${rounded(txs / seconds)} tx/s`,
      },
    ];
  } finally {
    await db.close();
  }
}

/** The index's lag behind a node loaded at saturation, or at `offered` tx/s. */
async function lagUnderLoad(kind: DatabaseKind, pool: VerifierPool, txs: readonly BenchTx[], offered?: number): Promise<BenchFigure[]> {
  const db = await openTestDatabase(kind);
  const { node, stop } = await startBenchNode(CHAIN, pool, BLOCK_INTERVAL_MS);
  try {
    const committedAt = new Map<number, number>();
    const lags: number[] = [];
    node.subscribe((block) => committedAt.set(block.height, performance.now()));
    const projector = await Projector.start({ db, node });
    projector.onIndexed((height) => {
      const at = committedAt.get(height);
      if (at !== undefined) lags.push(performance.now() - at);
    });
    const started = performance.now();
    const { committed } = offered === undefined ? await submitAll(node, txs) : await submitAt(node, txs, offered);
    const loadSeconds = (performance.now() - started) / 1000;
    const drainStarted = performance.now();
    while (projector.lag() > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    await projector.stop();
    lags.sort((a, b) => a - b);
    if (offered !== undefined) {
      return [
        {
          name: `${kind}: index lag at ${offered} tx/s offered, p99`,
          value: rounded(percentile(lags, 99)),
          unit: 'ms',
          target: 1_000,
          note: `p50 ${rounded(percentile(lags, 50))} ms, max ${rounded(lags.at(-1) ?? NaN)} ms; ${committed} txs committed in ${rounded(loadSeconds, 2)} s; ${lags.length} blocks`,
        },
      ];
    }
    return [
      {
        name: `${kind}: index lag behind the node at single-validator saturation (block committed → block indexed), p50`,
        value: rounded(percentile(lags, 50)),
        unit: 'ms',
        note: `${committed} txs committed in ${rounded(loadSeconds, 2)} s = ${rounded(committed / loadSeconds)} tx/s; ${lags.length} blocks`,
      },
      { name: `${kind}: index lag at saturation, p99`, value: rounded(percentile(lags, 99)), unit: 'ms', target: 1_000 },
      { name: `${kind}: index lag at saturation, max`, value: rounded(lags.at(-1) ?? NaN), unit: 'ms', note: `the index caught up ${rounded(drainSeconds, 2)} s after the load ended` },
      {
        name: `${kind}: projector rate beside a saturated node (txs indexed ÷ time from the first submission to the last block indexed)`,
        value: rounded(committed / (loadSeconds + drainSeconds)),
        unit: 'tx/s',
        note: `the node committed ${rounded(committed / loadSeconds)} tx/s`,
      },
    ];
  } finally {
    await stop();
    await db.close();
  }
}

const bench: BenchCase = {
  name: 'index-ingest',
  async run(): Promise<BenchFigure[]> {
    const kinds: DatabaseKind[] = (await serverUnavailable()) === undefined ? ['pglite', 'postgres'] : ['pglite'];
    const pool = createVerifierPool();
    const keys = benchSigners(ACCOUNTS);
    const figures: BenchFigure[] = [];
    try {
      // A chain of transfers and faucet payouts, then rounds of market activity: offers, loans, repayments.
      const { node, stop } = await startBenchNode(CHAIN, pool, BLOCK_INTERVAL_MS);
      try {
        await submitAll(node, benchWorkload(CHAIN, keys, TXS_PER_ACCOUNT));
        await runMarketWorkload(node, { actors: 40, rounds: 12, stop: () => false });
        for (const kind of kinds) figures.push(...(await ingest(kind, node)));
      } finally {
        await stop();
      }
      const load = benchWorkload(CHAIN, benchSigners(ACCOUNTS), LAG_TXS_PER_ACCOUNT);
      for (const kind of kinds) figures.push(...(await lagUnderLoad(kind, pool, load)));
      const paced = benchWorkload(CHAIN, benchSigners(ACCOUNTS), PACED_TXS_PER_ACCOUNT);
      for (const kind of kinds) figures.push(...(await lagUnderLoad(kind, pool, paced, PACED_RATE)));
    } finally {
      await pool.close();
    }
    return figures;
  },
};

export default bench;
