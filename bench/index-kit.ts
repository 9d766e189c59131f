import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { testKey } from '../contracts/test/fixtures.js';
import { createSignatureCache, verifyTransactions } from '../node/crypto/signature-cache.js';
import type { VerifierPool } from '../node/crypto/verifier-pool.js';
import { DEFAULT_CONFIG } from '../node/home/config.js';
import type { Genesis } from '../node/home/genesis-file.js';
import { devnetMarket } from '../node/home/home.js';
import { LedgerNode } from '../node/ledger/ledger-node.js';
import { openStore, type Store } from '../node/store/index.js';

/** What the index and API benchmarks share: a single-validator devnet node on disk, and a way to load it. */

/** Transactions awaiting their result at once when loading a node. */
const WINDOW = 8_000;

export interface BenchNode {
  readonly node: LedgerNode;
  stop(): Promise<void>;
}

/** A single-validator devnet node of chain `chainId` in a temporary folder, checking signatures on the pool. */
export async function startBenchNode(chainId: string, pool: VerifierPool, blockIntervalMs: number): Promise<BenchNode> {
  const dir = await mkdtemp(join(tmpdir(), 'lendnet-bench-node-'));
  const store: Store = await openStore(dir);
  const validator = testKey('bench-index-validator');
  const genesis: Genesis = { genesisTime: Math.floor(Date.now() / 1000), market: devnetMarket(chainId, testKey('bench-issuer').account), validators: [{ account: validator.account, power: 1 }] };
  const cache = createSignatureCache();
  const node = await LedgerNode.open({
    genesis,
    checkSignatures: (txs) => verifyTransactions(pool, cache, txs),
    config: { ...DEFAULT_CONFIG, blockIntervalMs, mempool: { maxTxs: 200_000, maxPerAccount: 1_000 }, logLevel: 'error' },
    store,
    validatorKey: validator,
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
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Submits every wire transaction with at most 8,000 awaiting their result; resolves with how many committed. */
export async function submitAll(node: LedgerNode, txs: readonly { readonly wire: string }[]): Promise<{ readonly committed: number; readonly refusals: ReadonlyMap<string, number> }> {
  let next = 0;
  let committed = 0;
  const refusals = new Map<string, number>();
  const worker = async () => {
    while (next < txs.length) {
      const result = await node.submit(txs[next++]!.wire);
      if (result.status === 'committed') committed += 1;
      else refusals.set(result.code, (refusals.get(result.code) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  return { committed, refusals };
}

/** The p-th percentile of sorted figures (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Submits the transactions in order at `perSecond`, without waiting for results between them; resolves once all are settled. */
export async function submitAt(node: LedgerNode, txs: readonly { readonly wire: string }[], perSecond: number): Promise<{ readonly committed: number }> {
  const started = performance.now();
  const results: Promise<boolean>[] = [];
  while (results.length < txs.length) {
    const due = Math.min(txs.length, Math.floor(((performance.now() - started) / 1000) * perSecond));
    while (results.length < due) results.push(node.submit(txs[results.length]!.wire).then((result) => result.status === 'committed'));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { committed: (await Promise.all(results)).filter(Boolean).length };
}
