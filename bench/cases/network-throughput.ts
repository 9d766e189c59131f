import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { testKey } from '../../contracts/test/fixtures.js';
import { PrivateValidator } from '../../node/consensus/private-validator.js';
import { createSignatureCache, verifyTransactions } from '../../node/crypto/signature-cache.js';
import { createVerifierPool } from '../../node/crypto/verifier-pool.js';
import { DEFAULT_CONFIG } from '../../node/home/config.js';
import type { Genesis } from '../../node/home/genesis-file.js';
import { devnetMarket } from '../../node/home/home.js';
import { LedgerNode, type SubmitResult } from '../../node/ledger/ledger-node.js';
import { startLibp2pNetwork, type Libp2pNetwork } from '../../node/network/libp2p-network.js';
import { openStore, type Store } from '../../node/store/index.js';
import { benchSigners, type BenchTx, benchWorkload } from '../workload.js';
import { rounded, type BenchCase, type BenchFigure } from '../harness.js';
import { rawVerifyLimit } from '../raw-verify-limit.js';

/**
 * A 4-validator network in one process on 127.0.0.1: four LedgerNodes, each with its own
 * libp2p host (TCP, Noise, Yamux, gossipsub), classic-level store in a temp dir and signature
 * cache; the four share one verifier pool (one thread per core), as four nodes on one machine
 * share its cores. Transactions are pre-signed and submitted round-robin to the four nodes;
 * finality latency is submit → committed result at the node it was sent to.
 *
 * The limit: every node verifies every transaction once, so one transaction costs the network
 * 4 verifications; the limit is the raw all-core verification rate (measured in the same run,
 * as bench/cases/node-throughput.ts does) divided by 4.
 */

const VALIDATORS = 4;
const ACCOUNTS = 2_000;
const TXS_PER_ACCOUNT = 12;
const CHAIN = 'lendnet-bench-network';
const RAW_MS = 1_500;
const BLOCK_INTERVAL_MS = 200;
const WINDOW = 8_000;

interface Network {
  readonly nodes: LedgerNode[];
  stop(): Promise<void>;
}

async function startNetwork(): Promise<Network> {
  const keys = Array.from({ length: VALIDATORS }, (_, i) => testKey(`bench-network-validator-${i}`));
  const genesis: Genesis = {
    genesisTime: Math.floor(Date.now() / 1000),
    market: devnetMarket(CHAIN, testKey('bench-issuer').account),
    validators: keys.map((key) => ({ account: key.account, power: 1 })),
  };
  const dir = await mkdtemp(join(tmpdir(), 'lendnet-bench-network-'));
  const pool = createVerifierPool();
  const networks: Libp2pNetwork[] = [];
  const stores: Store[] = [];
  const nodes: LedgerNode[] = [];
  for (let i = 0; i < VALIDATORS; i++) {
    const seed = new Uint8Array(32).fill(i + 1);
    networks.push(await startLibp2pNetwork({ chainId: CHAIN, seed, listen: ['/ip4/127.0.0.1/tcp/0'], peers: [] }));
  }
  for (const network of networks) {
    for (const other of networks) if (other !== network) network.host.addPersistentPeer(other.host.multiaddrs()[0]!);
  }
  for (let i = 0; i < VALIDATORS; i++) {
    const home = join(dir, `node${i}`);
    const store = await openStore(join(home, 'data'));
    stores.push(store);
    const cache = createSignatureCache();
    await mkdir(home, { recursive: true });
    nodes.push(
      await LedgerNode.open({
        genesis,
        checkSignatures: (txs) => verifyTransactions(pool, cache, txs),
        config: { ...DEFAULT_CONFIG, blockIntervalMs: BLOCK_INTERVAL_MS, mempool: { maxTxs: 200_000, maxPerAccount: 1_000 }, logLevel: 'error' },
        store,
        validatorKey: keys[i]!,
        onFatal: (error) => {
          throw error;
        },
        network: networks[i]!,
        signer: await PrivateValidator.open(home, keys[i]!, CHAIN),
      }),
    );
  }
  // Every host sees the other three on the consensus topic before load starts.
  const deadline = Date.now() + 30_000;
  while (!networks.every((n) => n.host.subscribers('consensus').length >= VALIDATORS - 1)) {
    if (Date.now() > deadline) throw new Error('the bench network did not connect');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const node of nodes) await node.start();
  return {
    nodes,
    async stop() {
      for (const node of nodes) await node.stop();
      for (const network of networks) await network.stop();
      await pool.close();
      for (const store of stores) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Phase {
  /** Blocks with transactions, their mean size, and how many were decided after round 0. */
  blocks?: { readonly count: number; readonly meanTxs: number; readonly laterRounds: number; readonly maxRound: number };
  readonly committed: number;
  readonly refused: Map<string, number>;
  readonly seconds: number;
  readonly latencies: Float64Array;
}

/**
 * Submits `txs` in their order (nonce-major: every account's nonce k before any nonce k+1),
 * each account always to the same node (account i to node i mod 4, so its nonces arrive in
 * order), with at most `window` awaiting their result: at `rate` tx/s when given, else as
 * fast as the window allows.
 */
async function drive(nodes: readonly LedgerNode[], txs: readonly BenchTx[], options: { readonly rate?: number; readonly window: number }): Promise<Phase> {
  const latencies: number[] = [];
  const refused = new Map<string, number>();
  let committed = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let next = 0;
    let inFlight = 0;
    let done = 0;
    const submit = (index: number): void => {
      inFlight += 1;
      const sent = performance.now();
      nodes[txs[index]!.signer % nodes.length]!.submit(txs[index]!.wire).then((result: SubmitResult) => {
        inFlight -= 1;
        done += 1;
        if (result.status === 'committed') {
          committed += 1;
          latencies.push(performance.now() - sent);
        } else refused.set(result.code, (refused.get(result.code) ?? 0) + 1);
        if (done === txs.length) resolve();
        else pump();
      });
    };
    const pump = (): void => {
      const allowed = options.rate === undefined ? txs.length : Math.floor(((performance.now() - started) / 1000) * options.rate);
      while (next < txs.length && inFlight < options.window && next < allowed) submit(next++);
    };
    if (options.rate !== undefined) {
      const timer = setInterval(() => {
        if (done === txs.length) clearInterval(timer);
        else pump();
      }, 10);
    }
    pump();
  });
  return { committed, refused, seconds: (performance.now() - started) / 1000, latencies: Float64Array.from(latencies).sort() };
}

async function blockFigures(node: LedgerNode): Promise<NonNullable<Phase['blocks']>> {
  let count = 0;
  let txs = 0;
  let laterRounds = 0;
  let maxRound = 0;
  for (let height = 1; height <= node.status().height; height++) {
    const block = await node.block(height);
    const commit = await node.commitOf(height);
    if (!block || !commit || block.txs.length === 0) continue;
    count += 1;
    txs += block.txs.length;
    if (commit.round > 0) laterRounds += 1;
    maxRound = Math.max(maxRound, commit.round);
  }
  return { count, meanTxs: count === 0 ? 0 : Math.round(txs / count), laterRounds, maxRound };
}

function blockNote(phase: Phase): string {
  const b = phase.blocks;
  return b ? `; ${b.count} blocks, ${b.meanTxs} txs each on average, ${b.laterRounds} decided after round 0 (highest round ${b.maxRound})` : '';
}

const bench: BenchCase = {
  name: 'network-throughput',
  async run(): Promise<BenchFigure[]> {
    const cores = availableParallelism();
    const keys = benchSigners(ACCOUNTS);
    const txs = benchWorkload(CHAIN, keys, TXS_PER_ACCOUNT);
    const rawLoad = { spki: keys.map((key) => key.spki), items: txs.slice(0, 4_000).map(({ signer, message, signature }) => ({ signer, message, signature })) };
    const raws = [await rawVerifyLimit(rawLoad, cores, RAW_MS)];

    const half = Math.floor(txs.length / 2);
    const saturation = await (async () => {
      const network = await startNetwork();
      try {
        const phase = await drive(network.nodes, txs.slice(0, half), { window: WINDOW });
        phase.blocks = await blockFigures(network.nodes[0]!);
        return phase;
      } finally {
        await network.stop();
      }
    })();
    const saturated = saturation.committed / saturation.seconds;
    const offered = Math.max(10, Math.floor(saturated / 2));
    const halfLoad = await (async () => {
      const network = await startNetwork();
      try {
        const phase = await drive(network.nodes, txs.slice(0, half), { window: WINDOW, rate: offered });
        phase.blocks = await blockFigures(network.nodes[0]!);
        return phase;
      } finally {
        await network.stop();
      }
    })();
    raws.push(await rawVerifyLimit(rawLoad, cores, RAW_MS));
    const raw = Math.max(...raws);
    const limit = raw / VALIDATORS;
    const refusals = (phase: Phase) => (phase.refused.size === 0 ? 'none refused' : [...phase.refused].map(([code, n]) => `${code}: ${n}`).join('; '));
    return [
      {
        name: `saturation: committed tx/s, ${VALIDATORS} validators in one process over libp2p on 127.0.0.1, ${half} transfers+faucets from ${ACCOUNTS} accounts`,
        value: rounded(saturated),
        unit: 'tx/s',
        limit: rounded(limit),
        ratio: rounded(saturated / limit, 3),
        target: 0.6,
        note: `${saturation.committed} committed in ${rounded(saturation.seconds, 2)} s, ${refusals(saturation)}${blockNote(saturation)}; limit = raw crypto.verify on ${cores} threads (best of ${raws.map((r) => rounded(r)).join(', ')}) / ${VALIDATORS} verifications per tx`,
      },
      { name: 'saturation: finality p50 (submit to committed)', value: rounded(percentile(saturation.latencies, 50), 1), unit: 'ms' },
      { name: 'saturation: finality p99', value: rounded(percentile(saturation.latencies, 99), 1), unit: 'ms' },
      {
        name: `half of saturation (${offered} tx/s offered): committed tx/s`,
        value: rounded(halfLoad.committed / halfLoad.seconds),
        unit: 'tx/s',
        note: `${halfLoad.committed} committed in ${rounded(halfLoad.seconds, 2)} s, ${refusals(halfLoad)}${blockNote(halfLoad)}`,
      },
      { name: 'half of saturation: finality p50', value: rounded(percentile(halfLoad.latencies, 50), 1), unit: 'ms' },
      { name: 'half of saturation: finality p99', value: rounded(percentile(halfLoad.latencies, 99), 1), unit: 'ms', target: 2_000 },
    ];
  },
};

export default bench;
