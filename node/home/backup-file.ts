/**
 * The backup file of a node's home, version 1:
 *
 *   header   4,096 bytes: a JSON object (BackupHeader), padded with spaces, ending in a newline
 *   frames   one per home file, then one per store record, each
 *            kind (1 byte: 1 file, 2 record) ‖ u32 length ‖ name or key ‖ u32 length ‖ contents or value
 *   checksum 32 bytes: SHA-256 of every byte before it (header and frames)
 *
 * The header is written last, over its reserved place, because its counts are known only once
 * the store's snapshot has been read through; the checksum is then taken over the file as it
 * lies on disk. A reader checks the checksum before it trusts a byte of the rest.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';

export const BACKUP_FORMAT = 'lendnet-backup';
export const BACKUP_VERSION = 1;
export const HEADER_BYTES = 4096;
export const CHECKSUM_BYTES = 32;

export const FRAME_FILE = 1;
export const FRAME_RECORD = 2;

/** What a backup holds, written at its start. */
export interface BackupHeader {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: typeof BACKUP_VERSION;
  readonly chainId: string;
  /** The store's head in the snapshot: its height, block hash (hex) and that block's state root and time. */
  readonly height: number;
  readonly hash: string;
  readonly stateRoot: string;
  readonly time: number;
  /** When the backup was taken (unix seconds). */
  readonly createdAt: number;
  /** Home files, relative to the home folder. */
  readonly files: readonly string[];
  readonly records: number;
  /** Records by what they hold: blocks, commits, tx index entries, state entries, node data, other. */
  readonly counts: { readonly blocks: number; readonly commits: number; readonly txs: number; readonly state: number; readonly nodeData: number; readonly other: number };
  /** Bytes of the frames, between the header and the checksum. */
  readonly frameBytes: number;
}

/** A backup file that is damaged, cut short, or no Lendnet backup at all; the message is one plain line. */
export class BackupFileError extends Error {
  override readonly name = 'BackupFileError';
}

/** One frame's bytes. */
export function encodeFrame(kind: number, name: Uint8Array, contents: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(9 + name.length + contents.length);
  frame[0] = kind;
  frame.writeUInt32BE(name.length, 1);
  frame.set(name, 5);
  frame.writeUInt32BE(contents.length, 5 + name.length);
  frame.set(contents, 9 + name.length);
  return frame;
}

/** The header's reserved bytes. */
export function encodeHeader(header: BackupHeader): Buffer {
  const text = JSON.stringify(header);
  const length = Buffer.byteLength(text);
  if (length > HEADER_BYTES - 1) throw new Error('the backup header does not fit its 4,096 bytes');
  const bytes = Buffer.alloc(HEADER_BYTES, 0x20);
  bytes.write(text, 0, 'utf8');
  bytes[HEADER_BYTES - 1] = 0x0a;
  return bytes;
}

/** SHA-256 of a file's first `length` bytes. */
export async function hashFile(path: string, length: number): Promise<Buffer> {
  const hash = createHash('sha256');
  if (length > 0) for await (const chunk of createReadStream(path, { start: 0, end: length - 1, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest();
}

/**
 * Checks a backup file whole before anything is written from it: its size, its checksum, and
 * its header. Resolves with the header; anything wrong is a BackupFileError in one line.
 */
export async function checkBackupFile(path: string): Promise<BackupHeader> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new BackupFileError(`cannot read ${path}`);
  }
  if (size < HEADER_BYTES + CHECKSUM_BYTES) throw new BackupFileError(`${path} is not a Lendnet backup (too short: ${size} bytes)`);
  const handle = await open(path, 'r');
  let headerBytes: Buffer;
  let stored: Buffer;
  try {
    headerBytes = await readAt(handle, 0, HEADER_BYTES);
    stored = await readAt(handle, size - CHECKSUM_BYTES, CHECKSUM_BYTES);
  } finally {
    await handle.close();
  }
  if (headerBytes.toString('utf8', 0, HEADER_PREFIX.length) !== HEADER_PREFIX) throw new BackupFileError(`${path} is not a Lendnet backup`);
  // A header damaged in place is reported as damage, which the checksum then proves.
  let header: BackupHeader | undefined;
  let malformed: unknown;
  try {
    header = parseHeader(headerBytes, path);
  } catch (error) {
    malformed = error;
  }
  if (header && HEADER_BYTES + header.frameBytes + CHECKSUM_BYTES !== size) {
    throw new BackupFileError(`${path} is cut short or has bytes added: ${size} bytes where the header says ${HEADER_BYTES + header.frameBytes + CHECKSUM_BYTES}`);
  }
  if (!(await hashFile(path, size - CHECKSUM_BYTES)).equals(stored)) throw new BackupFileError(`${path} is damaged: its SHA-256 checksum does not match its contents`);
  if (!header) throw malformed;
  return header;
}

// How every backup begins: JSON.stringify keeps the header's key order, format first.
const HEADER_PREFIX = `{"format":"${BACKUP_FORMAT}"`;

function parseHeader(bytes: Buffer, path: string): BackupHeader {
  const foreign = new BackupFileError(`${path} is not a Lendnet backup`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw foreign;
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { format?: unknown }).format !== BACKUP_FORMAT) throw foreign;
  const header = parsed as BackupHeader;
  if (header.version !== BACKUP_VERSION) throw new BackupFileError(`${path} is a Lendnet backup of version ${String(header.version)}; this lendnet reads version ${BACKUP_VERSION}`);
  const wholeNumbers = [header.height, header.records, header.frameBytes, header.time];
  if (!wholeNumbers.every((n) => Number.isSafeInteger(n) && n >= 0) || typeof header.chainId !== 'string' || !/^[0-9a-f]{64}$/.test(String(header.hash)) || !Array.isArray(header.files)) {
    throw new BackupFileError(`${path} has a malformed backup header`);
  }
  return header;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new BackupFileError('the backup file changed while it was read');
  return buffer;
}

/** One frame read back. */
export interface Frame {
  readonly kind: number;
  readonly name: Uint8Array;
  readonly contents: Uint8Array;
}

/**
 * The frames of a checked backup file, in order, read in 1 MB chunks. A frame that runs past
 * the frames' end is a BackupFileError (a checked file never has one).
 */
export async function* readFrames(path: string, header: BackupHeader): AsyncGenerator<Frame> {
  const end = HEADER_BYTES + header.frameBytes;
  let pending: Buffer = Buffer.alloc(0);
  let offset = 0;
  const stream = header.frameBytes === 0 ? [] : createReadStream(path, { start: HEADER_BYTES, end: end - 1, highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    pending = offset < pending.length ? Buffer.concat([pending.subarray(offset), chunk as Buffer]) : (chunk as Buffer);
    offset = 0;
    for (;;) {
      if (pending.length - offset < 5) break;
      const nameLength = pending.readUInt32BE(offset + 1);
      if (pending.length - offset < 9 + nameLength) break;
      const contentsLength = pending.readUInt32BE(offset + 5 + nameLength);
      const frameLength = 9 + nameLength + contentsLength;
      if (pending.length - offset < frameLength) break;
      const kind = pending[offset] as number;
      const name = Uint8Array.from(pending.subarray(offset + 5, offset + 5 + nameLength));
      const contents = Uint8Array.from(pending.subarray(offset + 9 + nameLength, offset + frameLength));
      offset += frameLength;
      yield { kind, name, contents };
    }
  }
  if (offset !== pending.length) throw new BackupFileError(`${path} ends inside a frame`);
}
