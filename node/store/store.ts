/**
 * The node's store: bytes in, bytes out (the node encodes). Everything a committed block adds
 * — the block, its commit certificate, its tx index entries, its state changes, extra node data
 * and the new head — goes to disk in one atomic, durable write, so after a crash the store is
 * at some committed height with exactly that height's state, never between two.
 */

/** Where a transaction sits: the height of its block and its position in the block. */
export interface TxLocation {
  readonly height: number;
  readonly index: number;
}

/** The last committed block. */
export interface Head {
  readonly height: number;
  readonly hash: Uint8Array;
}

/** Everything one committed block writes. Entries are applied in order; a later one wins. */
export interface BlockWrite {
  readonly height: number;
  /** The block's hash, kept as the new head's hash. */
  readonly hash: Uint8Array;
  readonly block: Uint8Array;
  readonly commit: Uint8Array;
  /** Tx id (hex) → where the transaction sits. */
  readonly txs: Iterable<readonly [string, TxLocation]>;
  /** State key → new value, or undefined to delete (what `MarketState.takeChanges()` gives, encoded). */
  readonly stateChanges: Iterable<readonly [string, Uint8Array | undefined]>;
  /** Node data outside the market state (e.g. Merkle tree nodes): key → bytes, or undefined to delete. */
  readonly nodeData?: Iterable<readonly [string, Uint8Array | undefined]>;
}

/**
 * A verified state snapshot a node starts from instead of block 1: the state at `height`, with
 * that height's header (kept as node data under SNAPSHOT_BASE_KEY, as the store holds no block
 * at or below it) and commit certificate.
 */
export interface SnapshotWrite {
  readonly height: number;
  /** The header's block hash, kept as the head's hash. */
  readonly hash: Uint8Array;
  /** The header's canonical bytes. */
  readonly header: Uint8Array;
  readonly commit: Uint8Array;
  /** Every state record: key → canonical bytes. */
  readonly records: Iterable<readonly [string, Uint8Array]>;
  /** Node data written in the same batch (e.g. the proofs of the validator changes up to `height`): key → bytes. */
  readonly nodeData?: Iterable<readonly [string, Uint8Array]>;
}

/** The node-data key of a snapshot's header, in a store that started from a snapshot. */
export const SNAPSHOT_BASE_KEY = 'snapshot/base';

/** The node's persistent store. Reads see only fully committed blocks. */
export interface Store {
  /**
   * Writes the block atomically and durably: once the promise resolves, a kill -9 cannot lose
   * it; if it rejects, nothing of it is visible. Refuses any height but head + 1 (1 when empty).
   * Calls are applied one after another, in call order.
   */
  commitBlock(write: BlockWrite): Promise<void>;
  /**
   * Writes a verified snapshot into an empty store, atomically and durably, as its head: the
   * next block is `height + 1`. Refuses a store that holds a block (HeightMismatchError).
   */
  startFromSnapshot(write: SnapshotWrite): Promise<void>;
  head(): Promise<Head | undefined>;
  getBlock(height: number): Promise<Uint8Array | undefined>;
  getCommit(height: number): Promise<Uint8Array | undefined>;
  getTx(id: string): Promise<TxLocation | undefined>;
  getState(key: string): Promise<Uint8Array | undefined>;
  /** Every state entry whose key starts with `prefix` (all when omitted), in key byte order. */
  iterateState(prefix?: string): AsyncIterable<readonly [string, Uint8Array]>;
  getNodeData(key: string): Promise<Uint8Array | undefined>;
  /** Waits for queued commits, then closes; every later call throws StoreClosedError. */
  close(): Promise<void>;
}

// ---- errors ---------------------------------------------------------------------------

/** A call on a store that was closed. */
export class StoreClosedError extends Error {
  static override readonly name = 'StoreClosedError';
  constructor(message = 'The store is closed') {
    super(message);
    this.name = 'StoreClosedError';
  }
}

/** A block write whose height is not the head's height + 1. */
export class HeightMismatchError extends Error {
  static override readonly name = 'HeightMismatchError';
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`Expected a block at height ${expected}, got ${actual}`);
    this.name = 'HeightMismatchError';
  }
}

/** A key or value the store cannot hold: too long a key, a tx id that is not hex, bytes that are not bytes. */
export class InvalidStoreInputError extends Error {
  static override readonly name = 'InvalidStoreInputError';
  constructor(message = 'Invalid store input') {
    super(message);
    this.name = 'InvalidStoreInputError';
  }
}

/** A stored record that does not decode: the files are damaged or were written by something else. */
export class StoreCorruptError extends Error {
  static override readonly name = 'StoreCorruptError';
  constructor(message = 'The store holds a malformed record') {
    super(message);
    this.name = 'StoreCorruptError';
  }
}

// ---- key layout -----------------------------------------------------------------------
//
// One byte of namespace, then the namespace's key. Heights are 8-byte big-endian so blocks
// iterate in height order; tx ids are stored as their raw bytes.
//   00 'head'           → height (8) ‖ block hash
//   01 height           → block bytes
//   02 height           → commit certificate bytes
//   03 tx id            → height (8) ‖ index (4)
//   04 utf8(state key)  → state value
//   05 utf8(node key)   → node data

const NS_META = 0x00;
const NS_BLOCK = 0x01;
const NS_COMMIT = 0x02;
const NS_TX = 0x03;
const NS_STATE = 0x04;
const NS_NODE = 0x05;

/** Longest state or node-data key, in UTF-8 bytes; LMDB's own limit is 1978. */
export const MAX_KEY_BYTES = 1024;
/** Longest tx id, in bytes (128 hex characters). */
export const MAX_TX_ID_BYTES = 64;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

// Keys are built in Buffers (Uint8Array subclasses): Buffer.write encodes UTF-8 and hex straight
// into place, which is a few times faster than TextEncoder plus a copy at 5,000 keys a block.
function uint64(namespace: number, value: number): Uint8Array {
  const key = Buffer.allocUnsafe(9);
  key[0] = namespace;
  writeUint64(key, 1, value);
  return key;
}

function writeUint64(target: Buffer, offset: number, value: number): void {
  target.writeUInt32BE(Math.floor(value / 0x1_0000_0000), offset);
  target.writeUInt32BE(value >>> 0, offset + 4);
}

function readUint64(source: Uint8Array, offset: number): number {
  const view = new DataView(source.buffer, source.byteOffset + offset, 8);
  const value = view.getUint32(0) * 0x1_0000_0000 + view.getUint32(4);
  if (!Number.isSafeInteger(value)) throw new StoreCorruptError('Stored height past 2^53');
  return value;
}

function checkHeight(height: number): void {
  if (!Number.isSafeInteger(height) || height < 1) throw new InvalidStoreInputError(`Not a block height: ${height}`);
}

function stringKey(namespace: number, key: string): Uint8Array {
  const length = Buffer.byteLength(key, 'utf8');
  if (length > MAX_KEY_BYTES) throw new InvalidStoreInputError(`Key longer than ${MAX_KEY_BYTES} bytes`);
  const bytes = Buffer.allocUnsafe(1 + length);
  bytes[0] = namespace;
  bytes.write(key, 1, 'utf8');
  return bytes;
}

/** Key of the head record. */
export const headKey: Uint8Array = Uint8Array.of(NS_META, ...new TextEncoder().encode('head'));

/** Key of the block at `height`. */
export function blockKey(height: number): Uint8Array {
  checkHeight(height);
  return uint64(NS_BLOCK, height);
}

/** Key of the commit certificate at `height`. */
export function commitKey(height: number): Uint8Array {
  checkHeight(height);
  return uint64(NS_COMMIT, height);
}

/** Key of the tx index entry for a hex tx id (either case). */
export function txKey(id: string): Uint8Array {
  const length = id.length / 2;
  if (!Number.isInteger(length) || length === 0 || length > MAX_TX_ID_BYTES) throw notHex(id);
  const key = Buffer.allocUnsafe(1 + length);
  key[0] = NS_TX;
  // Buffer.write stops at the first pair that is not hex, so a short count means a bad id.
  if (key.write(id, 1, 'hex') !== length) throw notHex(id);
  return key;
}

function notHex(id: string): InvalidStoreInputError {
  return new InvalidStoreInputError(`Not a hex tx id: ${id.slice(0, 40)}`);
}

/** Key of a state record. */
export function stateKeyBytes(key: string): Uint8Array {
  return stringKey(NS_STATE, key);
}

/** Key of a node-data record. */
export function nodeDataKey(key: string): Uint8Array {
  return stringKey(NS_NODE, key);
}

/** The [start, end) key range of the state entries whose keys start with `prefix`. */
export function stateRange(prefix = ''): { start: Uint8Array; end: Uint8Array } {
  const start = stateKeyBytes(prefix);
  // The first key past every key that starts with `start`: drop trailing 0xff bytes, add one to the last.
  let length = start.length;
  while (length > 0 && start[length - 1] === 0xff) length -= 1;
  const end = Uint8Array.from(start.subarray(0, length));
  end[length - 1] = (end[length - 1] ?? 0) + 1;
  return { start, end };
}

/** The state key inside a stored state key. */
export function decodeStateKey(key: Uint8Array): string {
  if (key[0] !== NS_STATE) throw new StoreCorruptError('Not a state key');
  return utf8Decoder.decode(key.subarray(1));
}

/** The stored form of a head. */
export function encodeHead(head: Head): Uint8Array {
  const bytes = Buffer.allocUnsafe(8 + head.hash.length);
  writeUint64(bytes, 0, head.height);
  bytes.set(head.hash, 8);
  return bytes;
}

/** A head from its stored form. */
export function decodeHead(bytes: Uint8Array): Head {
  if (bytes.length < 9) throw new StoreCorruptError('Malformed head record');
  return { height: readUint64(bytes, 0), hash: Uint8Array.from(bytes.subarray(8)) };
}

/** The stored form of a tx location. */
export function encodeTxLocation(location: TxLocation): Uint8Array {
  checkHeight(location.height);
  if (!Number.isInteger(location.index) || location.index < 0 || location.index > 0xffff_ffff) {
    throw new InvalidStoreInputError(`Not a tx index: ${location.index}`);
  }
  const bytes = Buffer.allocUnsafe(12);
  writeUint64(bytes, 0, location.height);
  bytes.writeUInt32BE(location.index, 8);
  return bytes;
}

/** A tx location from its stored form. */
export function decodeTxLocation(bytes: Uint8Array): TxLocation {
  if (bytes.length !== 12) throw new StoreCorruptError('Malformed tx location');
  return { height: readUint64(bytes, 0), index: new DataView(bytes.buffer, bytes.byteOffset, 12).getUint32(8) };
}

// ---- block writes ---------------------------------------------------------------------

/** One write of a batch: key → value, or undefined to delete. */
export type StoreOp = readonly [key: Uint8Array, value: Uint8Array | undefined];

function bytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new InvalidStoreInputError(`${what} is not bytes`);
  return value;
}

function optionalBytes(value: unknown, what: string): Uint8Array | undefined {
  return value === undefined ? undefined : bytes(value, what);
}

/**
 * Checks a block write against the current head; throws HeightMismatchError (or
 * InvalidStoreInputError) before anything is written.
 */
export function checkBlockWrite(write: BlockWrite, head: Head | undefined): void {
  const expected = (head?.height ?? 0) + 1;
  if (write.height !== expected) throw new HeightMismatchError(expected, write.height);
  bytes(write.hash, 'Block hash');
  if (write.hash.length === 0) throw new InvalidStoreInputError('Empty block hash');
  bytes(write.block, 'Block');
  bytes(write.commit, 'Commit');
}

/**
 * The writes of a checked block, produced lazily: a bad entry throws while they are being
 * applied, which the store must turn into a batch that never lands.
 */
export function* blockOps(write: BlockWrite): Generator<StoreOp> {
  yield [blockKey(write.height), write.block];
  yield [commitKey(write.height), write.commit];
  for (const [id, location] of write.txs) yield [txKey(id), encodeTxLocation(location)];
  for (const [key, value] of write.stateChanges) yield [stateKeyBytes(key), optionalBytes(value, `State ${key}`)];
  for (const [key, value] of write.nodeData ?? []) yield [nodeDataKey(key), optionalBytes(value, `Node data ${key}`)];
  yield [headKey, encodeHead({ height: write.height, hash: write.hash })];
}

/** The writes of a snapshot a store starts from, the head last. */
export function* snapshotOps(write: SnapshotWrite): Generator<StoreOp> {
  checkHeight(write.height);
  for (const [key, value] of write.records) yield [stateKeyBytes(key), bytes(value, `State ${key}`)];
  for (const [key, value] of write.nodeData ?? []) yield [nodeDataKey(key), bytes(value, `Node data ${key}`)];
  yield [nodeDataKey(SNAPSHOT_BASE_KEY), bytes(write.header, 'Snapshot header')];
  yield [commitKey(write.height), bytes(write.commit, 'Commit')];
  yield [headKey, encodeHead({ height: write.height, hash: bytes(write.hash, 'Block hash') })];
}

/**
 * Runs commits one after another in call order, whatever the caller awaits; a failed commit
 * does not stop the ones queued after it.
 */
export class CommitQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves when every queued commit has settled. */
  async drain(): Promise<void> {
    await this.tail;
  }
}
