import { existsSync } from 'node:fs';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { decodeBlock, toHex } from '../../contracts/index.js';
import { LOCK_FILE, SIGNING_STATE_FILE } from '../consensus/private-validator.js';
import { recordCopyOf } from '../store/record-copy.js';
import { decodeHeaderBytes } from '../ledger/snapshot-base.js';
import { blockKey, decodeHead, type Head, headKey, nodeDataKey, SNAPSHOT_BASE_KEY, type Store } from '../store/index.js';
import { type BackupHeader, BACKUP_FORMAT, BACKUP_VERSION, encodeFrame, encodeHeader, FRAME_FILE, FRAME_RECORD, HEADER_BYTES, hashFile } from './backup-file.js';
import { HomeError } from './home.js';

/**
 * The home files a backup holds besides the store, relative to the home: config, genesis, the
 * keys, and a validator's signing guard (so a restored validator still refuses to sign against
 * what it signed before). The index is left out: it is rebuilt from the store.
 */
export const BACKED_UP_FILES = ['config.json', 'genesis.json', 'keys/validator.json', 'keys/node.json', 'keys/faucet.json', 'keys/admin-token', SIGNING_STATE_FILE, LOCK_FILE] as const;

/** Files a home cannot run without: a backup without them is refused. */
export const REQUIRED_FILES: readonly string[] = ['config.json', 'genesis.json', 'keys/validator.json'];

/** The figures of a backup, as `backup` and `restore` print them. */
export interface BackupFigures {
  readonly chainId: string;
  readonly height: number;
  readonly hash: string;
  readonly stateRoot: string;
  readonly records: number;
  readonly files: number;
  readonly bytes: number;
  readonly seconds: number;
}

/** What a backup wrote, and where. */
export interface BackupSummary extends BackupFigures {
  readonly path: string;
}

// Frames gather in memory up to this size between writes.
const WRITE_CHUNK_BYTES = 1 << 20;

/**
 * Writes the backup of a home whose store is open in this process (the node's own, while it
 * commits blocks, or one opened for a stopped node): every record of one snapshot of the store,
 * then the home's files. Written to `out`.partial, fsynced, checksummed and renamed, readable
 * by the owner only (it holds secret keys). Refuses an `out` that exists.
 */
export async function writeBackup(options: { readonly home: string; readonly store: Store; readonly out: string; readonly chainId: string }): Promise<BackupSummary> {
  const started = performance.now();
  const { home, out } = options;
  if (!isAbsolute(out)) throw new HomeError(`the backup path must be absolute, not "${out}"`);
  if (existsSync(out)) throw new HomeError(`${out} already exists; choose another path or remove it`);
  if (!existsSync(dirname(out))) throw new HomeError(`no folder ${dirname(out)} to write the backup in`);
  const copy = recordCopyOf(options.store);
  if (!copy) throw new HomeError('this store cannot be backed up');
  const partial = `${out}.partial`;
  const file = await open(partial, 'w', 0o600);
  let closed = false;
  try {
    await file.chmod(0o600);
    let position = HEADER_BYTES;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      const chunk = Buffer.concat(pending, pendingBytes);
      await file.write(chunk, 0, chunk.length, position);
      position += chunk.length;
      pending = [];
      pendingBytes = 0;
    };
    const add = async (frame: Buffer) => {
      pending.push(frame);
      pendingBytes += frame.length;
      if (pendingBytes >= WRITE_CHUNK_BYTES) await flush();
    };

    const counts = { blocks: 0, commits: 0, txs: 0, state: 0, nodeData: 0, other: 0 };
    const names = ['other', 'blocks', 'commits', 'txs', 'state', 'nodeData'] as const;
    let head: Head | undefined;
    let headBlock: Uint8Array | undefined;
    let headBlockKey: Uint8Array | undefined;
    let snapshotBase: Uint8Array | undefined;
    const snapshotBaseKey = nodeDataKey(SNAPSHOT_BASE_KEY);
    let records = 0;
    for await (const [key, value] of copy.snapshotRecords()) {
      // The head record sorts first: its block, later in the same snapshot, gives the state root.
      if (Buffer.compare(key, headKey) === 0) {
        head = decodeHead(value);
        headBlockKey = blockKey(head.height);
      } else if (headBlockKey && Buffer.compare(key, headBlockKey) === 0) headBlock = value;
      else if (Buffer.compare(key, snapshotBaseKey) === 0) snapshotBase = value;
      counts[names[key[0] ?? 0] ?? 'other'] += 1;
      records += 1;
      await add(encodeFrame(FRAME_RECORD, key, value));
    }
    // A node started from a state snapshot holds that height's header until its next block.
    const block = headBlock ? decodeBlock(headBlock).header : snapshotBase && decodeHeaderBytes(snapshotBase);
    if (!head || !block || block.height !== head.height) throw new HomeError('the store holds no committed block yet: start the node once before backing it up');

    // Read after the snapshot: a signing guard newer than the store is the safe side.
    const files: string[] = [];
    for (const name of BACKED_UP_FILES) {
      const contents = await readIfPresent(join(home, name));
      if (contents === undefined) {
        if (REQUIRED_FILES.includes(name)) throw new HomeError(`cannot read ${join(home, name)}`);
        continue;
      }
      files.push(name);
      await add(encodeFrame(FRAME_FILE, Buffer.from(name), contents));
    }
    await flush();

    const header: BackupHeader = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      chainId: options.chainId,
      height: head.height,
      hash: toHex(head.hash),
      stateRoot: block.stateRoot,
      time: block.time,
      createdAt: Math.floor(Date.now() / 1000),
      files,
      records,
      counts,
      frameBytes: position - HEADER_BYTES,
    };
    await file.write(encodeHeader(header), 0, HEADER_BYTES, 0);
    await file.sync();
    // The checksum is of the bytes as they lie in the file, read back.
    const checksum = await hashFile(partial, position);
    await file.write(checksum, 0, checksum.length, position);
    await file.sync();
    await file.close();
    closed = true;
    await rename(partial, out);
    await syncFolder(dirname(out));
    const bytes = (await stat(out)).size;
    return { path: out, chainId: header.chainId, height: header.height, hash: header.hash, stateRoot: header.stateRoot, records, files: files.length, bytes, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    if (!closed) await file.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
}

async function readIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** fsyncs a folder, so a rename in it survives a power cut. */
export async function syncFolder(path: string): Promise<void> {
  const folder = await open(path, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
