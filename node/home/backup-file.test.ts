import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BackupHeader, BACKUP_FORMAT, BACKUP_VERSION, BackupFileError, checkBackupFile, encodeFrame, encodeHeader, FRAME_FILE, FRAME_RECORD, type Frame, readFrames } from './backup-file.js';

const dir = await mkdtemp(join(tmpdir(), 'lendnet-backup-file-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A backup file of these frames, laid out as writeBackup lays one out. */
async function writeFrames(path: string, frames: readonly Frame[]): Promise<BackupHeader> {
  const body = Buffer.concat(frames.map((frame) => encodeFrame(frame.kind, frame.name, frame.contents)));
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    chainId: 'lendnet-devnet',
    height: 1,
    hash: 'ab'.repeat(32),
    stateRoot: 'cd'.repeat(32),
    time: 1_700_000_000,
    createdAt: 1_700_000_001,
    files: ['config.json'],
    records: frames.length - 1,
    counts: { blocks: 0, commits: 0, txs: 0, state: 0, nodeData: 0, other: frames.length - 1 },
    frameBytes: body.length,
  };
  const content = Buffer.concat([encodeHeader(header), body]);
  await writeFile(path, Buffer.concat([content, createHash('sha256').update(content).digest()]));
  return header;
}

describe('the backup file', () => {
  it('reads back every frame whole, across the 1 MB chunks it is read in', async () => {
    // Sizes that straddle chunk boundaries, with a frame larger than a chunk among them.
    const frames: Frame[] = Array.from({ length: 3_000 }, (_, i) => ({ kind: FRAME_RECORD, name: randomBytes(1 + (i % 40)), contents: randomBytes((i * 7919) % 1_500) }));
    frames.splice(1_234, 0, { kind: FRAME_RECORD, name: Uint8Array.of(1), contents: randomBytes(2_500_000) });
    frames.push({ kind: FRAME_FILE, name: Buffer.from('config.json'), contents: Buffer.from('{}') });
    const path = join(dir, 'big.backup');
    await writeFrames(path, frames);
    const header = await checkBackupFile(path);
    const read: Frame[] = [];
    for await (const frame of readFrames(path, header)) read.push(frame);
    expect(read.length).toBe(frames.length);
    read.forEach((frame, i) => {
      expect(frame.kind).toBe(frames[i]!.kind);
      expect(Buffer.from(frame.name).equals(Buffer.from(frames[i]!.name))).toBe(true);
      expect(Buffer.from(frame.contents).equals(Buffer.from(frames[i]!.contents))).toBe(true);
    });
  });

  it('refuses a file whose header version is unknown, before reading a frame', async () => {
    const path = join(dir, 'future.backup');
    await writeFrames(path, [{ kind: FRAME_FILE, name: Buffer.from('config.json'), contents: Buffer.from('{}') }]);
    const bytes = await readFile(path);
    const text = bytes.subarray(0, 4096).toString('utf8').replace('"version":1', '"version":9');
    bytes.write(text, 0, 'utf8');
    const content = bytes.subarray(0, bytes.length - 32);
    await writeFile(path, Buffer.concat([content, createHash('sha256').update(content).digest()]));
    await expect(checkBackupFile(path)).rejects.toThrow(BackupFileError);
    await expect(checkBackupFile(path)).rejects.toThrow(/version 9/);
  });
});
