import type { Sql } from './database.js';

/** WAL written since the last checkpoint that calls for the next one (a server's max_wal_size is 1 GiB). */
export const UPKEEP_WAL_BYTES = 256n * 2n ** 20n;
/** The longest time between two checkpoints while the index is written to (a server's checkpoint_timeout). */
export const UPKEEP_INTERVAL_MS = 5 * 60_000;
/** WAL below which a pass is not worth it even when the interval is up (a pass itself writes a little). */
const IDLE_WAL_BYTES = 2n ** 20n;

/** What one pass did, for the log. */
export interface UpkeepPass {
  /** WAL bytes written since the checkpoint before. */
  readonly walBytes: bigint;
  readonly vacuumMs: number;
  readonly checkpointMs: number;
}

/**
 * The upkeep a Postgres server's background processes do, for embedded PGlite, which runs
 * Postgres as one process without them: no checkpointer, so the WAL grows without end (913 MiB
 * in four minutes of sustained load) and a restart replays all of it; and no autovacuum, so the
 * rows the index updates (balances, accounts, orders, loans) leave dead versions behind and the
 * planner never learns the tables' sizes.
 *
 * `afterWrite()` is called after each block is indexed, on the one connection between two
 * transactions. It reads how much WAL was written since the last checkpoint (one cheap query),
 * and past UPKEEP_WAL_BYTES, or UPKEEP_INTERVAL_MS after the last pass with at least a MiB
 * written, runs `VACUUM (ANALYZE)` and then `CHECKPOINT`, after which Postgres recycles the WAL
 * segments before it.
 */
export class EmbeddedUpkeep {
  private lastPass: number;

  constructor(
    private readonly sql: Sql,
    private readonly options: { readonly walBytes?: bigint; readonly intervalMs?: number; readonly now?: () => number } = {},
  ) {
    this.lastPass = this.now();
  }

  private now(): number {
    return this.options.now?.() ?? performance.now();
  }

  /** WAL bytes written since the last checkpoint began. */
  async walSinceCheckpoint(): Promise<bigint> {
    const [row] = await this.sql.unsafe<{ since: bigint }[]>('SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn)::bigint AS since FROM pg_control_checkpoint()');
    return row?.since ?? 0n;
  }

  /** Runs a pass when one is due; returns what it did, or undefined. */
  async afterWrite(): Promise<UpkeepPass | undefined> {
    const walBytes = await this.walSinceCheckpoint();
    const due = walBytes >= (this.options.walBytes ?? UPKEEP_WAL_BYTES) || (walBytes >= IDLE_WAL_BYTES && this.now() - this.lastPass >= (this.options.intervalMs ?? UPKEEP_INTERVAL_MS));
    return due ? this.pass(walBytes) : undefined;
  }

  /** Vacuums and analyzes every table, then checkpoints. */
  async pass(walBytes?: bigint): Promise<UpkeepPass> {
    const written = walBytes ?? (await this.walSinceCheckpoint());
    const started = performance.now();
    await this.sql.unsafe('VACUUM (ANALYZE)');
    const vacuumed = performance.now();
    await this.sql.unsafe('CHECKPOINT');
    this.lastPass = this.now();
    return { walBytes: written, vacuumMs: Math.round(vacuumed - started), checkpointMs: Math.round(performance.now() - vacuumed) };
  }
}
