import type { Home } from '../node/home/home.js';
import { chainSource } from './index/chain-source.js';
import { compareIndex } from './index/compare.js';
import { Projector, resetIndex } from './index/projector.js';
import { nodeIsStopped, withStoppedChain } from './stopped-node.js';

/** How often a rebuild reports its progress. */
const PROGRESS_EVERY_MS = 5_000;

/**
 * `lendnet reindex`: empties the home's index (or the one at $DATABASE_URL) and rebuilds it
 * from the blocks in the store, one SQL transaction per block, then compares it with the
 * ledger's state row by row. The node must be stopped: it writes to the same index. If the
 * rebuild is cut off, the index resumes from the last block written when the node starts.
 * Resolves with the exit code.
 */
export async function reindex(home: Home, out: (line: string) => void = console.log): Promise<number> {
  if (!(await nodeIsStopped(home, 'rebuilding its index'))) return 1;
  return withStoppedChain(home, async (chain, db) => {
    const started = performance.now();
    await resetIndex(db);
    const source = chainSource(chain, home.genesis);
    const target = source.status().height;
    out(`rebuilding the ${db.kind} index at ${db.location} from ${target} blocks`);
    const projector = await Projector.open({ db, node: source });
    let reported = performance.now();
    projector.onIndexed((height) => {
      if (performance.now() - reported < PROGRESS_EVERY_MS) return;
      reported = performance.now();
      out(`  block ${height} of ${target}`);
    });
    await projector.catchUp();
    const [counts] = await db.sql<{ txs: bigint; events: bigint }[]>`SELECT (SELECT count(*) FROM txs) AS txs, (SELECT count(*) FROM events) AS events`;
    const seconds = (performance.now() - started) / 1000;
    out(`indexed ${projector.indexedHeight()} blocks, ${counts!.txs} transactions, ${counts!.events} events in ${seconds.toFixed(1)} s`);
    const differences = await compareIndex(db.sql, chain.state);
    if (differences.length > 0) {
      const first = differences[0]!;
      console.error(
        `lendnet: the rebuilt index differs from the ledger's state in ${differences.length} field(s); first: ${first.table} ${first.key} ${first.field} is ${first.index} in the index, ${first.ledger} in the ledger`,
      );
      return 1;
    }
    out('the index equals the ledger state: balances, nonces, asset supply, open orders, loans with their shares and installments, credit records');
    return 0;
  });
}
