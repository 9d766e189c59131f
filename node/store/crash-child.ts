import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { openLevelStore } from './level-store.js';
import { openLmdbStore } from './lmdb-store.js';
import { CHOSEN_LEVEL_OPTIONS } from './index.js';
import type { BlockWrite, Store, TxLocation } from './store.js';

/**
 * The child of crash.test.ts: opens a store, then commits blocks forever, printing each
 * height once its commit has resolved, until the parent kills it with SIGKILL. Every block is
 * a pure function of its height, so the parent can tell exactly what a store at height H must
 * hold. Usage: node --import tsx crash-child.ts <lmdb|level> <dir>
 */

/** The disk stores the crash test runs against, opened as the node opens them. */
export const crashStores = {
  level: (dir: string): Promise<Store> => openLevelStore(dir, CHOSEN_LEVEL_OPTIONS),
  lmdb: (dir: string): Promise<Store> => openLmdbStore(dir),
} as const;

/** A disk store kind the crash test knows. */
export type CrashStoreKind = keyof typeof crashStores;

const ACCOUNTS = 500;
const ACCOUNTS_PER_BLOCK = 100;
const TXS_PER_BLOCK = 3;

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** The accounts block `height` writes. */
function accountsOf(height: number): number[] {
  return Array.from({ length: ACCOUNTS_PER_BLOCK }, (_, i) => (height * 37 + i * 11) % ACCOUNTS);
}

function accountValue(height: number, account: number): Uint8Array {
  return utf8(`${height}:${account}:`.padEnd(1_000, '.'));
}

/** The tx ids of block `height`. */
export function crashTxIds(height: number): string[] {
  return Array.from({ length: TXS_PER_BLOCK }, (_, i) => sha256(`tx ${height} ${i}`).toString('hex'));
}

/** The length of block `height`'s bytes. */
export function crashBlockLength(height: number): number {
  return 20_000 + ((height * 7_919) % 280_000);
}

/**
 * Block `height`: 20–300 KB of block bytes, three txs, state key `h/<height>`, 100 of 500
 * accounts rewritten, `tmp/<height>` written and `tmp/<height - 1>` deleted, and node data
 * `n/<height>` written and `n/<height - 1>` deleted.
 */
export function crashBlock(height: number): BlockWrite {
  const block = new Uint8Array(crashBlockLength(height)).fill(height % 251);
  block.set(utf8(`block ${height}`));
  const txs = crashTxIds(height).map((id, index): [string, TxLocation] => [id, { height, index }]);
  const stateChanges = new Map<string, Uint8Array | undefined>([[`h/${height}`, utf8(`state ${height}`)]]);
  for (const account of accountsOf(height)) stateChanges.set(`acct/${account}`, accountValue(height, account));
  stateChanges.set(`tmp/${height - 1}`, undefined);
  stateChanges.set(`tmp/${height}`, utf8(`tmp ${height}`));
  const nodeData = new Map<string, Uint8Array | undefined>([
    [`n/${height - 1}`, undefined],
    [`n/${height}`, utf8(`node ${height}`)],
  ]);
  return { height, hash: sha256(`block ${height}`), block, commit: utf8(`commit ${height}`), txs, stateChanges, nodeData };
}

async function main(kind: CrashStoreKind, dir: string): Promise<void> {
  const store = await crashStores[kind](dir);
  let height = (await store.head())?.height ?? 0;
  process.stdout.write(`open ${height}\n`);
  for (;;) {
    height += 1;
    await store.commitBlock(crashBlock(height));
    process.stdout.write(`${height}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [kind, dir] = process.argv.slice(2);
  if ((kind !== 'level' && kind !== 'lmdb') || !dir) throw new Error('usage: crash-child.ts <lmdb|level> <dir>');
  await main(kind, dir);
}
