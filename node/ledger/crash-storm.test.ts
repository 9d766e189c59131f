import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blockHash, type CanonicalValue, decodeBlock, signTransaction } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { readApiAddress } from '../home/api-address.js';
import { homePaths } from '../home/home.js';
import { writeNetworkHomes } from '../home/network-homes.js';
import { openStore } from '../store/index.js';
import { FAST_NETWORK_CONFIG, type NodeProcess, NodeProcesses, waitFor } from './node-processes.js';
import { readStatus } from './run.js';
import { seededRandom } from '../../contracts/test/seeded-random.js';

/**
 * A crash storm: four validators as separate `lendnet start` processes (each with its
 * embedded index and its projector in the same process) under sustained load from the test,
 * which submits signed faucet and transfer transactions over the API. One validator at a time
 * is killed with SIGKILL at a random moment, mid-block and mid-index-write, and restarted
 * after a short random delay; twice, while it is down, `lendnet reindex` (the projector run
 * on its own) is started on its home and killed with SIGKILL part way through its rebuild.
 * Then the load stops and the four settle at one height. No transaction the API answered
 * "committed" is lost: each is in the block it was acknowledged at, on every node. Every node
 * holds the same blocks, so the same state roots, and `lendnet audit verify` finds each node's
 * index equal to its replayed chain. The schedule of kills comes from SEED (printed).
 */

const SEED = process.env.SEED ? Number(process.env.SEED) : randomInt(2 ** 31);
const KILLS = 6;
/** Kills after which the home's index rebuild is killed too, before the node restarts. */
const REINDEX_KILLS = new Set([1, 4]);
const ACTORS = 6;
const LOAD_CONFIG = { ...FAST_NETWORK_CONFIG, emptyBlocks: false, api: { requestsPerMinutePerIp: 1_000_000, burstPerIp: 100_000 } };

const nodes = new NodeProcesses();
const folders: string[] = [];
let stopLoad = () => {};

afterEach(async () => {
  stopLoad();
  await nodes.stopAll();
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Four free consecutive ports below the ephemeral range (32768 and up), for the nodes' p2p addresses. */
async function freePorts(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (;;) {
    const base = 22_000 + randomInt(1_000) * 10;
    if ((await Promise.all([0, 1, 2, 3].map((i) => free(base + i)))).every(Boolean)) return base;
  }
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One validator of the four: its home, its current process, and its API while it serves. */
interface ValidatorNode {
  readonly home: string;
  proc: NodeProcess;
  url: string | undefined;
}

/** What the API answered: a result, or an error with its stable code and details. */
type Answer = { readonly ok: true; readonly data: Record<string, unknown> } | { readonly ok: false; readonly code: string; readonly details: Record<string, string> };

/** Calls a tRPC procedure over HTTP; throws if the node does not answer (killed, or not within 10 s). */
async function call(url: string, procedure: string, input?: Record<string, string>, mutation = false): Promise<Answer> {
  const signal = AbortSignal.timeout(10_000);
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = mutation
    ? await fetch(`${url}/api/trpc/${procedure}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input), signal })
    : await fetch(`${url}/api/trpc/${procedure}${query}`, { signal });
  const body = (await response.json()) as { result?: { data: Record<string, unknown> }; error?: { data?: { code?: string; details?: Record<string, string> } } };
  if (body.result) return { ok: true, data: body.result.data };
  return { ok: false, code: body.error?.data?.code ?? `HTTP ${response.status}`, details: body.error?.data?.details ?? {} };
}

/** A transaction the API answered "committed" for, with the height it named. */
interface Acknowledged {
  readonly id: string;
  readonly height: number;
}

/** Figures of the load, for the log. */
interface LoadFigures {
  acknowledged: Acknowledged[];
  /** Committed, but the answer was lost with the node that took it (found on the chain later). */
  committedUnanswered: number;
  /** Submissions cut off by a kill, or not answered in time, and sent again. */
  interrupted: number;
}

/**
 * Sends one signed transaction until its fate is known: answered "committed" (acknowledged),
 * or found on the chain after a node that took it died. Each try goes to the next live node.
 */
async function deliver(validators: readonly ValidatorNode[], next: () => number, id: string, wire: string, nonce: bigint, figures: LoadFigures, stopped: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!stopped()) {
    if (Date.now() > deadline) throw new Error(`transaction ${id} was never settled`);
    const live = validators.filter((v) => v.url !== undefined);
    const url = live[next() % Math.max(1, live.length)]?.url;
    if (url === undefined) {
      await sleep(100);
      continue;
    }
    let answer: Answer;
    try {
      answer = await call(url, 'tx.submit', { wire }, true);
    } catch {
      figures.interrupted += 1;
      await sleep(100);
      continue;
    }
    if (answer.ok) {
      figures.acknowledged.push({ id, height: Number(answer.data.height) });
      return;
    }
    // Waiting in a mempool already, or a node restarting: try again shortly.
    if (['ALREADY_KNOWN', 'NODE_STOPPING', 'UNAVAILABLE', 'TOO_MANY_REQUESTS'].includes(answer.code)) {
      await sleep(200);
      continue;
    }
    if (answer.code === 'BAD_NONCE') {
      // A node behind has not seen this account's last transaction yet: ask another.
      if (BigInt(answer.details.expected ?? '0') < nonce) {
        await sleep(100);
        continue;
      }
      // Its nonce is used: by this transaction, sent before to a node that died before answering.
      const status = await call(url, 'tx.status', { id }).catch(() => undefined);
      if (status?.ok && status.data.status === 'committed') {
        figures.committedUnanswered += 1;
        return;
      }
      await sleep(200);
      continue;
    }
    throw new Error(`transaction ${id} was refused: ${answer.code}`);
  }
}

/** Actors each sending their next faucet or transfer transaction once the last one's fate is known. */
function startLoad(chainId: string, validators: readonly ValidatorNode[]) {
  const figures: LoadFigures = { acknowledged: [], committedUnanswered: 0, interrupted: 0 };
  let stopped = false;
  let turn = 0;
  const next = () => turn++;
  const keys = Array.from({ length: ACTORS }, (_, i) => testKey(`storm-actor-${i}`));
  const actors = keys.map(async (key, i) => {
    for (let nonce = 0n; !stopped; nonce++) {
      const to = keys[(i + 1) % ACTORS]!.account;
      // Funds first and every third transaction; transfers to the next actor otherwise.
      const [type, body]: [string, CanonicalValue] = nonce % 3n === 0n ? ['faucet', { asset: 'USD', amount: 1_000_000n }] : ['transfer', { asset: 'USD', to, amount: 1n + (nonce % 97n) }];
      const signed = signTransaction({ chainId, type, signer: key.account, nonce, body }, key.secretKey);
      await deliver(validators, next, signed.id, signed.encoded, nonce, figures, () => stopped);
    }
  });
  const stop = async () => {
    stopped = true;
    await Promise.all(actors);
  };
  stopLoad = () => void (stopped = true);
  return { figures, stop };
}

/** The status a home's current process wrote, or undefined (none yet, or the file is being replaced). */
async function statusOf(v: ValidatorNode) {
  try {
    const found = await readStatus(v.home);
    return found && found.status.pid === v.proc.child.pid ? found.status : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a validator's node (its API is known once `serving`). */
const launch = (home: string): ValidatorNode => ({ home, proc: nodes.start(home), url: undefined });

/** Restarts a validator's node and waits until it serves its API. */
async function bringUp(v: ValidatorNode): Promise<void> {
  v.proc = nodes.start(v.home);
  await serving(v);
}

/** Waits until the validator's current process serves its API, and takes its address. */
async function serving(v: ValidatorNode): Promise<void> {
  await waitFor(`${v.home} to serve its API`, async () => {
    const address = await readApiAddress(v.home);
    if (address && address.pid === v.proc.child.pid) v.url = address.url;
    return v.url !== undefined;
  }, [v.proc], 60_000);
}

/**
 * `lendnet reindex` on a stopped node's home, killed with SIGKILL a random moment after it
 * has emptied the index and begun rebuilding it (or let finish, if it is quicker).
 */
async function killReindex(home: string, random: () => number): Promise<string> {
  const proc = nodes.run(home, ['reindex', '--home', home]);
  const killer = setInterval(() => {
    if (proc.log.join('').includes('rebuilding the')) {
      clearInterval(killer);
      setTimeout(() => proc.child.kill('SIGKILL'), Math.floor(random() * 400));
    }
  }, 20);
  const end = await nodes.exited(proc);
  clearInterval(killer);
  if (end !== 'SIGKILL' && end !== 0) throw new Error(`lendnet reindex failed (${end}): ${proc.log.join('').slice(-2_000)}`);
  return end === 'SIGKILL' ? 'reindex killed' : 'reindex finished first';
}

describe('a crash storm in a four-validator network of processes', () => {
  it('validators and their index projectors killed at random under load: nothing acknowledged is lost, one chain, every index equal to it', async () => {
    const started = performance.now();
    const random = seededRandom(SEED);
    console.info(`crash storm: SEED=${SEED}`);
    const out = await mkdtemp(join(tmpdir(), 'lendnet-storm-'));
    folders.push(out);
    const basePort = await freePorts();
    const { genesis, homes } = await writeNetworkHomes(out, { validators: 4, basePort, genesisTime: Math.floor(Date.now() / 1000), config: LOAD_CONFIG });
    const validators = homes.map((home) => launch(home.dir));
    const procs = () => validators.map((v) => v.proc);
    await Promise.all(validators.map(serving));
    const startedUp = performance.now();
    const load = startLoad(genesis.market.params.chainId, validators);
    await waitFor('the first transactions to commit', async () => load.figures.acknowledged.length >= 10, procs());

    const kills: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      await sleep(300 + random() * 1_500);
      const i = Math.floor(random() * validators.length);
      const v = validators[i]!;
      await nodes.stop(v.proc, 'SIGKILL');
      v.url = undefined;
      const down = REINDEX_KILLS.has(k) ? await killReindex(v.home, random) : 'down';
      await sleep(200 + random() * 800);
      const restarted = performance.now();
      await bringUp(v);
      kills.push(`v${i} (${down}, serving again in ${seconds(performance.now() - restarted)} s)`);
      // Back in step before the next kill, so that only one is ever down.
      const others = validators.filter((w) => w !== v);
      const target = Math.max(...(await Promise.all(others.map(async (w) => (await statusOf(w))?.height ?? 0)))) - 1;
      await waitFor(`v${i} to catch up to ${target}`, async () => ((await statusOf(v))?.height ?? 0) >= target, procs(), 60_000);
    }
    await load.stop();
    const loadEnded = performance.now();

    // The network goes idle: every node at one height, its index at that height too.
    await waitFor(
      'every node and its index at one height',
      async () => {
        const heads = await Promise.all(validators.map((v) => call(v.url!, 'chain.head').catch(() => undefined)));
        const heights = heads.map((head) => (head?.ok ? [Number(head.data.height), Number(head.data.indexedHeight)] : [-1, -2])).flat();
        return new Set(heights).size === 1;
      },
      procs(),
      60_000,
    );
    await Promise.all(validators.map((v) => nodes.stop(v.proc, 'SIGTERM')));

    // One chain: the same block at every height on every node, so the same state roots.
    const stores = await Promise.all(validators.map((v) => openStore(homePaths(v.home).data)));
    let top = 0;
    try {
      const heads = await Promise.all(stores.map(async (store) => (await store.head())?.height ?? 0));
      top = Math.min(...heads);
      expect(new Set(heads).size, `heads ${heads.join(', ')}`).toBe(1);
      for (let h = 1; h <= top; h++) {
        const headers = await Promise.all(stores.map(async (store) => decodeBlock((await store.getBlock(h))!).header));
        expect(new Set(headers.map(blockHash)).size, `blocks at height ${h}`).toBe(1);
      }
      const roots = await Promise.all(stores.map(async (store) => decodeBlock((await store.getBlock(top))!).header.stateRoot));
      expect(new Set(roots).size, 'state roots at the head').toBe(1);
      // Every acknowledged transaction, in the block it was acknowledged at, on every node.
      for (const [i, store] of stores.entries()) {
        const lost: string[] = [];
        for (const { id, height } of load.figures.acknowledged) if ((await store.getTx(id))?.height !== height) lost.push(`${id} at ${height}`);
        expect(lost, `acknowledged transactions missing on v${i}`).toEqual([]);
      }
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }

    // Each node's index against its replayed chain (signatures, commits and roots checked too).
    const audits = validators.map((v) => nodes.run(v.home, ['audit', 'verify', '--home', v.home]));
    const ends = await Promise.all(audits.map((proc) => nodes.exited(proc)));
    for (const [i, proc] of audits.entries()) {
      expect(ends[i], `lendnet audit verify on v${i}: ${proc.log.join('').slice(-1_000)}`).toBe(0);
      expect(proc.log.join('')).toMatch(/index at .* equals the replayed chain/);
    }
    const { acknowledged, committedUnanswered, interrupted } = load.figures;
    console.info(
      `crash storm (SEED=${SEED}): ${KILLS} kills: ${kills.join(', ')}; ${acknowledged.length} transactions acknowledged, ` +
        `${committedUnanswered} committed with the answer lost, ${interrupted} submissions cut off and sent again; final height ${top}; ` +
        `four nodes up in ${seconds(startedUp - started)} s, load for ${seconds(loadEnded - startedUp)} s, whole test ${seconds(performance.now() - started)} s`,
    );
    expect(acknowledged.length).toBeGreaterThan(KILLS * 5);
  }, 300_000);
});
