import { assertCanonical, canonicalBytes, encodeCanonical, parseJson, utf8 } from '../../contracts/codec/canonical.js';
import { integer, object } from '../../contracts/codec/schema.js';
import {
  type BlockHeader,
  type CanonicalValue,
  type CommitCertificate,
  commitDecoder,
  headerDecoder,
  isRefusal,
  MAX_PRECOMMITS,
  MAX_VALIDATOR_CHANGES,
  validatorChangesDecoder,
  type ValidatorSetChange,
} from '../../contracts/index.js';

/**
 * The state snapshot protocol, `/lendnet/<chainId>/snapshot/1`: how a node that joins takes the
 * state of a recent committed height from a peer instead of replaying every block. Four
 * requests, each canonical JSON:
 *
 * - `{"kind":"offer"}`: the newest snapshot the peer serves, answered
 *   `{"chunks":"n","height":"n","records":"n"}` (height 0: none);
 * - `{"height":"n","kind":"base"}`: that height's block header and commit certificate, and how
 *   many pages of validator changes go with it, answered `{"changePages":"p","commit":{…},"header":{…}}`;
 * - `{"height":"n","index":"i","kind":"changes"}`: page i of the proofs of the validator-set
 *   changes adopted at or below that height (validator-history.ts), oldest first, answered as a
 *   canonical JSON array of at least one change; with them, a joiner knows which set commits
 *   the snapshot's height without trusting the peer;
 * - `{"height":"n","index":"i","kind":"chunk"}`: chunk i of its state records, answered as a u32
 *   count, then per record a u32 length and the key's UTF-8, a u32 length and the record's
 *   canonical bytes (integers little-endian). Records come in key byte order, chunk after chunk.
 *
 * Everything an answer carries is decoded strictly here; a fault is a SnapshotRefusal with a
 * stable code. Whether the records are the state the header names is state-sync.ts's check.
 */

export const SNAPSHOT_PROTOCOL = 'snapshot';
/** A chunk is filled with records up to this many bytes (at least one record). */
export const SNAPSHOT_CHUNK_BYTES = 1 << 20;
/** Bytes of one chunk answer at most: a chunk's target and one record over it. */
export const MAX_SNAPSHOT_CHUNK_BYTES = 2 << 20;
/** Records one chunk holds at most. */
export const MAX_CHUNK_RECORDS = 16_384;
/** Chunks one snapshot has at most (a state of 1 TiB at the target size). */
export const MAX_SNAPSHOT_CHUNKS = 1 << 20;
/** Bytes of one request at most. */
export const MAX_SNAPSHOT_REQUEST_BYTES = 128;
/** Bytes of a base answer at most: a header and a full commit certificate. */
export const MAX_SNAPSHOT_BASE_BYTES = MAX_PRECOMMITS * 300 + 4_096;
/** Bytes of one page of validator changes at most (a page holds one change at least, whatever its size). */
export const MAX_CHANGES_PAGE_BYTES = MAX_SNAPSHOT_CHUNK_BYTES;
/** Longest state key in a snapshot, in UTF-8 bytes (the store's limit). */
const MAX_SNAPSHOT_KEY_BYTES = 1024;

export type SnapshotRefusalCode =
  /** A request that is not one of the three (the serving side's refusal). */
  | 'BAD_REQUEST'
  /** The peer serves no snapshot of that height, or no such chunk. */
  | 'NO_SNAPSHOT'
  /** The offer does not decode or is out of bounds. */
  | 'BAD_OFFER'
  /** The base does not decode, or names another chain or height than offered. */
  | 'BAD_BASE'
  /** The commit certificate does not finalise the header under the validator set. */
  | 'BAD_COMMIT'
  /**
   * The validator changes do not decode, do not verify from the genesis set, do not lead to
   * the set the header names, or disagree with the snapshot state's `validators` record (one
   * forged, altered or left out).
   */
  | 'BAD_VALIDATOR_CHANGES'
  /** A chunk is truncated, has trailing bytes, or is over its bounds. */
  | 'BAD_CHUNK'
  /** A record does not decode as the record of its key, or is not canonical. */
  | 'BAD_RECORD'
  /** Keys are not in strictly increasing byte order (a key twice, or out of order). */
  | 'RECORDS_OUT_OF_ORDER'
  /** The records' sparse Merkle root is not the header's state root. */
  | 'ROOT_MISMATCH'
  /** The peer gave no answer (gone, busy, timed out, or refused with a transport code). */
  | 'UNANSWERED';

/** A snapshot, or one answer of it, that the node refuses. */
export class SnapshotRefusal extends Error {
  override readonly name = 'SnapshotRefusal';
  constructor(
    readonly code: SnapshotRefusalCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export type SnapshotRequest =
  | { readonly kind: 'offer' }
  | { readonly kind: 'base'; readonly height: number }
  | { readonly kind: 'changes'; readonly height: number; readonly index: number }
  | { readonly kind: 'chunk'; readonly height: number; readonly index: number };

export interface SnapshotOffer {
  readonly height: number;
  readonly chunks: number;
  readonly records: number;
}

export interface SnapshotBase {
  readonly header: BlockHeader;
  readonly commit: CommitCertificate;
  /** Pages of validator changes to fetch with `changes` requests (0: the set never changed up to this height). */
  readonly changePages: number;
}

/** One state record as a snapshot carries it: the key, and the record's canonical bytes. */
export type SnapshotRecord = readonly [key: string, bytes: Uint8Array];

export function encodeSnapshotRequest(request: SnapshotRequest): Uint8Array {
  return canonicalBytes(request);
}

/** Decodes a request; a SnapshotRefusal (BAD_REQUEST) unless it is exactly one of the four forms. */
export function decodeSnapshotRequest(bytes: Uint8Array): SnapshotRequest {
  // Every valid request is ASCII; latin1 decodes every byte, and the patterns refuse the rest.
  const text = bytes.length > MAX_SNAPSHOT_REQUEST_BYTES ? '' : new TextDecoder('latin1').decode(bytes);
  if (text === '{"kind":"offer"}') return { kind: 'offer' };
  const base = /^\{"height":"([1-9][0-9]{0,15})","kind":"base"\}$/.exec(text);
  if (base && Number.isSafeInteger(Number(base[1]))) return { kind: 'base', height: Number(base[1]) };
  const changes = /^\{"height":"([1-9][0-9]{0,15})","index":"(0|[1-9][0-9]{0,7})","kind":"changes"\}$/.exec(text);
  if (changes && Number.isSafeInteger(Number(changes[1])) && Number(changes[2]) < MAX_VALIDATOR_CHANGES) return { kind: 'changes', height: Number(changes[1]), index: Number(changes[2]) };
  const chunk = /^\{"height":"([1-9][0-9]{0,15})","index":"(0|[1-9][0-9]{0,7})","kind":"chunk"\}$/.exec(text);
  if (chunk && Number.isSafeInteger(Number(chunk[1])) && Number(chunk[2]) < MAX_SNAPSHOT_CHUNKS) return { kind: 'chunk', height: Number(chunk[1]), index: Number(chunk[2]) };
  throw new SnapshotRefusal('BAD_REQUEST', 'a snapshot request is an offer, base, changes or chunk request');
}

export function encodeSnapshotOffer(offer: SnapshotOffer): Uint8Array {
  return canonicalBytes({ chunks: offer.chunks, height: offer.height, records: offer.records });
}

/** Decodes an offer; height 0 (and no chunks) means the peer serves none. */
export function decodeSnapshotOffer(bytes: Uint8Array): SnapshotOffer {
  const text = bytes.length > 128 ? '' : new TextDecoder('latin1').decode(bytes);
  const match = /^\{"chunks":"(0|[1-9][0-9]{0,7})","height":"(0|[1-9][0-9]{0,15})","records":"(0|[1-9][0-9]{0,15})"\}$/.exec(text);
  if (!match) throw new SnapshotRefusal('BAD_OFFER', 'an offer is {"chunks":"n","height":"n","records":"n"}');
  const [chunks, height, records] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!Number.isSafeInteger(height) || !Number.isSafeInteger(records) || chunks > MAX_SNAPSHOT_CHUNKS) throw new SnapshotRefusal('BAD_OFFER', 'the offer is out of bounds');
  // Every snapshot holds records (the genesis assets at least), and a chunk holds one at least.
  if (height > 0 && (chunks === 0 || records < chunks || records > chunks * MAX_CHUNK_RECORDS)) throw new SnapshotRefusal('BAD_OFFER', 'the offer counts records and chunks that cannot be');
  if (height === 0 && (chunks !== 0 || records !== 0)) throw new SnapshotRefusal('BAD_OFFER', 'an offer of nothing has no chunks');
  return { height, chunks, records };
}

function commitValue(commit: CommitCertificate): CanonicalValue {
  return { ...commit, precommits: commit.precommits.map((precommit) => ({ ...precommit })) };
}

export function encodeSnapshotBase(base: SnapshotBase): Uint8Array {
  const { changePages, commit, header } = base;
  return canonicalBytes({ changePages, commit: commitValue(commit), header: { ...header } });
}

// A page holds one change at least, so there are no more pages than changes.
const baseDecoder = object({ changePages: integer(0, MAX_VALIDATOR_CHANGES), commit: commitDecoder, header: headerDecoder });

/** Decodes a base answer: strictly shaped and canonical, or a SnapshotRefusal (BAD_BASE). */
export function decodeSnapshotBase(bytes: Uint8Array): SnapshotBase {
  try {
    if (bytes.length > MAX_SNAPSHOT_BASE_BYTES) throw new SnapshotRefusal('BAD_BASE', 'the base is over its size');
    const parsed = parseJson(bytes, MAX_SNAPSHOT_BASE_BYTES);
    const base = baseDecoder(parsed, 'base');
    assertCanonical(bytes, parsed);
    return base;
  } catch (error) {
    if (isRefusal(error)) throw new SnapshotRefusal('BAD_BASE', error.message);
    throw error;
  }
}

function changeValue(change: ValidatorSetChange): CanonicalValue {
  const { occupant, siblings } = change.proof;
  return { header: { ...change.header }, commit: commitValue(change.commit), record: change.record, proof: { siblings, ...(occupant ? { occupant: { ...occupant } } : {}) } };
}

/**
 * Splits validator changes (oldest first) into pages of at most MAX_CHANGES_PAGE_BYTES each, as
 * canonical JSON arrays; a change over that size alone takes a page (and no joiner can take it).
 */
export function encodeValidatorChangePages(changes: readonly ValidatorSetChange[]): Uint8Array[] {
  const pages: Uint8Array[] = [];
  // Canonical text is ASCII: its length is its size in bytes.
  let taken: string[] = [];
  let size = 2;
  for (const change of changes) {
    const encoded = encodeCanonical(changeValue(change));
    if (taken.length > 0 && size + 1 + encoded.length > MAX_CHANGES_PAGE_BYTES) {
      pages.push(utf8(`[${taken.join(',')}]`));
      taken = [];
      size = 2;
    }
    size += encoded.length + (taken.length > 0 ? 1 : 0);
    taken.push(encoded);
  }
  if (taken.length > 0) pages.push(utf8(`[${taken.join(',')}]`));
  return pages;
}

/** Decodes a page of validator changes: a canonical, non-empty array of them within its size, or a SnapshotRefusal (BAD_VALIDATOR_CHANGES). */
export function decodeValidatorChangePage(bytes: Uint8Array): ValidatorSetChange[] {
  try {
    if (bytes.length > MAX_CHANGES_PAGE_BYTES) throw new SnapshotRefusal('BAD_VALIDATOR_CHANGES', 'a page of validator changes is over its size');
    const parsed = parseJson(bytes, MAX_CHANGES_PAGE_BYTES);
    const changes = validatorChangesDecoder(parsed, 'changes');
    assertCanonical(bytes, parsed);
    if (changes.length === 0) throw new SnapshotRefusal('BAD_VALIDATOR_CHANGES', 'a page of validator changes holds one at least');
    return changes;
  } catch (error) {
    if (isRefusal(error)) throw new SnapshotRefusal('BAD_VALIDATOR_CHANGES', error.message);
    throw error;
  }
}

/** Splits records (in key byte order) into chunks of about SNAPSHOT_CHUNK_BYTES each, encoded. */
export function encodeSnapshotChunks(records: readonly SnapshotRecord[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let taken: { readonly key: Buffer; readonly bytes: Uint8Array }[] = [];
  let size = 4;
  const flush = () => {
    const out = Buffer.alloc(size);
    out.writeUInt32LE(taken.length, 0);
    let at = 4;
    for (const { key, bytes } of taken) {
      out.writeUInt32LE(key.length, at);
      key.copy(out, at + 4);
      at += 4 + key.length;
      out.writeUInt32LE(bytes.length, at);
      out.set(bytes, at + 4);
      at += 4 + bytes.length;
    }
    chunks.push(new Uint8Array(out.buffer, out.byteOffset, out.length));
    taken = [];
    size = 4;
  };
  for (const [key, bytes] of records) {
    const keyBytes = Buffer.from(key, 'utf8');
    const entry = 8 + keyBytes.length + bytes.length;
    if (taken.length > 0 && (size + entry > SNAPSHOT_CHUNK_BYTES || taken.length >= MAX_CHUNK_RECORDS)) flush();
    taken.push({ key: keyBytes, bytes });
    size += entry;
  }
  if (taken.length > 0) flush();
  return chunks;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a chunk answer into its records, each key's UTF-8 bytes with it (for the order
 * check); a SnapshotRefusal (BAD_CHUNK) if it is truncated, empty, over its bounds, has a
 * key that is not UTF-8, or has bytes after its last record.
 */
export function decodeSnapshotChunk(bytes: Uint8Array): { readonly key: string; readonly keyBytes: Uint8Array; readonly bytes: Uint8Array }[] {
  const fault = (message: string): never => {
    throw new SnapshotRefusal('BAD_CHUNK', message);
  };
  if (bytes.length > MAX_SNAPSHOT_CHUNK_BYTES) fault('the chunk is over its size');
  if (bytes.length < 4) fault('a chunk starts with its record count');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  if (count === 0 || count > MAX_CHUNK_RECORDS) fault(`a chunk holds 1 to ${MAX_CHUNK_RECORDS} records`);
  let at = 4;
  const take = (limit: number, what: string): Uint8Array => {
    if (at + 4 > bytes.length) fault(`the chunk ends inside a ${what}'s length`);
    const length = view.getUint32(at, true);
    if (length > limit) fault(`a ${what} is over its size`);
    if (at + 4 + length > bytes.length) fault(`a ${what} runs past the end of the chunk`);
    const part = bytes.slice(at + 4, at + 4 + length);
    at += 4 + length;
    return part;
  };
  const out: { key: string; keyBytes: Uint8Array; bytes: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    const keyBytes = take(MAX_SNAPSHOT_KEY_BYTES, 'key');
    let key = '';
    try {
      key = strictUtf8.decode(keyBytes);
    } catch {
      fault('a key is not UTF-8');
    }
    out.push({ key, keyBytes, bytes: take(MAX_SNAPSHOT_CHUNK_BYTES, 'record') });
  }
  if (at !== bytes.length) fault('trailing bytes after the last record');
  return out;
}
