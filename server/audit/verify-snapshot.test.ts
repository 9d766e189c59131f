import { describe, expect, test } from 'vitest';
import { blockHash, encodeCommit, fromHex, utf8 } from '../../contracts/index.js';
import { Chain } from '../../node/ledger/chain.js';
import { encodeHeaderBytes, snapshotBaseHeight } from '../../node/ledger/snapshot-base.js';
import { decodeSnapshotChunk, encodeSnapshotChunks } from '../../node/network/snapshot-protocol.js';
import { SparseMerkleTree } from '../../node/state/sparse-merkle-tree.js';
import { openMemoryStore } from '../../node/store/index.js';
import { openTestDatabase } from '../db/test-databases.js';
import { chainSource } from '../index/chain-source.js';
import { IndexMismatchError, Projector } from '../index/projector.js';
import { verifyChain } from './verify-chain.js';
import { buildAuditChain } from './verify-test-chain.js';

/**
 * A chain of loans taken as a state snapshot: its records, chunked and read back, rebuild the
 * header's state root; a store started from them opens at the snapshot's head with the same
 * state; `audit verify` on it says plainly that it cannot replay from genesis, and the index,
 * built from block 1, stops with the reason.
 */

describe('a state snapshot of a chain of loans', () => {
  test('rebuilds the state root and opens as a chain at its height; audit verify and the index say it starts there', async () => {
    const { chain, genesis } = await buildAuditChain(await openMemoryStore(), { actors: 4, rounds: 3 });
    const snapshot = chain.stateSnapshot();
    expect(snapshot).toBeDefined();
    const { header, commit, records } = snapshot!;
    expect(new Set(records.map(([key]) => key.split('/')[0]))).toEqual(new Set(['params', 'counters', 'asset', 'account', 'balance', 'order', 'loan', 'credit', 'validators']));

    const chunks = encodeSnapshotChunks(records);
    const read = chunks.flatMap((chunk) => decodeSnapshotChunk(chunk).map(({ key, bytes }) => [key, bytes] as const));
    expect(SparseMerkleTree.fromEntries(read).rootHex()).toBe(header.stateRoot);

    const store = await openMemoryStore();
    await store.startFromSnapshot({ height: header.height, hash: fromHex(blockHash(header)), header: encodeHeaderBytes(header), commit: utf8(encodeCommit(commit)), records: read });
    const opened = await Chain.open(store, genesis);
    expect(opened.head()).toEqual(chain.head());
    expect(await opened.block(header.height)).toBeUndefined();
    expect(await opened.commitOf(header.height)).toEqual(commit);
    expect(await snapshotBaseHeight(store)).toBe(header.height);

    const audit = await verifyChain(store, genesis);
    expect(audit.fault?.what).toContain(`started from a state snapshot at height ${header.height}`);
    expect(audit.blocks).toBe(0);

    // The index is built from block 1, which this store never held: it stops with the reason.
    const db = await openTestDatabase('pglite');
    try {
      const projector = await Projector.open({ db, node: chainSource(opened, genesis) });
      await expect(projector.catchUp()).rejects.toThrow(IndexMismatchError);
      await expect(projector.catchUp()).rejects.toThrow(/started from a state snapshot/);
    } finally {
      await db.close();
    }
  }, 60_000);
});
