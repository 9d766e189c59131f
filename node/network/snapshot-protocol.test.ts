import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../contracts/index.js';
import {
  decodeSnapshotBase,
  decodeSnapshotChunk,
  decodeSnapshotOffer,
  decodeSnapshotRequest,
  encodeSnapshotBase,
  encodeSnapshotChunks,
  encodeSnapshotOffer,
  encodeSnapshotRequest,
  MAX_CHUNK_RECORDS,
  SNAPSHOT_CHUNK_BYTES,
  SnapshotRefusal,
  type SnapshotRecord,
} from './snapshot-protocol.js';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof SnapshotRefusal) return error.code;
    throw error;
  }
}

const header = {
  chainId: 'lendnet-snapshot-test',
  height: 12,
  time: 1_234,
  previousHash: 'a'.repeat(64),
  txRoot: 'b'.repeat(64),
  stateRoot: 'c'.repeat(64),
  validatorsHash: 'd'.repeat(64),
  proposer: 'e'.repeat(64),
};
const commit = { height: 12, round: 0, blockHash: 'f'.repeat(64), precommits: [{ validator: 'e'.repeat(64), signature: '1'.repeat(128) }] };

const records = (count: number, size = 20): SnapshotRecord[] =>
  Array.from({ length: count }, (_, i) => [`balance/${String(i).padStart(8, '0')}/USD`, utf8(`"${'7'.repeat(size)}"`)] as const);

describe('the snapshot protocol', () => {
  it('requests round-trip; anything else is refused with BAD_REQUEST', () => {
    for (const request of [{ kind: 'offer' }, { kind: 'base', height: 7 }, { kind: 'chunk', height: 7, index: 0 }, { kind: 'chunk', height: 9, index: 41 }] as const) {
      expect(decodeSnapshotRequest(encodeSnapshotRequest(request))).toEqual(request);
    }
    for (const text of ['', '{}', '{"kind":"offer"} ', '{"height":"0","kind":"base"}', '{"height":"7","index":"01","kind":"chunk"}', '{"height":"7","kind":"chunk"}', 'x'.repeat(200)]) {
      expect(codeOf(() => decodeSnapshotRequest(utf8(text)))).toBe('BAD_REQUEST');
    }
  });

  it('offers, and bases with their commit, round-trip; malformed ones are refused with their code', () => {
    const offer = { height: 12, chunks: 3, records: 9_000 };
    expect(decodeSnapshotOffer(encodeSnapshotOffer(offer))).toEqual(offer);
    expect(decodeSnapshotOffer(encodeSnapshotOffer({ height: 0, chunks: 0, records: 0 }))).toEqual({ height: 0, chunks: 0, records: 0 });
    expect(codeOf(() => decodeSnapshotOffer(encodeSnapshotOffer({ height: 12, chunks: 0, records: 5 })))).toBe('BAD_OFFER');
    expect(codeOf(() => decodeSnapshotOffer(encodeSnapshotOffer({ height: 12, chunks: 2, records: 2 * MAX_CHUNK_RECORDS + 1 })))).toBe('BAD_OFFER');
    expect(codeOf(() => decodeSnapshotOffer(utf8('{"height":"12"}')))).toBe('BAD_OFFER');

    const base = { header, commit };
    expect(decodeSnapshotBase(encodeSnapshotBase(base))).toEqual(base);
    const text = new TextDecoder().decode(encodeSnapshotBase(base));
    expect(codeOf(() => decodeSnapshotBase(utf8(text.replace('"height":"12"', '"height":12'))))).toBe('BAD_BASE');
    expect(codeOf(() => decodeSnapshotBase(utf8(`${text} `)))).toBe('BAD_BASE');
    expect(codeOf(() => decodeSnapshotBase(Uint8Array.of(0xff, 0x00, 0x7b)))).toBe('BAD_BASE');
  });

  it('splits records into chunks of bounded size that decode to the same records in order', () => {
    const all = records(30_000, 40);
    const chunks = encodeSnapshotChunks(all);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(SNAPSHOT_CHUNK_BYTES);
    const decoded = chunks.flatMap((chunk) => decodeSnapshotChunk(chunk).map(({ key, bytes }) => [key, bytes] as const));
    expect(decoded.map(([key]) => key)).toEqual(all.map(([key]) => key));
    expect(decoded.every(([, bytes], i) => Buffer.compare(bytes, all[i]![1]) === 0)).toBe(true);
  });

  it('refuses a truncated chunk, trailing bytes, an empty chunk and garbage with BAD_CHUNK', () => {
    const [chunk] = encodeSnapshotChunks(records(50));
    for (const cut of [0, 3, 4, 7, 20, chunk!.length - 1]) expect(codeOf(() => decodeSnapshotChunk(chunk!.slice(0, cut)))).toBe('BAD_CHUNK');
    expect(codeOf(() => decodeSnapshotChunk(Uint8Array.from([...chunk!, 0])))).toBe('BAD_CHUNK');
    expect(codeOf(() => decodeSnapshotChunk(Uint8Array.of(0, 0, 0, 0)))).toBe('BAD_CHUNK');
    // A key that is not UTF-8.
    expect(codeOf(() => decodeSnapshotChunk(Uint8Array.of(1, 0, 0, 0, 1, 0, 0, 0, 0xff, 1, 0, 0, 0, 0x31)))).toBe('BAD_CHUNK');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (garbage) => {
        const code = codeOf(() => decodeSnapshotChunk(garbage));
        return code === undefined || code === 'BAD_CHUNK';
      }),
    );
  });
});
