import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { type IndexDatabase, openDatabase } from './database.js';

/**
 * Index tests run on both databases: embedded PGlite in memory, and a Postgres server
 * (`LENDNET_TEST_DATABASE_URL`, by default the local server CI starts), each test in a database
 * of its own that is dropped when it closes. Where no server answers, the server's tests are
 * skipped with the reason printed, except on CI (`CI` or `LENDNET_TEST_SERVER=required` set, as
 * .ci/run does), where that is a failure.
 */
export const TEST_SERVER_URL = process.env.LENDNET_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type DatabaseKind = 'pglite' | 'postgres';

let serverCheck: Promise<string | undefined> | undefined;

/** Undefined when the test server answers, else why not. */
export function serverUnavailable(): Promise<string | undefined> {
  serverCheck ??= (async () => {
    const admin = postgres(TEST_SERVER_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
    try {
      await admin`SELECT 1`;
      return undefined;
    } catch (error) {
      return `no Postgres server at ${TEST_SERVER_URL}: ${(error as Error).message}`;
    } finally {
      await admin.end({ timeout: 1 });
    }
  })();
  return serverCheck;
}

/** The kinds to run index tests on here; prints why the server is left out, or throws on CI. */
export async function testDatabaseKinds(): Promise<DatabaseKind[]> {
  const reason = await serverUnavailable();
  if (reason === undefined) return ['pglite', 'postgres'];
  if (process.env.CI || process.env.LENDNET_TEST_SERVER === 'required') throw new Error(`CI must run the index tests on a Postgres server too: ${reason}`);
  console.warn(`skipping the Postgres server's index tests: ${reason}`);
  return ['pglite'];
}

/** A fresh, migrated index database of the kind; closing it drops it. */
export async function openTestDatabase(kind: DatabaseKind): Promise<IndexDatabase> {
  if (kind === 'pglite') return openDatabase({});
  const name = `lendnet_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(TEST_SERVER_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end({ timeout: 1 });
  }
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), maxConnections: 4 });
  return {
    ...db,
    async close() {
      await db.close();
      const dropper = postgres(TEST_SERVER_URL, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end({ timeout: 1 });
      }
    },
  };
}
