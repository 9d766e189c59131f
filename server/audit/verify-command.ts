import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fromHex, type SignedTransaction, signBytesOf } from '../../contracts/index.js';
import { createVerifierPool, type VerifierPool } from '../../node/crypto/verifier-pool.js';
import type { Home } from '../../node/home/home.js';
import { openStore } from '../../node/store/index.js';
import { openDatabase } from '../db/database.js';
import { type ChainAudit, type SignatureVerdicts, verifyChain } from './verify-chain.js';
import { verifyIndex } from './verify-index.js';
import { homeIndexLocation, nodeIsStopped } from '../stopped-node.js';

/** How often a long replay reports its progress. */
const PROGRESS_EVERY_MS = 5_000;

/**
 * The audit's verifier pool: a thread on every core. The replay executes every block on this
 * thread while the verifier threads check the signatures of the blocks read ahead; when it
 * waits for them, its core verifies too (with a thread fewer, that core sat idle for about a
 * quarter of the run on 2 cores).
 */
export function createAuditVerifierPool(): VerifierPool {
  return createVerifierPool({ workers: availableParallelism() });
}

/** The consensus rule on the verifier threads: the node's pool, whose verdicts are the rule's. */
export function poolVerdicts(pool: VerifierPool): SignatureVerdicts {
  return (txs: readonly SignedTransaction<unknown>[]) =>
    pool.verify(txs.map((signed) => ({ publicKey: fromHex(signed.tx.signer), message: signBytesOf(signed), signature: fromHex(signed.signature) })));
}

function describeAudit(audit: ChainAudit): string {
  const { loans } = audit;
  const rate = audit.seconds > 0 ? Math.round(audit.txs / audit.seconds) : 0;
  return (
    `replayed ${audit.blocks} blocks from genesis: ${audit.txs} transactions, ${loans.total} loans checked ` +
    `(${loans.repaid} repaid, ${loans.defaulted} defaulted, ${loans.active} active), ${audit.events} events, ` +
    `${audit.payments.length} payments in ${audit.seconds.toFixed(2)} s (${rate} txs/s)`
  );
}

/**
 * `lendnet audit verify`: replays the home's chain from genesis, checking every signature,
 * commit certificate, tx root and state root, then compares the index (the one at
 * $DATABASE_URL, else the embedded one in `<home>/index`) with the replayed state row by row.
 * Prints a report and resolves with 0, or prints one line naming the first discrepancy and
 * resolves with 1. The node must be stopped: it writes to the same store and index.
 */
export async function auditVerify(home: Home, out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  if (!(await nodeIsStopped(home, 'auditing its chain', err))) return 1;
  const chainId = home.genesis.market.params.chainId;
  const store = await openStore(home.dataDir);
  const pool = createAuditVerifierPool();
  let audit: ChainAudit;
  try {
    await pool.ready();
    let reported = performance.now();
    audit = await verifyChain(store, home.genesis, {
      verdicts: poolVerdicts(pool),
      onBlock: (height, head) => {
        if (performance.now() - reported < PROGRESS_EVERY_MS) return;
        reported = performance.now();
        out(`  block ${height} of ${head}`);
      },
    });
  } finally {
    await pool.close();
    await store.close();
  }
  if (audit.fault) {
    const { fault } = audit;
    err(`lendnet: audit failed: ${fault.what}${fault.txId ? ` (tx ${fault.txId})` : ''}; the ${audit.blocks} blocks before it check`);
    return 1;
  }
  out(describeAudit(audit));
  out(`every signature, commit certificate (${audit.precommits} precommits), tx root and state root checks, and the store's head is block ${audit.blocks}`);

  const index = homeIndexLocation(home);
  if ('dataDir' in index && !existsSync(index.dataDir)) {
    out(`no index at ${index.dataDir} and no DATABASE_URL: nothing to compare`);
    return 0;
  }
  const db = await openDatabase(index);
  try {
    const differences = await verifyIndex(db.sql, audit, chainId);
    if (differences.length > 0) {
      const first = differences[0]!;
      err(
        `lendnet: audit failed: the ${db.kind} index differs from the replayed chain in ${differences.length} field(s); first: ` +
          `${first.table} ${first.key} ${first.field} is ${first.index} in the index, ${first.ledger} in the ledger`,
      );
      return 1;
    }
    out(`the ${db.kind} index at ${db.location} equals the replayed chain: its blocks, transactions, ${audit.payments.length} payments, balances, nonces, supply, orders, loans and credit records`);
    return 0;
  } finally {
    await db.close();
  }
}
