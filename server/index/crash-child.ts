/**
 * The child of crash.test.ts: a single-validator node with its index, under a market
 * workload, until the parent kills it with SIGKILL. It prints `ready` once the node and the
 * projector run. Usage: node --import tsx crash-child.ts <store dir> <database: a URL, or a PGlite folder>
 */
import { pathToFileURL } from 'node:url';
import { testKey } from '../../contracts/test/fixtures.js';
import { DEFAULT_CONFIG } from '../../node/home/config.js';
import type { Genesis } from '../../node/home/genesis-file.js';
import { devnetMarket } from '../../node/home/home.js';
import { LedgerNode, verifyInThisThread } from '../../node/ledger/ledger-node.js';
import { openStore } from '../../node/store/index.js';
import { openDatabase } from '../db/database.js';
import { runMarketWorkload } from './market-workload.js';
import { Projector } from './projector.js';

export const CRASH_CHAIN = 'lendnet-index-crash';
export const CRASH_VALIDATOR = testKey('index-crash-validator');
export const CRASH_ACTORS = 24;

export function crashGenesis(): Genesis {
  return { genesisTime: 1_700_000_000, market: devnetMarket(CRASH_CHAIN, testKey('index-crash-issuer').account), validators: [{ account: CRASH_VALIDATOR.account, power: 1 }] };
}

async function main(storeDir: string, database: string): Promise<void> {
  const store = await openStore(storeDir);
  const node = await LedgerNode.open({
    genesis: crashGenesis(),
    checkSignatures: verifyInThisThread,
    config: { ...DEFAULT_CONFIG, blockIntervalMs: 50 },
    store,
    validatorKey: CRASH_VALIDATOR,
    onFatal: (error) => {
      console.error(error);
      process.exit(2);
    },
  });
  const db = await openDatabase(database.includes('://') ? { url: database, maxConnections: 2 } : { dataDir: database });
  const projector = await Projector.start({ db, node });
  await node.start();
  console.log(`ready ${node.status().height} ${projector.indexedHeight()}`);
  projector.onIndexed((height) => console.log(`indexed ${height}`));
  await runMarketWorkload(node, { actors: CRASH_ACTORS, stop: () => false });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [storeDir, database] = process.argv.slice(2);
  if (!storeDir || !database) throw new Error('usage: crash-child.ts <store dir> <database URL or PGlite folder>');
  await main(storeDir, database);
}
