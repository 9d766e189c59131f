import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import postgres from 'postgres';
import { EmbeddedUpkeep } from './embedded-upkeep.js';
import { migrate } from './migrate.js';

/**
 * The index's database: embedded PGlite (data in the node's home, or in memory) or a Postgres
 * server, both reached through one postgres.js client, so that the same migrations and the same
 * queries run on both. Money columns are `numeric(78,0)` and come back as bigint; int8 columns
 * come back as bigint too: no amount ever passes through a JS number.
 */
export interface IndexDatabase {
  readonly sql: Sql;
  readonly kind: 'pglite' | 'postgres';
  /** Where it is: the PGlite data folder (or "memory"), or the server's URL without its password. */
  readonly location: string;
  /** Embedded PGlite's checkpoints and vacuums, which a server does on its own; absent on a server. */
  readonly upkeep?: EmbeddedUpkeep;
  close(): Promise<void>;
}

/** A client of the index database, and one inside a transaction. */
export type Sql = postgres.Sql;
export type SqlTransaction = postgres.TransactionSql;

const NUMERIC_OID = 1700;
const INT8_OID = 20;

function parseInteger(text: string): bigint {
  // A money column holds integers only; a fraction here is a query bug, not data to round.
  if (!/^-?\d+$/.test(text)) throw new Error(`the index returned a non-integer where an integer was expected: ${text}`);
  return BigInt(text);
}

const types = {
  numeric: { to: NUMERIC_OID, from: [NUMERIC_OID], serialize: (value: bigint) => value.toString(10), parse: parseInteger },
  bigint: { to: INT8_OID, from: [INT8_OID], serialize: (value: bigint) => value.toString(10), parse: parseInteger },
};

/**
 * An amount as a query parameter. postgres.js sends a JS bigint as int8, which cannot hold
 * every amount; as decimal text the server reads it as the column's numeric type.
 */
export function amount(value: bigint): string {
  return value.toString(10);
}

export interface OpenDatabaseOptions {
  /** A Postgres server (`postgres://…`); when absent, embedded PGlite. */
  readonly url?: string;
  /** PGlite's data folder; absent: in memory. */
  readonly dataDir?: string;
  /** Connections to a Postgres server (PGlite always has one). */
  readonly maxConnections?: number;
}

/** Opens the index database and brings its schema up to date. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<IndexDatabase> {
  const db = options.url ? openServer(options.url, options.maxConnections ?? 10) : await openEmbedded(options.dataDir);
  try {
    await migrate(db.sql);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

function openServer(url: string, max: number): IndexDatabase {
  const sql: Sql = postgres(url, { max, types, onnotice: () => {}, connection: { application_name: 'lendnet-index' } });
  const shown = new URL(url);
  shown.password = '';
  return { sql, kind: 'postgres', location: shown.toString(), close: () => sql.end({ timeout: 5 }) };
}

/**
 * PGlite speaks to postgres.js through pglite-socket on a Unix socket of its own: one
 * connection, as PGlite serves one at a time.
 */
async function openEmbedded(dataDir: string | undefined): Promise<IndexDatabase> {
  const pglite = await PGlite.create(dataDir ?? 'memory://');
  const socketDir = await mkdtemp(join(tmpdir(), 'lendnet-pg-'));
  const path = join(socketDir, '.s.PGSQL.5432');
  const server = new PGLiteSocketServer({ db: pglite, path });
  await server.start();
  const sql: Sql = postgres({ path, max: 1, types, onnotice: () => {}, database: 'postgres', username: 'postgres' });
  let closed: Promise<void> | undefined;
  return {
    sql,
    kind: 'pglite',
    location: dataDir ?? 'memory',
    upkeep: new EmbeddedUpkeep(sql),
    close: () =>
      (closed ??= (async () => {
        await sql.end({ timeout: 5 });
        await server.stop();
        await pglite.close();
        await rm(socketDir, { recursive: true, force: true });
      })()),
  };
}
