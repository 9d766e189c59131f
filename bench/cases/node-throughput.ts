import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import type { KeyPair } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { DEFAULT_CONFIG, type NodeConfig } from '../../node/home/config.js';
import type { Genesis } from '../../node/home/genesis-file.js';
import { devnetMarket, type Home } from '../../node/home/home.js';
import { runNode } from '../../node/ledger/run.js';
import { LedgerNode, type SubmitResult } from '../../node/ledger/ledger-node.js';
import { openStore } from '../../node/store/index.js';
import { benchSigners, type BenchSigner, type BenchTx, benchWorkload } from '../workload.js';
import { rounded, threadTicks, type BenchCase, type BenchFigure } from '../harness.js';
import { rawVerifyLimit } from '../raw-verify-limit.js';

/**
 * End-to-end single-validator throughput: a real node wired as node/ledger/run.ts wires it
 * (runNode: classic-level store in a temp dir, the worker-thread verifier pool and the
 * signature cache), fed pre-signed transfers and faucet payouts from ACCOUNTS accounts with
 * WINDOW submissions in flight. Throughput counts transactions committed (durable: the block's
 * store write is synced before `committed` resolves) from the first submit to the last result.
 * The limit is the machine's raw all-core verification rate measured in the same run, as
 * bench/cases/verify-parallel.ts measures it (one thread per core calling crypto.verify with
 * KeyObjects made beforehand), on these transactions' own sign bytes.
 */

const ACCOUNTS = 5_000;
const TXS_PER_ACCOUNT = 12;
const WINDOW = 8_000;
const BLOCK_INTERVAL_MS = 100;
const RAW_MS = 1_500;
const CHAIN = 'lendnet-bench-node';

function rawLimit(keys: BenchSigner[], txs: BenchTx[], threads: number, ms: number): Promise<number> {
  const items = txs.slice(0, 4_000).map(({ signer, message, signature }) => ({ signer, message, signature }));
  return rawVerifyLimit({ spki: keys.map((key) => key.spki), items }, threads, ms);
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Phase {
  readonly submitted: number;
  readonly committed: number;
  readonly seconds: number;
  readonly latencies: Float64Array;
  readonly refusals: Map<string, number>;
  readonly blocks: number[];
  readonly elu: { utilization: number; active: number; idle: number };
  /** CPU time of the whole process (every thread), microseconds. */
  readonly cpuMicros: number;
  /** CPU time per thread during the run, microseconds: the main thread first, then the others, most first. */
  readonly threads: { readonly main: number; readonly others: number[] };
}

const MICROS_PER_TICK = 10_000;

function threadsBetween(before: Map<number, number>, after: Map<number, number>): { main: number; others: number[] } {
  let main = 0;
  const others: number[] = [];
  for (const [id, ticks] of after) {
    const micros = (ticks - (before.get(id) ?? 0)) * MICROS_PER_TICK;
    if (id === process.pid) main = micros;
    else if (micros > 0) others.push(micros);
  }
  return { main, others: others.sort((a, b) => b - a) };
}

/**
 * One run on a fresh node started by runNode (as the CLI starts it) in a temp dir.
 * 'window': txs in round-robin order with WINDOW submissions in flight.
 * 'chained': every account submits its next nonce once its previous transaction's result is
 * in, all accounts at once.
 */
async function runPhase(genesis: Genesis, validator: KeyPair, txs: BenchTx[], mode: 'window' | 'chained', signatures: 'verified' | 'trusted' = 'verified'): Promise<Phase> {
  const config: NodeConfig = { ...DEFAULT_CONFIG, blockIntervalMs: BLOCK_INTERVAL_MS, mempool: { maxTxs: 200_000, maxPerAccount: 1_000 }, logLevel: 'error' };
  const dir = await mkdtemp(join(tmpdir(), 'lendnet-node-throughput-'));
  const home: Home = { dir, config, genesis, validatorKey: validator, dataDir: join(dir, 'data') };
  const running = signatures === 'verified' ? await runNode(home, pino({ level: 'silent' })) : await startTrusting(home);
  const blocks: number[] = [];
  running.node.subscribe((block) => blocks.push(block.txIds.length));
  const latencies = new Float64Array(txs.length);
  const refusals = new Map<string, number>();
  let committed = 0;
  let started = 0;
  let finished = 0;
  const before = performance.eventLoopUtilization();
  const cpuBefore = process.cpuUsage();
  const ticksBefore = threadTicks();
  let ticksAfter = ticksBefore;
  try {
    started = performance.now();
    await new Promise<void>((resolve, reject) => {
      let outstanding = 0;
      let done = 0;
      const submit = (index: number, then: () => void): void => {
        const sent = performance.now();
        outstanding += 1;
        running.node.submit(txs[index]!.wire).then((result: SubmitResult) => {
          latencies[index] = performance.now() - sent;
          if (result.status === 'committed') committed += 1;
          else {
            const key = `${result.code}: ${result.message.replace(/[0-9]+/g, 'N')}`;
            refusals.set(key, (refusals.get(key) ?? 0) + 1);
          }
          outstanding -= 1;
          done += 1;
          then();
          if (done === txs.length) resolve();
        }, reject);
      };
      if (mode === 'window') {
        let next = 0;
        const launch = (): void => {
          while (outstanding < WINDOW && next < txs.length) submit(next++, launch);
        };
        launch();
      } else {
        // txs are ordered nonce-major: account a's nonce k is at k * ACCOUNTS + a.
        const chain = (index: number): void => submit(index, () => index + ACCOUNTS < txs.length && chain(index + ACCOUNTS));
        for (let account = 0; account < ACCOUNTS; account++) chain(account);
      }
    });
    finished = performance.now();
    ticksAfter = threadTicks();
  } finally {
    await running.stop();
  }
  const elu = performance.eventLoopUtilization(before);
  const cpu = process.cpuUsage(cpuBefore);
  await rm(dir, { recursive: true, force: true });
  return { submitted: txs.length, committed, seconds: (finished - started) / 1000, latencies, refusals, blocks, elu, cpuMicros: cpu.user + cpu.system, threads: threadsBetween(ticksBefore, ticksAfter) };
}

/**
 * The same node with every signature taken as valid and none verified: what the node costs
 * beside verification (decoding, the mempool's pending state, execution, the state tree, the
 * store), for the budget in the note. Not a way to run a node.
 */
async function startTrusting(home: Home): Promise<{ readonly node: LedgerNode; stop(): Promise<void> }> {
  const store = await openStore(home.dataDir);
  const node = await LedgerNode.open({
    genesis: home.genesis,
    checkSignatures: async (txs) => txs.map(() => true),
    config: home.config,
    store,
    validatorKey: home.validatorKey,
    onFatal: (error) => {
      throw error;
    },
  });
  await node.start();
  return {
    node,
    async stop() {
      await node.stop();
      await store.close();
    },
  };
}

function perTx(micros: number, phase: Phase): number {
  return rounded(micros / Math.max(1, phase.committed), 1);
}

function figures(phase: Phase, how: string, limit: number, limitNote: string): BenchFigure[] {
  const rate = phase.committed / phase.seconds;
  const sorted = Float64Array.from(phase.latencies).sort();
  const refusedCount = [...phase.refusals.values()].reduce((sum, n) => sum + n, 0);
  const nonEmpty = phase.blocks.filter((n) => n > 0);
  return [
    {
      name: `${how}: committed and durable, runNode single validator, ${phase.submitted} transfers+faucets from ${ACCOUNTS} accounts, blocks every ${BLOCK_INTERVAL_MS} ms`,
      value: rounded(rate),
      unit: 'tx/s',
      limit: rounded(limit),
      ratio: rounded(rate / limit, 3),
      target: 0.7,
      note: `${phase.committed} of ${phase.submitted} committed in ${rounded(phase.seconds, 2)} s; ${limitNote}`,
    },
    { name: `${how}: latency p50, submit to result`, value: rounded(percentile(sorted, 50), 1), unit: 'ms' },
    { name: `${how}: latency p99, submit to result`, value: rounded(percentile(sorted, 99), 1), unit: 'ms' },
    {
      name: `${how}: refusals`,
      value: refusedCount,
      unit: 'txs',
      note: refusedCount === 0 ? 'none' : [...phase.refusals].map(([code, n]) => `${code}: ${n}`).join('; '),
    },
    {
      name: `${how}: CPU per committed tx, all threads`,
      value: rounded(phase.cpuMicros / Math.max(1, phase.committed), 1),
      unit: 'µs',
      note: `${rounded(phase.cpuMicros / 1e6, 2)} CPU-s in ${rounded(phase.seconds, 2)} s on ${availableParallelism()} cores; verification alone at the limit costs ${rounded((availableParallelism() * 1e6) / limit, 1)} µs per tx; per thread, µs per tx: main ${perTx(phase.threads.main, phase)}, others ${phase.threads.others.map((micros) => perTx(micros, phase)).join(', ')}`,
    },
    {
      name: `${how}: blocks with txs`,
      value: nonEmpty.length,
      unit: 'blocks',
      note: `txs per block: mean ${rounded(phase.committed / Math.max(1, nonEmpty.length))}, max ${Math.max(0, ...nonEmpty)}; main-thread event-loop utilization ${rounded(phase.elu.utilization, 3)} (busy ${rounded(phase.elu.active / 1000, 2)} s)`,
    },
  ];
}

const bench: BenchCase = {
  name: 'node-throughput',
  async run(): Promise<BenchFigure[]> {
    const cores = availableParallelism();
    const signStarted = performance.now();
    const keys = benchSigners(ACCOUNTS);
    const txs = benchWorkload(CHAIN, keys, TXS_PER_ACCOUNT);
    const signMs = performance.now() - signStarted;

    const limits: number[] = [];
    limits.push(await rawLimit(keys, txs, cores, RAW_MS));

    const validator: KeyPair = testKey('bench-validator');
    const genesis: Genesis = {
      genesisTime: 1_700_000_000,
      market: devnetMarket(CHAIN, testKey('bench-issuer').account),
      validators: [{ account: validator.account, power: 1 }],
    };
    const pipelined = await runPhase(genesis, validator, txs, 'window');
    const chained = await runPhase(genesis, validator, txs, 'chained');
    const trusted = await runPhase(genesis, validator, txs, 'chained', 'trusted');
    limits.push(await rawLimit(keys, txs, cores, RAW_MS));
    const limit = Math.max(...limits);
    const limitNote = `limit: raw crypto.verify on ${cores} threads (all cores), best of ${limits.length} rounds (${limits.map((l) => rounded(l)).join(', ')}) before and after the node runs`;
    return [
      ...figures(chained, `one tx per account in flight (next nonce after the previous one's result; up to ${ACCOUNTS} in flight)`, limit, limitNote),
      ...figures(pipelined, `round-robin, ${WINDOW} in flight (several nonces per account in flight)`, limit, limitNote),
      {
        name: 'the node beside verification: CPU per committed tx, all threads, signatures trusted and not verified (one tx per account in flight)',
        value: rounded(trusted.cpuMicros / Math.max(1, trusted.committed), 1),
        unit: 'µs',
        note: `main thread ${perTx(trusted.threads.main, trusted)} µs, others ${trusted.threads.others.map((micros) => perTx(micros, trusted)).join(', ')}; ${trusted.committed} of ${trusted.submitted} committed in ${rounded(trusted.seconds, 2)} s (${rounded(trusted.committed / trusted.seconds)} tx/s); verification at the limit costs ${rounded((cores * 1e6) / limit, 1)} µs of CPU per tx, so a ratio of 0.7 leaves ${rounded(((cores * 1e6) / limit) * (1 / 0.7 - 1), 1)} µs for everything else`,
      },
      { name: `pre-signing (node:crypto ed25519, ${ACCOUNTS} keys + all ${ACCOUNTS * TXS_PER_ACCOUNT} txs)`, value: rounded(signMs), unit: 'ms' },
    ];
  },
};

export default bench;
