import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { toHex } from '../../contracts/index.js';
import { Chain } from '../ledger/chain.js';
import { recordCopyOf } from '../store/record-copy.js';
import { openStore } from '../store/index.js';
import { BackupFileError, checkBackupFile, FRAME_FILE, FRAME_RECORD, readFrames } from './backup-file.js';
import { BACKED_UP_FILES, type BackupFigures, REQUIRED_FILES, syncFolder } from './backup.js';
import { decodeGenesis } from './genesis-file.js';
import { HomeError, homePaths } from './home.js';

/** What a restore wrote, and into which home. */
export interface RestoreSummary extends BackupFigures {
  readonly home: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Restores a backup into a new home: checks the file's checksum and header before anything
 * is written, refuses a home that already holds a node, then writes the files and the store's
 * records into a folder beside `home` and renames it into place once the restored store has
 * opened with its state root equal to its head block's. Nothing is left behind on a refusal.
 * The index is not in the backup: the node builds it from the store when it first starts.
 */
export async function restoreBackup(from: string, home: string): Promise<RestoreSummary> {
  const started = performance.now();
  const header = await checkBackupFile(from);
  if (holdsSomething(home)) throw new HomeError(`${home} already holds a node or other files; restore into a new folder`);
  if (!existsSync(dirname(home))) throw new HomeError(`no folder ${dirname(home)} to restore into`);
  const temp = join(dirname(home), `.${basename(home)}.restoring-${process.pid}`);
  await rm(temp, { recursive: true, force: true });
  await mkdir(join(temp, 'keys'), { recursive: true, mode: 0o700 });
  try {
    const files = new Map<string, Uint8Array>();
    let records = 0;
    async function* storeRecords(): AsyncGenerator<readonly [Uint8Array, Uint8Array]> {
      for await (const frame of readFrames(from, header)) {
        if (frame.kind === FRAME_RECORD) {
          records += 1;
          yield [frame.name, frame.contents];
        } else if (frame.kind === FRAME_FILE) files.set(fileName(frame.name, from), frame.contents);
        else throw new BackupFileError(`${from} holds a frame of unknown kind ${frame.kind}`);
      }
    }
    const store = await openStore(homePaths(temp).data);
    let stateRoot: string;
    try {
      const copy = recordCopyOf(store);
      if (!copy) throw new HomeError('this store cannot take a backup');
      const head = await copy.importRecords(storeRecords());
      if (records !== header.records) throw new BackupFileError(`${from} holds ${records} records where its header says ${header.records}`);
      if (!head || head.height !== header.height || toHex(head.hash) !== header.hash) throw new BackupFileError(`${from} holds a store whose head differs from its header's`);
      for (const name of REQUIRED_FILES) if (!files.has(name)) throw new BackupFileError(`${from} holds no ${name}`);
      const genesis = decodeGenesis(utf8.decode(files.get('genesis.json')));
      if (genesis.market.params.chainId !== header.chainId) throw new BackupFileError(`${from} holds the genesis of chain ${genesis.market.params.chainId}, not ${header.chainId}`);
      // Loads the state and checks its root against the head block's header, as a start would.
      const chain = await Chain.open(store, genesis);
      stateRoot = chain.head().stateRoot;
      if (stateRoot !== header.stateRoot) throw new BackupFileError(`${from} holds a state whose root differs from its header's`);
    } finally {
      await store.close();
    }
    for (const [name, contents] of files) {
      const secret = name.startsWith('keys/');
      await writeFile(join(temp, name), contents, { mode: secret ? 0o600 : 0o644 });
    }
    await rename(temp, home);
    await syncFolder(dirname(home));
    return {
      home,
      chainId: header.chainId,
      height: header.height,
      hash: header.hash,
      stateRoot,
      records,
      files: files.size,
      bytes: (await stat(from)).size,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Whether a folder exists and is not empty (a rename can replace only an empty one). */
function holdsSomething(home: string): boolean {
  try {
    return readdirSync(home).length > 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return true;
    throw error;
  }
}

// Only the names a backup writes: a crafted file cannot place a file elsewhere.
const KNOWN_FILES: ReadonlySet<string> = new Set(BACKED_UP_FILES);

function fileName(bytes: Uint8Array, from: string): string {
  const name = Buffer.from(bytes).toString('utf8');
  if (!KNOWN_FILES.has(name)) throw new BackupFileError(`${from} holds an unexpected file "${name.slice(0, 60)}"`);
  return name;
}
