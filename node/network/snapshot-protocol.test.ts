import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8, type ValidatorSetChange } from '../../contracts/index.js';
import {
  decodeSnapshotBase,
  decodeSnapshotChunk,
  decodeSnapshotOffer,
  decodeSnapshotRequest,
  decodeValidatorChangePage,
  encodeSnapshotBase,
  encodeSnapshotChunks,
  encodeSnapshotOffer,
  encodeSnapshotRequest,
  encodeValidatorChangePages,
  MAX_CHANGES_PAGE_BYTES,
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

/** A change shaped as the protocol carries it (whether it verifies is state-sync's concern), its record `size` characters long. */
const change = (height: number, size = 40): ValidatorSetChange => ({
  header: { ...header, height },
  commit: { ...commit, height },
  record: 'r'.repeat(size),
  proof: { siblings: ['0'.repeat(64), '1'.repeat(64)], ...(height % 2 === 0 ? { occupant: { keyHash: '2'.repeat(64), valueHash: '3'.repeat(64) } } : {}) },
});

const records = (count: number, size = 20): SnapshotRecord[] =>
  Array.from({ length: count }, (_, i) => [`balance/${String(i).padStart(8, '0')}/USD`, utf8(`"${'7'.repeat(size)}"`)] as const);

describe('the snapshot protocol', () => {
  it('requests round-trip; anything else is refused with BAD_REQUEST', () => {
    const requests = [{ kind: 'offer' }, { kind: 'base', height: 7 }, { kind: 'changes', height: 7, index: 0 }, { kind: 'changes', height: 7, index: 3 }, { kind: 'chunk', height: 7, index: 0 }, { kind: 'chunk', height: 9, index: 41 }] as const;
    for (const request of requests) {
      expect(decodeSnapshotRequest(encodeSnapshotRequest(request))).toEqual(request);
    }
    for (const text of ['', '{}', '{"kind":"offer"} ', '{"height":"0","kind":"base"}', '{"height":"7","index":"01","kind":"chunk"}', '{"height":"7","kind":"chunk"}', '{"height":"7","kind":"changes"}', '{"height":"7","index":"100000","kind":"changes"}', 'x'.repeat(200)]) {
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

    const base = { header, commit, changePages: 2 };
    expect(decodeSnapshotBase(encodeSnapshotBase(base))).toEqual(base);
    const text = new TextDecoder().decode(encodeSnapshotBase(base));
    expect(codeOf(() => decodeSnapshotBase(utf8(text.replace('"changePages":"2",', ''))))).toBe('BAD_BASE');
    expect(codeOf(() => decodeSnapshotBase(utf8(text.replace('"changePages":"2"', '"changePages":"100001"'))))).toBe('BAD_BASE');
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

  it('splits validator changes into pages of bounded size that decode to the same changes in order', () => {
    const few = [change(5), change(8), change(13)];
    const [page, ...more] = encodeValidatorChangePages(few);
    expect(more).toEqual([]);
    expect(decodeValidatorChangePage(page!)).toEqual(few);
    expect(encodeValidatorChangePages([])).toEqual([]);

    // Changes of 700 kB each: two to a page.
    const big = [3, 6, 9, 12, 15].map((height) => change(height, 700_000));
    const pages = encodeValidatorChangePages(big);
    expect(pages.map((p) => decodeValidatorChangePage(p).length)).toEqual([2, 2, 1]);
    for (const p of pages) expect(p.length).toBeLessThanOrEqual(MAX_CHANGES_PAGE_BYTES);
    expect(pages.flatMap((p) => decodeValidatorChangePage(p))).toEqual(big);
  });

  it('refuses an empty, truncated, non-canonical, malformed or oversized page of changes with BAD_VALIDATOR_CHANGES', () => {
    const [page] = encodeValidatorChangePages([change(5), change(8)]);
    const text = new TextDecoder().decode(page);
    for (const bad of [
      '[]',
      text.slice(0, -1),
      `${text} `,
      text.replace('"height":"5"', '"height":5'),
      text.replace('"record":"', '"extra":"1","record":"'),
      text.replace(/"siblings":\[/, '"siblings":["zz",'),
      '{"changes":[]}',
    ]) {
      expect(codeOf(() => decodeValidatorChangePage(utf8(bad)))).toBe('BAD_VALIDATOR_CHANGES');
    }
    expect(codeOf(() => decodeValidatorChangePage(new Uint8Array(MAX_CHANGES_PAGE_BYTES + 1).fill(0x20)))).toBe('BAD_VALIDATOR_CHANGES');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (garbage) => codeOf(() => decodeValidatorChangePage(garbage)) === 'BAD_VALIDATOR_CHANGES'),
    );
  });
});
