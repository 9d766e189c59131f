import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openLevelStore } from './level-store.js';
import { openLmdbStore } from './lmdb-store.js';
import { openMemoryStore } from './memory-store.js';
import { recordCopyOf } from './record-copy.js';
import { type BlockWrite, InvalidStoreInputError, type Store } from './store.js';

/** Copying a store's records out and into an empty store: what backup and restore rest on. */

const folders: string[] = [];
afterEach(async () => {
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lendnet-record-copy-'));
  folders.push(dir);
  return dir;
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function blockWrite(height: number): BlockWrite {
  return {
    height,
    hash: new Uint8Array(32).fill(height),
    block: utf8(`block ${height}`),
    commit: utf8(`commit ${height}`),
    txs: [[height.toString(16).padStart(64, '0'), { height, index: 0 }]],
    stateChanges: new Map([[`h/${height}`, utf8(`state ${height}`)], ['latest', utf8(String(height))]]),
    nodeData: new Map([[`n/${height}`, utf8(`node ${height}`)]]),
  };
}

async function collect(store: Store): Promise<string[]> {
  const records: string[] = [];
  for await (const [key, value] of recordCopyOf(store)!.snapshotRecords()) records.push(`${Buffer.from(key).toString('hex')}=${Buffer.from(value).toString('hex')}`);
  return records;
}

const kinds: { readonly name: string; open(dir: string): Promise<Store>; readonly snapshot: boolean }[] = [
  { name: 'classic-level', open: (dir) => openLevelStore(dir), snapshot: true },
  { name: 'lmdb', open: (dir) => openLmdbStore(dir), snapshot: true },
  { name: 'memory', open: () => openMemoryStore(), snapshot: false },
];

describe.each(kinds)('record copy on $name', (kind) => {
  it('copies every record into an empty store, which then reads as the original', async () => {
    const source = await kind.open(join(await folder(), 'a'));
    for (let height = 1; height <= 5; height++) await source.commitBlock(blockWrite(height));
    const target = await kind.open(join(await folder(), 'b'));
    const head = await recordCopyOf(target)!.importRecords(recordCopyOf(source)!.snapshotRecords());
    expect(head).toEqual({ height: 5, hash: new Uint8Array(32).fill(5) });
    expect(await collect(target)).toEqual(await collect(source));
    expect(await target.getBlock(3)).toEqual(utf8('block 3'));
    expect(await target.getState('latest')).toEqual(utf8('5'));
    await target.commitBlock(blockWrite(6));
    expect((await target.head())?.height).toBe(6);
    // Only into an empty store: records never mix with another chain's.
    await expect(recordCopyOf(target)!.importRecords(recordCopyOf(source)!.snapshotRecords())).rejects.toThrow(InvalidStoreInputError);
    await source.close();
    await target.close();
  });

  it.runIf(kind.snapshot)('reads one snapshot while blocks go on committing', async () => {
    const store = await kind.open(join(await folder(), 'a'));
    for (let height = 1; height <= 3; height++) await store.commitBlock(blockWrite(height));
    const records = recordCopyOf(store)!.snapshotRecords()[Symbol.asyncIterator]();
    const first = await records.next();
    await store.commitBlock(blockWrite(4));
    const rest: string[] = [];
    for (let next = await records.next(); !next.done; next = await records.next()) rest.push(Buffer.from(next.value[1]).toString('utf8'));
    expect(first.value?.[1].length).toBeGreaterThan(8);
    expect(rest).toContain('block 3');
    expect(rest).not.toContain('block 4');
    expect(rest).toContain('3');
    expect(rest).not.toContain('4');
    await store.close();
  });
});
