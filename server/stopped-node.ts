import { join } from 'node:path';
import type { Home } from '../node/home/home.js';
import { Chain } from '../node/ledger/chain.js';
import { readStatus } from '../node/ledger/run.js';
import { openStore } from '../node/store/index.js';
import { type IndexDatabase, openDatabase } from './db/database.js';

/**
 * Whether the node of `home` is stopped, as the commands that read or write its store need.
 * If it runs, says so in one line on `err`, ending "stop it before <doing>", and returns false.
 */
export async function nodeIsStopped(home: Home, doing: string, err: (line: string) => void = console.error): Promise<boolean> {
  const running = await readStatus(home.dir);
  if (!running?.running) return true;
  err(`lendnet: the node of ${home.dir} is running (pid ${running.status.pid}); stop it before ${doing}`);
  return false;
}

/** Where a home's index is: the Postgres server at $DATABASE_URL, else the embedded one in `<home>/index`. */
export function homeIndexLocation(home: Home): { readonly url: string } | { readonly dataDir: string } {
  const databaseUrl = process.env.DATABASE_URL;
  return databaseUrl ? { url: databaseUrl } : { dataDir: join(home.dir, 'index') };
}

/**
 * Runs `body` on a stopped node's chain (its store opened, its state loaded) and its index,
 * closing both afterwards, whatever `body` does.
 */
export async function withStoppedChain<T>(home: Home, body: (chain: Chain, db: IndexDatabase) => Promise<T>): Promise<T> {
  const store = await openStore(home.dataDir);
  try {
    const chain = await Chain.open(store, home.genesis);
    const db = await openDatabase(homeIndexLocation(home));
    try {
      return await body(chain, db);
    } finally {
      await db.close();
    }
  } finally {
    await store.close();
  }
}
