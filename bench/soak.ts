import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { rounded } from './harness.js';
import { percentile } from './index-kit.js';
import { SoakLoad, type LoadWindow } from './soak-load.js';
import { startSoakNode, type SoakNode } from './soak-node.js';

/**
 * `npm run soak`: sustained load on a node run as operators run it. Starts `lendnet start
 * --no-web` on a fresh single-validator devnet home (its config as `lendnet init --devnet` writes
 * it: blocks every second, mempool 50,000 / 64 per account; node, index on embedded PGlite, or on
 * the Postgres server of --database-url, and API in one process, web app off), and drives it over
 * HTTP with tx.submit from ACCOUNTS accounts (bench/soak-load.ts).
 *
 * 1. Saturation: offered load rising by half each step, from --ramp-start tx/s, until the
 *    committed rate falls below 90 % of the offered one or rises less than 5 % on the step
 *    before; saturation is the highest committed rate of a step.
 * 2. The hold: 80 % of saturation for --minutes (10), one line every --window seconds (30).
 * 3. The verdicts. Memory is flat when the least-squares slope of the node's RSS floor (the
 *    lowest of each full minute of the hold after the warm-up, a sample every 5 s: the level GC
 *    returns to, without its sawtooth of a few hundred MiB) is under FLAT_MIB_PER_MIN or 0.2 % of
 *    the RSS a minute (2 % per 10 minutes), whichever is larger. Throughput holds unless the committed
 *    rate is under 90 % of the offered load for two windows in a row. Exit 1 if either fails.
 *
 *    The warm-up is the first WARM_UP_MINUTES of the hold (the first minute when the hold is
 *    under 6 minutes). The node's caches are bounded but fill under load: the signature cache's
 *    200,000 verdicts take two minutes at 1,500 tx/s, and LevelDB's 64 MiB block cache and PGlite's
 *    128 MiB shared buffers fill as the chain and the index grow. In a 10-minute hold at 1,562
 *    tx/s the floors rose from 1,003 to 1,089 MiB over minutes 1-3, then by 0.27 MiB/min; a
 *    15-minute hold at 1,857 tx/s, which fell behind its load, still rose 4.6 MiB/min after them.
 *
 * The series goes to --out (bench/results/soak-<time>.json). A script, not part of npm test.
 */

const FLAT_MIB_PER_MIN = 1;
const WARM_UP_MINUTES = 3;
const FLAT_SHARE_PER_MIN = 0.002;
const HOLD_SHARE = 0.8;
const KEEPS_UP = 0.9;
const SAMPLE_MS = 5_000;
const RAMP_FACTOR = 1.5;
const RAMP_STEPS = 12;
const MIB = 2 ** 20;

interface Options {
  readonly minutes: number;
  readonly windowSeconds: number;
  readonly accounts: number;
  readonly rampStart: number;
  readonly rampStepSeconds: number;
  /** A load to hold instead of 80 % of a saturation measured first. */
  readonly rate: number | undefined;
  readonly out: string;
  readonly keepHome: boolean;
  /** A Postgres server for the node's index instead of embedded PGlite. */
  readonly databaseUrl: string | undefined;
}

function parseOptions(argv: readonly string[]): Options {
  const flags = new Map<string, string>();
  let keepHome = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--keep-home') keepHome = true;
    else if (arg.startsWith('--') && argv[i + 1] !== undefined) flags.set(arg, argv[++i]!);
    else throw new Error(`unknown argument ${arg}; usage: npm run soak -- [--minutes N] [--window S] [--accounts N] [--ramp-start TX/S] [--ramp-step S] [--rate TX/S] [--out FILE] [--keep-home] [--database-url URL]`);
  }
  const number = (flag: string, fallback: number) => {
    const text = flags.get(flag);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!(value > 0)) throw new Error(`${flag} must be a positive number, not "${text}"`);
    return value;
  };
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return {
    minutes: number('--minutes', 10),
    windowSeconds: number('--window', 30),
    accounts: Math.round(number('--accounts', 6_000)),
    rampStart: number('--ramp-start', 100),
    rampStepSeconds: number('--ramp-step', 15),
    rate: flags.has('--rate') ? number('--rate', 0) : undefined,
    out: flags.get('--out') ?? join(import.meta.dirname, 'results', `soak-${stamp}.json`),
    keepHome,
    databaseUrl: flags.get('--database-url'),
  };
}

/** One reading of the node: from /proc and its /metrics. */
interface Sample {
  /** Seconds since the hold began (negative before). */
  readonly t: number;
  readonly rssMiB: number;
  readonly heapMiB: number;
  readonly committedTotal: number;
  readonly mempool: number;
  readonly indexLag: number;
  readonly cpuSeconds: number;
  /** CPU time of this process, the load generator, in seconds. */
  readonly loadCpuSeconds: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number | undefined) => rounded((bytes ?? NaN) / MIB, 1);
const codes = (counts: ReadonlyMap<string, number>) => (counts.size === 0 ? 'none' : [...counts].map(([code, n]) => `${code} ${n}`).join(', '));

function cpuSecondsOfThisProcess(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function sample(node: SoakNode, holdStart: number): Promise<Sample> {
  const metrics = await node.metrics();
  return {
    t: (performance.now() - holdStart) / 1000,
    rssMiB: mib(node.rssBytes() ?? metrics.get('process_resident_memory_bytes')),
    heapMiB: mib(metrics.get('nodejs_heap_size_used_bytes')),
    committedTotal: metrics.get('lendnet_committed_txs_total') ?? NaN,
    mempool: metrics.get('lendnet_mempool_size') ?? NaN,
    indexLag: metrics.get('lendnet_index_lag_blocks') ?? NaN,
    cpuSeconds: node.cpuSeconds() ?? NaN,
    loadCpuSeconds: cpuSecondsOfThisProcess(),
  };
}

/**
 * The lowest RSS of each full minute of the hold (the last, partial minute left out); every
 * sample's own minute when the hold is under three minutes.
 */
function minuteFloors(samples: readonly { readonly t: number; readonly rssMiB: number }[]): { minute: number; rssMiB: number }[] {
  const byMinute = new Map<number, number>();
  const last = Math.floor((samples.at(-1)?.t ?? 0) / 60);
  for (const s of samples) {
    const minute = Math.floor(s.t / 60);
    if (last >= 3 && minute >= last) continue;
    byMinute.set(minute, Math.min(byMinute.get(minute) ?? Number.POSITIVE_INFINITY, s.rssMiB));
  }
  return [...byMinute].map(([minute, rssMiB]) => ({ minute, rssMiB }));
}

/** Least-squares slope of y over t, per unit of t. */
export function slope(points: readonly { readonly t: number; readonly y: number }[]): number {
  if (points.length < 2) return NaN;
  const meanT = points.reduce((sum, p) => sum + p.t, 0) / points.length;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - meanT) * (p.y - meanY);
    den += (p.t - meanT) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

/** A window's figures: the node's between two samples, the load generator's since the last window. */
function windowFigures(from: Sample, to: Sample, load: LoadWindow, offered: number, inFlight: number) {
  const seconds = to.t - from.t;
  return {
    elapsed: rounded(to.t),
    offered,
    committedPerSecond: rounded((to.committedTotal - from.committedTotal) / seconds, 1),
    sentPerSecond: rounded(load.sent / seconds, 1),
    answeredCommitted: load.committed,
    inFlight,
    mempool: to.mempool,
    indexLag: to.indexLag,
    rssMiB: to.rssMiB,
    heapMiB: to.heapMiB,
    nodeCpuPercent: rounded(((to.cpuSeconds - from.cpuSeconds) / seconds) * 100),
    loadCpuPercent: rounded(((to.loadCpuSeconds - from.loadCpuSeconds) / seconds) * 100),
    loadAverage: rounded(loadavg()[0]!, 2),
    latencyP50Ms: rounded(percentile(load.latencies, 50)),
    latencyP99Ms: rounded(percentile(load.latencies, 99)),
    refusals: Object.fromEntries(load.refusals),
    failures: Object.fromEntries(load.failures),
    shortfall: load.shortfall,
  };
}
type WindowFigures = ReturnType<typeof windowFigures>;

function clock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

function notSent({ noIdleAccount, generatorBehind }: LoadWindow['shortfall']): string {
  const parts = [noIdleAccount > 0 ? `${noIdleAccount} (no idle account)` : '', generatorBehind > 0 ? `${generatorBehind} (generator behind)` : ''].filter(Boolean);
  return parts.length === 0 ? '' : `  not sent: ${parts.join(', ')}`;
}

function line(w: WindowFigures): string {
  const refused = codes(new Map([...Object.entries(w.refusals), ...Object.entries(w.failures)]));
  return (
    `${clock(w.elapsed).padStart(6)}  committed ${w.committedPerSecond} tx/s (offered ${w.offered}, sent ${w.sentPerSecond})  mempool ${w.mempool}  index lag ${w.indexLag}  ` +
    `RSS ${w.rssMiB} MiB  heap ${w.heapMiB} MiB  CPU node ${w.nodeCpuPercent} % generator ${w.loadCpuPercent} %  load ${w.loadAverage}  p50/p99 ${w.latencyP50Ms}/${w.latencyP99Ms} ms  ` +
    `in flight ${w.inFlight}  refused: ${refused}${notSent(w.shortfall)}`
  );
}

/**
 * Offered load rising by half a step until the committed rate stops following it. A step's
 * goodput is the committed rate, but no more than the rate sent in the same step (commits lag
 * sends, so a step also commits some of the step before's).
 */
async function findSaturation(node: SoakNode, load: SoakLoad, options: Options) {
  const steps: (WindowFigures & { readonly goodput: number })[] = [];
  let rate = options.rampStart;
  const settleMs = Math.min(5_000, (options.rampStepSeconds * 1000) / 3);
  for (let step = 0; step < RAMP_STEPS; step++) {
    load.setRate(rate);
    await sleep(settleMs);
    const from = await sample(node, 0);
    load.take();
    await sleep(options.rampStepSeconds * 1000 - settleMs);
    const to = await sample(node, 0);
    const figures = windowFigures(from, to, load.take(), rate, load.pending);
    const goodput = Math.min(figures.committedPerSecond, figures.sentPerSecond);
    steps.push({ ...figures, goodput });
    console.log(`  ramp ${String(step + 1).padStart(2)}: ${line(figures).trim().replace(/^\S+\s+/, '')}`);
    const previous = steps.at(-2)?.goodput ?? 0;
    // Every account waiting for its answer: the answers take too long for the load offered.
    const starved = figures.shortfall.noIdleAccount > 0.05 * rate * (to.t - from.t);
    if (goodput < KEEPS_UP * rate || goodput < previous * 1.05 || starved) break;
    rate = Math.round(rate * RAMP_FACTOR);
  }
  return { steps, saturation: Math.max(...steps.map((s) => s.goodput)) };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const started = new Date();
  console.log(`soak: ${options.minutes} min at ${options.rate === undefined ? `${HOLD_SHARE * 100} % of saturation` : `${options.rate} tx/s`} on ${availableParallelism()} cores, load average ${loadavg().map((l) => rounded(l, 2)).join(' ')}`);
  const node = await startSoakNode(undefined, options.databaseUrl);
  try {
    return await soak(node, options, started);
  } finally {
    stopping = true;
    const exit = await node.stop(options.keepHome);
    console.log(`node stopped (exit ${exit})${options.keepHome ? `; home kept at ${node.home}, log ${node.logFile}` : ''}`);
  }
}

let stopping = false;

async function soak(node: SoakNode, options: Options, started: Date): Promise<number> {
  process.once('SIGINT', () => {
    stopping = true;
    void node.stop(options.keepHome).then(() => process.exit(130));
  });
  void node.exited.then((code) => {
    if (!stopping) {
      console.error(`soak: the node exited with ${code} during the run; see ${node.logFile}`);
      process.exit(1);
    }
  });
  const { config } = node;
  console.log(
    `system under test: lendnet start --no-web, pid ${node.pid}, ${node.origin}: node + index (${options.databaseUrl === undefined ? 'embedded PGlite' : 'a Postgres server'}) + API on, web app off; ` +
      `single-validator devnet, blocks every ${config.blockIntervalMs} ms, mempool ${config.mempool.maxTxs} txs / ${config.mempool.maxPerAccount} per account`,
  );
  console.log(`load: tx.submit (wait: true) over HTTP in batches of up to 20, ${options.accounts} accounts, one transaction each awaiting its answer; a faucet payout, then transfers of 1`);
  const load = new SoakLoad(node.origin, node.chainId, options.accounts);

  let ramp: Awaited<ReturnType<typeof findSaturation>> = { steps: [], saturation: NaN };
  if (options.rate === undefined) {
    console.log(`saturation: offered load from ${options.rampStart} tx/s, ×${RAMP_FACTOR} every ${options.rampStepSeconds} s (goodput over each step's last ${rounded(options.rampStepSeconds - Math.min(5, options.rampStepSeconds / 3), 1)} s: committed, at most as many as sent)`);
    ramp = await findSaturation(node, load, options);
    await load.settle(60_000);
  }
  const offered = options.rate ?? Math.max(1, Math.round(HOLD_SHARE * ramp.saturation));
  console.log(`${options.rate === undefined ? `saturation ${ramp.saturation} tx/s; holding` : 'no ramp (--rate); holding'} ${offered} tx/s for ${options.minutes} min`);

  const holdStart = performance.now();
  const holdMs = options.minutes * 60_000;
  const samples: Sample[] = [await sample(node, holdStart)];
  const windows: WindowFigures[] = [];
  load.take();
  load.setRate(offered);
  // Each window's load figures run from one take() to the next, each right after its sample.
  let windowStart = samples[0]!;
  let behind = 0;
  let fellBehind = false;
  for (let next = SAMPLE_MS; next <= holdMs; next += SAMPLE_MS) {
    await sleep(Math.max(0, holdStart + next - performance.now()));
    const now = await sample(node, holdStart);
    samples.push(now);
    const taken = now.t - windowStart.t >= options.windowSeconds - SAMPLE_MS / 2000 || next + SAMPLE_MS > holdMs ? load.take() : undefined;
    if (!taken) continue;
    const figures = windowFigures(windowStart, now, taken, offered, load.pending);
    windows.push(figures);
    console.log(line(figures));
    windowStart = now;
    behind = figures.committedPerSecond < KEEPS_UP * offered ? behind + 1 : 0;
    if (behind >= 2) fellBehind = true;
  }
  await load.settle(30_000);
  load.close();

  // Every floor is reported; the verdict takes those after the warm-up.
  const allFloors = minuteFloors(samples);
  const warmUp = options.minutes >= 2 * WARM_UP_MINUTES ? WARM_UP_MINUTES : 1;
  const floors = allFloors.filter((f) => f.minute >= warmUp);
  const rssSlope = slope(floors.map((f) => ({ t: f.minute, y: f.rssMiB })));
  const heapSlope = slope(samples.map((s) => ({ t: s.t / 60, y: s.heapMiB })));
  const meanRss = floors.reduce((sum, f) => sum + f.rssMiB, 0) / Math.max(1, floors.length);
  const threshold = Math.max(FLAT_MIB_PER_MIN, FLAT_SHARE_PER_MIN * meanRss);
  const flat = rssSlope < threshold;
  const rates = windows.map((w) => w.committedPerSecond);
  const summary = {
    saturation: ramp.saturation,
    offered,
    committedMean: rounded(rates.reduce((sum, r) => sum + r, 0) / Math.max(1, rates.length), 1),
    committedMin: Math.min(...rates),
    rssStartMiB: samples[0]!.rssMiB,
    rssEndMiB: samples.at(-1)!.rssMiB,
    rssMaxMiB: Math.max(...samples.map((s) => s.rssMiB)),
    rssFloorsMiB: allFloors.map((f) => f.rssMiB),
    warmUpMinutes: warmUp,
    rssSlopeMiBPerMin: rounded(rssSlope, 2),
    heapSlopeMiBPerMin: rounded(heapSlope, 2),
    flatThresholdMiBPerMin: rounded(threshold, 2),
    memory: flat ? 'memory flat' : 'memory grows',
    throughput: fellBehind ? `committed under ${KEEPS_UP * 100} % of offered for two windows in a row` : 'kept up',
    accountsRetired: load.retired,
    loadAverage: loadavg().map((l) => rounded(l, 2)),
  };
  console.log('summary:');
  console.log(`  saturation ${options.rate === undefined ? `${summary.saturation} tx/s` : 'not measured'}; offered ${offered} tx/s${options.rate === undefined ? ` (${HOLD_SHARE * 100} %)` : ' (--rate)'} for ${options.minutes} min`);
  console.log(`  committed: mean ${summary.committedMean} tx/s, min ${summary.committedMin} tx/s over ${windows.length} windows: ${summary.throughput}`);
  console.log(`  RSS: ${summary.rssStartMiB} MiB at the start of the hold, ${summary.rssEndMiB} MiB at the end, ${summary.rssMaxMiB} MiB at most`);
  console.log(
    `  RSS floor by minute from 0 (${summary.rssFloorsMiB.join(', ')} MiB): slope after the ${warmUp}-minute warm-up ${summary.rssSlopeMiBPerMin} MiB/min (heap over the hold ${summary.heapSlopeMiBPerMin} MiB/min); ` +
      `flat below ${summary.flatThresholdMiBPerMin} MiB/min: ${summary.memory}`,
  );
  console.log(`  accounts retired (outcome unknown or nonce out of step): ${load.retired}; load average ${summary.loadAverage.join(' ')}`);

  await mkdir(dirname(options.out), { recursive: true });
  // The default results folder keeps itself out of git.
  const ignore = join(dirname(options.out), '.gitignore');
  if (options.out.startsWith(join(import.meta.dirname, 'results')) && !existsSync(ignore)) await writeFile(ignore, '*\n');
  const record = { startedAt: started.toISOString(), cores: availableParallelism(), options, node: { pid: node.pid, config, parts: `node + index (${options.databaseUrl === undefined ? 'PGlite' : 'Postgres server'}) + API; web off` }, ramp: ramp.steps, windows, samples, summary };
  await writeFile(options.out, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`  series written to ${options.out}`);
  return flat && !fellBehind ? 0 : 1;
}

const code = await main().catch((error: unknown) => {
  console.error(`soak: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
});
// The load generator's sockets may still be open after a failure; nothing is left to finish.
process.exit(code);
