import { availableParallelism, loadavg } from 'node:os';
import { bodyDecoder, decodeBlock, decodeTransaction, fromHex, signBytesOf } from '../../contracts/index.js';
import { openStore, type Store } from '../../node/store/index.js';
import { type ChainAudit, verifyChain } from '../../server/audit/verify-chain.js';
import { createAuditVerifierPool, poolVerdicts } from '../../server/audit/verify-command.js';
import { type AuditBenchChain, auditBenchChain, BLOCK_TXS } from '../audit-chain.js';
import { rounded, type BenchCase, type BenchFigure } from '../harness.js';
import { rawVerifyLimit } from '../raw-verify-limit.js';

/**
 * `lendnet audit verify`'s replay rate over a chain of 1,000,000 transactions (or
 * LENDNET_BENCH_AUDIT_TXS), beside the machine's raw signature verification limit on all cores
 * measured in the same run; the issue's target is a ratio of at least 0.7.
 *
 * The chain (bench/audit-chain.ts) is a market's: faucet payouts, transfers, lend offers, takes
 * and repayments from ACTORS accounts, in blocks of up to 1,000 transactions, on a classic-level
 * store in the OS temp dir, built once and reused. The replay is `verifyChain` with the
 * command's own verifier pool (a thread on every core) and the store opened as the command opens it.
 * The raw limit is bench/raw-verify-limit.ts on all cores over the chain's own first
 * transactions, measured before and after the replay; the better of the two is the limit.
 *
 * A second replay takes every signature as checked without checking it (not an audit: a
 * measurement) and gives what everything but the signatures costs, N µs a transaction. With
 * s µs of one core per raw verification (cores / limit), all cores together replay at most
 * cores / (s + N) transactions a second, so the ratio can reach at most s / (s + N): the
 * bound beside the measured ratio.
 */

const DEFAULT_TXS = 1_000_000;
const ACTORS = 4_000;
const RAW_MS = 2_000;
const RAW_SAMPLE = 4_000;

function targetTxs(): number {
  const text = process.env.LENDNET_BENCH_AUDIT_TXS;
  if (text === undefined || text === '') return DEFAULT_TXS;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`LENDNET_BENCH_AUDIT_TXS must be a positive integer, not ${text}`);
  return value;
}

/** The chain's first RAW_SAMPLE transactions as raw-limit items, each naming its signer's key. */
async function rawLoad(store: Store, built: AuditBenchChain) {
  const signerOf = new Map(built.actors.map((actor, index) => [actor.account, index]));
  const items: { signer: number; message: Uint8Array; signature: Uint8Array }[] = [];
  for (let height = 1; height <= built.blocks && items.length < RAW_SAMPLE; height++) {
    const bytes = await store.getBlock(height);
    if (!bytes) throw new Error(`the bench chain lacks block ${height}`);
    for (const wire of decodeBlock(bytes).txs) {
      const signed = decodeTransaction(wire, { bodyOf: bodyDecoder });
      items.push({ signer: signerOf.get(signed.tx.signer)!, message: signBytesOf(signed), signature: fromHex(signed.signature) });
    }
  }
  return { spki: built.actors.map((actor) => actor.spki), items };
}

const bench: BenchCase = {
  name: 'audit-verify',
  async run(): Promise<BenchFigure[]> {
    const cores = availableParallelism();
    const built = await auditBenchChain(targetTxs(), ACTORS);
    const store = await openStore(built.dir);
    const pool = createAuditVerifierPool();
    const limits: number[] = [];
    const load = loadavg()[0]!;
    let audit: ChainAudit;
    let unsigned: ChainAudit;
    try {
      const raw = await rawLoad(store, built);
      limits.push(await rawVerifyLimit(raw, cores, RAW_MS));
      await pool.ready();
      audit = await verifyChain(store, built.genesis, { verdicts: poolVerdicts(pool) });
      limits.push(await rawVerifyLimit(raw, cores, RAW_MS));
      unsigned = await verifyChain(store, built.genesis, { verdicts: async (txs) => txs.map(() => true) });
    } finally {
      await pool.close();
      await store.close();
    }
    if (audit.fault) throw new Error(`the bench chain failed its audit: ${audit.fault.what}`);
    if (audit.txs !== built.txs) throw new Error(`the audit replayed ${audit.txs} transactions of ${built.txs}`);
    const rate = audit.txs / audit.seconds;
    const limit = Math.max(...limits);
    const restMicros = (unsigned.seconds * 1e6) / unsigned.txs;
    const signatureMicros = (cores * 1e6) / limit;
    const context = `${cores} cores, 1-minute load ${rounded(load, 2)} before the run (other work shares this machine)`;
    return [
      {
        name: `audit verify (verifyChain, verifier pool of ${pool.size} threads) over ${audit.txs} txs in ${audit.blocks} blocks of up to ${BLOCK_TXS}`,
        value: rounded(rate),
        unit: 'txs/s',
        limit: rounded(limit),
        ratio: rounded(rate / limit, 3),
        target: 0.7,
        note: `${rounded(audit.seconds, 1)} s; ${audit.loans.total} loans, ${audit.events} events, ${audit.payments.length} payments; ${context}`,
      },
      {
        name: `raw limit: crypto.verify with KeyObjects in hand, ${cores} threads (all cores) summed, over the chain's first ${RAW_SAMPLE} txs`,
        value: rounded(limit),
        unit: 'verifications/s',
        note: `before and after the replay: ${limits.map((value) => rounded(value)).join(', ')}; ${rounded(signatureMicros, 1)} µs of one core each`,
      },
      {
        name: 'the replay without signatures (each taken as checked, not an audit): everything else a transaction costs, N',
        value: rounded(restMicros, 1),
        unit: 'µs/tx',
        note: `${rounded(unsigned.seconds, 1)} s on one thread; the ratio this allows on ${cores} cores is at most s / (s + N) = ${rounded(signatureMicros / (signatureMicros + restMicros), 3)}, and 0.7 needs N ≤ ${rounded((signatureMicros * 0.3) / 0.7, 1)} µs`,
      },
      {
        name: 'bench chain build (Chain.propose and commit, single validator, classic-level without fsync)',
        value: rounded(built.buildSeconds, 1),
        unit: 's',
        note: built.buildSeconds === 0 ? `reused from ${built.dir}` : `built in ${built.dir}`,
      },
    ];
  },
};

export default bench;
