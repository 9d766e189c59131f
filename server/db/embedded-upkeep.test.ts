import { afterEach, describe, expect, test } from 'vitest';
import { type IndexDatabase, openDatabase } from './database.js';
import { EmbeddedUpkeep } from './embedded-upkeep.js';

const MIB = 2n ** 20n;

/** Writes about `mib` MiB of WAL: new rows, and updates of the same few rows (dead versions for vacuum). */
let nextHeight = 1;
async function write(db: IndexDatabase, mib: number): Promise<void> {
  for (let i = 0; i < mib; i++) {
    const height = nextHeight++;
    await db.sql.unsafe(`INSERT INTO txs (id, height, position, signer, type, nonce, time, body)
      SELECT md5(random()::text || g), ${height}, g, 'signer', 'transfer', 0, 0, json_build_object('pad', repeat('x', 900))
      FROM generate_series(1, 900) g`);
    await db.sql.unsafe(`UPDATE assets SET minted = minted + 1`);
  }
}

async function stats(db: IndexDatabase, table: string) {
  const [row] = await db.sql.unsafe<{ vacuumed: boolean; analyzed: boolean }[]>(
    'SELECT last_vacuum IS NOT NULL AS vacuumed, last_analyze IS NOT NULL AS analyzed FROM pg_stat_user_tables WHERE relname = $1',
    [table],
  );
  return row;
}

describe('embedded PGlite upkeep', () => {
  let db: IndexDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  test('past the WAL threshold a block is followed by VACUUM (ANALYZE) and CHECKPOINT, which start the WAL count again', async () => {
    db = await openDatabase({});
    expect(db.upkeep).toBeInstanceOf(EmbeddedUpkeep);
    await db.sql.unsafe(`INSERT INTO assets (id, name, decimals, issuer) VALUES ('LND', 'Lend', 6, 'issuer')`);
    const upkeep = new EmbeddedUpkeep(db.sql, { walBytes: 4n * MIB });
    await upkeep.pass();
    expect(await upkeep.walSinceCheckpoint()).toBeLessThan(MIB);

    await write(db, 1);
    expect(await upkeep.afterWrite()).toBeUndefined();
    expect(await upkeep.walSinceCheckpoint()).toBeGreaterThan(MIB / 2n);

    await write(db, 6);
    const pass = await upkeep.afterWrite();
    expect(pass?.walBytes).toBeGreaterThanOrEqual(4n * MIB);
    expect(await upkeep.walSinceCheckpoint()).toBeLessThan(MIB);
    expect(await stats(db, 'txs')).toEqual({ vacuumed: true, analyzed: true });
    expect(await stats(db, 'assets')).toEqual({ vacuumed: true, analyzed: true });
  });

  test('after the interval a pass runs below the WAL threshold, but not for the little a pass itself writes', async () => {
    db = await openDatabase({});
    let now = 0;
    const upkeep = new EmbeddedUpkeep(db.sql, { walBytes: 1024n * MIB, intervalMs: 60_000, now: () => now });
    await upkeep.pass();
    await write(db, 2);
    now += 30_000;
    expect(await upkeep.afterWrite()).toBeUndefined();
    now += 31_000;
    expect((await upkeep.afterWrite())?.walBytes).toBeGreaterThan(MIB);
    // Nothing written since: the interval passing again calls for no pass.
    now += 120_000;
    expect(await upkeep.afterWrite()).toBeUndefined();
  });
});
