import { readdir, readFile } from 'node:fs/promises';
import type { Sql } from './database.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;
/** Any constant: two processes migrating one server take turns on it. */
const MIGRATION_LOCK = 7_130_418_722;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The migrations in `server/db/migrations`, in version order (`001_name.sql`, …). */
export async function migrations(): Promise<Migration[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((file) => file.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file, i) => {
      const match = NAME.exec(file);
      if (!match || Number(match[1]) !== i + 1) throw new Error(`migration ${file} is misnamed or out of sequence (expected ${String(i + 1).padStart(3, '0')}_name.sql)`);
      return { version: i + 1, name: match[2]!, sql: await readFile(new URL(file, MIGRATIONS_DIR), 'utf8') };
    }),
  );
}

/**
 * Brings the schema up to date: the migrations not yet applied run in one transaction with
 * their rows in `schema_migrations`, so a crash leaves them all applied or none. A database
 * that is ahead of this code (a newer version ran on it) is refused.
 */
export async function migrate(sql: Sql): Promise<{ readonly applied: readonly string[] }> {
  const all = await migrations();
  const applied: string[] = [];
  await sql.unsafe(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  await sql.begin(async (tx) => {
    await tx.unsafe(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    const rows = await tx.unsafe<{ version: number }[]>('SELECT version FROM schema_migrations ORDER BY version');
    const done = new Set(rows.map((row) => Number(row.version)));
    const newest = Math.max(0, ...done);
    if (newest > all.length) throw new Error(`the index database is at schema version ${newest}, newer than this node's ${all.length}: upgrade the node`);
    for (const migration of all) {
      if (done.has(migration.version)) continue;
      await tx.unsafe(migration.sql);
      await tx.unsafe('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(`${String(migration.version).padStart(3, '0')}_${migration.name}`);
    }
  });
  return { applied };
}
