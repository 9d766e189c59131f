import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bodyDecoder,
  decodeBlock,
  decodeCommit,
  decodeRecord,
  decodeTransaction,
  encodeBlock,
  encodeCommit,
  encodeRecord,
  hasValidSignature,
  utf8,
} from '../../contracts/index.js';
import { CHAIN_ID, testKey } from '../../contracts/test/fixtures.js';
import { buildFuzzChain } from '../../contracts/test/fuzz-chain.js';
import {
  byteMutations,
  decodeOrRefuse,
  type Json,
  jsonMutations,
  mutateBytesAll,
  mutateJsonAll,
  randomInput,
  textOf,
} from '../../contracts/test/fuzz-kit.js';
import { BadConsensusMessage, type ConsensusMessage, decodeConsensusMessages, encodeConsensusMessages, signProposal, signVote } from '../consensus/messages.js';
import { fastVerify } from '../crypto/fast-verifier.js';
import { decodeTxBatch, encodeTxBatch } from '../ledger/tx-gossip.js';
import { faucets, type Member, networkGenesis, TestNetwork, waitFor } from '../ledger/network-test-kit.js';
import { decodeBlocks, decodeStatus, encodeBlocks, encodeStatus } from './libp2p-network.js';
import type { NodeNetwork } from './network.js';
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
  SnapshotRefusal,
} from './snapshot-protocol.js';

/**
 * Every decoder of what peers send, fed random bytes and mutations of valid messages: each
 * throws its documented error (BadConsensusMessage, RangeError, SnapshotRefusal, a coded
 * Refusal for what it carries) and nothing else; and a running node's gossip handlers reject
 * garbage without a fatal error or a change to its chain.
 */

const RUNS = 300;
const chain = buildFuzzChain();
const decodeOptions = { chainId: CHAIN_ID, bodyOf: bodyDecoder };
const isRangeError = (error: unknown) => error instanceof RangeError;
const isSnapshotRefusal = (error: unknown) => error instanceof SnapshotRefusal;
const isBadConsensus = (error: unknown) => error instanceof BadConsensusMessage;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
/** Random bytes, or a mutation of one of `valid`. */
const randomOrMutated = (valid: readonly Uint8Array[]) =>
  fc.oneof(randomInput, fc.tuple(fc.constantFrom(...valid), byteMutations).map(([bytes, changes]) => mutateBytesAll(bytes, changes)));
/** JSON mutations of one of `valid`, written canonically or not. */
const jsonMutated = (valid: readonly Uint8Array[]) =>
  fc.tuple(fc.constantFrom(...valid), jsonMutations, fc.boolean()).map(([bytes, changes, canonical]) => utf8(textOf(mutateJsonAll(JSON.parse(text(bytes)) as Json, changes), canonical)));

// ---- consensus gossip -----------------------------------------------------------------

const stranger = testKey('fuzz-p2p-stranger');
const block = chain.blocks[3]!.block;
const signedMessages = (chainId: string): ConsensusMessage[] => [
  { proposal: signProposal(chainId, stranger.secretKey, stranger.account, { height: block.header.height, round: 1, validRound: 0, value: block, valueId: chain.blocks[3]!.commit.blockHash }) },
  { vote: signVote(chainId, stranger.secretKey, stranger.account, { type: 'prevote', height: 4, round: 1, valueId: chain.blocks[3]!.commit.blockHash }) },
  { vote: signVote(chainId, stranger.secretKey, stranger.account, { type: 'precommit', height: 4, round: 1, valueId: null }) },
];
const consensusBatches = [encodeConsensusMessages(signedMessages(CHAIN_ID), 7), encodeConsensusMessages(signedMessages(CHAIN_ID).slice(1), 0)];

describe('consensus gossip', () => {
  it('JSON mutations of a signed batch give BadConsensusMessage, or only messages their signer signed', () => {
    const genuine = signedMessages(CHAIN_ID);
    fc.assert(
      fc.property(jsonMutated(consensusBatches), (bytes) => {
        const messages = decodeOrRefuse(() => decodeConsensusMessages(CHAIN_ID, bytes, fastVerify), isBadConsensus);
        for (const message of messages ?? []) expect(genuine.some((signed) => isDeepStrictEqual(signed, message))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

// ---- transactions on gossip -----------------------------------------------------------

const wires = chain.blocks.flatMap((b) => b.block.txs);
const txBatches = [encodeTxBatch(wires), encodeTxBatch(wires.slice(0, 1))];

/** The tx gossip path: the batch, then each transaction; returns the transactions that decoded. */
function gossipedTxs(bytes: Uint8Array): number {
  const batch = decodeOrRefuse(() => decodeTxBatch(bytes), isRangeError) ?? [];
  let decoded = 0;
  for (const wire of batch) {
    const signed = decodeOrRefuse(() => decodeTransaction(wire, { ...decodeOptions, checkSignerKey: false }));
    if (signed) {
      expect(signed.encoded).toBe(wire);
      decoded++;
    }
  }
  return decoded;
}

describe('transactions on gossip', () => {
  it('byte mutations of a batch give a RangeError, or transactions each refused with a code or canonical', () => {
    fc.assert(fc.property(randomOrMutated(txBatches), (bytes) => void gossipedTxs(bytes)), { numRuns: RUNS });
  });

  it('a well-framed batch of mutated transactions gives a coded refusal for each, or its canonical bytes', () => {
    const mutatedWire = fc.oneof(jsonMutated(wires.map(utf8)), randomOrMutated(wires.map(utf8))).filter((bytes) => bytes.length > 0);
    fc.assert(
      fc.property(fc.array(mutatedWire, { minLength: 1, maxLength: 8 }), (mutated) => {
        const frame = encodeTxBatch(mutated.map(text));
        expect(decodeTxBatch(frame)).toHaveLength(mutated.length);
        gossipedTxs(frame);
      }),
      { numRuns: RUNS },
    );
  });
});

// ---- block sync and status ------------------------------------------------------------

const blocksAnswer = encodeBlocks(chain.blocks.map((b) => ({ block: utf8(encodeBlock(b.block)), commit: utf8(encodeCommit(b.commit)) })));

/** The sync path: the answer's frame, then each block and commit. */
function syncedBlocks(bytes: Uint8Array): void {
  for (const entry of decodeOrRefuse(() => decodeBlocks(bytes), isRangeError) ?? []) {
    const decoded = decodeOrRefuse(() => decodeBlock(entry.block));
    if (decoded) expect(encodeBlock(decoded)).toBe(text(entry.block));
    const commit = decodeOrRefuse(() => decodeCommit(entry.commit));
    if (commit) expect(encodeCommit(commit)).toBe(text(entry.commit));
  }
}

describe('block sync and status answers', () => {
  it('random and mutated blocks answers give a RangeError, or blocks each refused with a code or canonical', () => {
    fc.assert(fc.property(randomOrMutated([blocksAnswer]), syncedBlocks), { numRuns: RUNS });
  });

  it('a well-framed answer of mutated blocks and commits gives a coded refusal for each, or its canonical bytes', () => {
    const blocks = chain.blocks.map((b) => utf8(encodeBlock(b.block)));
    const commits = chain.blocks.map((b) => utf8(encodeCommit(b.commit)));
    const mutated = (valid: Uint8Array[]) => fc.oneof(jsonMutated(valid), randomOrMutated(valid));
    fc.assert(
      fc.property(fc.array(fc.record({ block: mutated(blocks), commit: mutated(commits) }), { minLength: 1, maxLength: 4 }), (entries) => {
        syncedBlocks(encodeBlocks(entries));
      }),
      { numRuns: RUNS },
    );
  });

  it('random and mutated status answers give a RangeError, or a head that encodes back to the same bytes', () => {
    const valid = [encodeStatus({ height: 4, hash: chain.blocks[3]!.commit.blockHash }), encodeStatus({ height: 0, hash: '0'.repeat(64) })];
    fc.assert(
      fc.property(fc.oneof(randomOrMutated(valid), jsonMutated(valid)), (bytes) => {
        const head = decodeOrRefuse(() => decodeStatus(bytes), isRangeError);
        if (head) expect(encodeStatus(head)).toEqual(bytes);
      }),
      { numRuns: RUNS },
    );
  });
});

// ---- state snapshots ------------------------------------------------------------------

describe('snapshot requests and answers', () => {
  const requests = [encodeSnapshotRequest({ kind: 'offer' }), encodeSnapshotRequest({ kind: 'base', height: 4 }), encodeSnapshotRequest({ kind: 'changes', height: 4, index: 0 }), encodeSnapshotRequest({ kind: 'chunk', height: 4, index: 3 })];
  const offers = [encodeSnapshotOffer({ height: 4, chunks: 1, records: 20 }), encodeSnapshotOffer({ height: 0, chunks: 0, records: 0 })];
  const base = encodeSnapshotBase({ header: chain.blocks[3]!.block.header, commit: chain.blocks[3]!.commit, changePages: 1 });
  const pages = encodeValidatorChangePages([chain.validatorChange]);
  const records = chain.state.entries().map(([key, value]) => [key, utf8(encodeRecord(value))] as const);
  const chunks = encodeSnapshotChunks(records);
  const anyBytes = (valid: readonly Uint8Array[]) => fc.oneof(randomOrMutated(valid), jsonMutated(valid));

  it('requests: a SnapshotRefusal, or a request that encodes back to the same bytes', () => {
    fc.assert(
      fc.property(anyBytes(requests), (bytes) => {
        const request = decodeOrRefuse(() => decodeSnapshotRequest(bytes), isSnapshotRefusal);
        if (request) expect(encodeSnapshotRequest(request)).toEqual(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('offers: a SnapshotRefusal, or an offer that encodes back to the same bytes', () => {
    fc.assert(
      fc.property(anyBytes(offers), (bytes) => {
        const offer = decodeOrRefuse(() => decodeSnapshotOffer(bytes), isSnapshotRefusal);
        if (offer) expect(encodeSnapshotOffer(offer)).toEqual(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('bases: a SnapshotRefusal, or a base that encodes back to the same bytes', () => {
    fc.assert(
      fc.property(anyBytes([base]), (bytes) => {
        const decoded = decodeOrRefuse(() => decodeSnapshotBase(bytes), isSnapshotRefusal);
        if (decoded) expect(encodeSnapshotBase(decoded)).toEqual(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('pages of validator changes: a SnapshotRefusal, or changes that encode back to the same page', () => {
    fc.assert(
      fc.property(anyBytes(pages), (bytes) => {
        const changes = decodeOrRefuse(() => decodeValidatorChangePage(bytes), isSnapshotRefusal);
        if (changes) expect(encodeValidatorChangePages(changes)).toEqual([bytes]);
      }),
      { numRuns: RUNS },
    );
  });

  it('chunks: a SnapshotRefusal, or records each refused with a code or canonical for its key', () => {
    fc.assert(
      fc.property(randomOrMutated(chunks), (bytes) => {
        for (const record of decodeOrRefuse(() => decodeSnapshotChunk(bytes), isSnapshotRefusal) ?? []) {
          const value = decodeOrRefuse(() => decodeRecord(record.key, record.bytes));
          if (value !== undefined) expect(encodeRecord(value)).toBe(text(record.bytes));
        }
      }),
      { numRuns: RUNS },
    );
  });
});

// ---- a running node -------------------------------------------------------------------

describe('a running node fed garbage by a peer', () => {
  const validator = testKey('fuzz-p2p-validator');
  const network = new TestNetwork(networkGenesis('lendnet-fuzz-p2p', [validator]));
  let member: Member;
  let mallory: NodeNetwork;

  beforeAll(async () => {
    member = await network.start('v0', validator);
    mallory = network.hub.join('mallory');
    // One block, so that block requests have something to answer with.
    const outcome = await member.node.submit(faucets(network.chainId)(testKey('fuzz-p2p-user'), 1n));
    expect(outcome.status).toBe('committed');
  });
  afterAll(() => network.stop());

  /** Publishes as mallory and waits for the node's verdict on it. */
  async function verdictOn(topic: 'txs' | 'consensus', bytes: Uint8Array): Promise<string> {
    const heard = member.verdicts.length;
    mallory.publish(topic, bytes);
    await waitFor('the verdict', () => member.verdicts.length > heard, 5_000);
    return member.verdicts[heard]!.verdict;
  }

  it('rejects garbage on both gossip topics, and its chain does not move', async () => {
    const head = member.node.status();
    const txGarbage = randomOrMutated(txBatches).filter((bytes) => {
      // A batch of genuine, signed transactions is not garbage: leave it out.
      const batch = decodeOrRefuse(() => decodeTxBatch(bytes), isRangeError);
      const ofChain = { chainId: network.chainId, bodyOf: bodyDecoder };
      return batch === undefined || !batch.every((wire) => decodeOrRefuse(() => hasValidSignature(decodeTransaction(wire, ofChain))) === true);
    });
    await fc.assert(
      fc.asyncProperty(txGarbage, async (bytes) => {
        expect(await verdictOn('txs', bytes)).toBe('reject');
      }),
      { numRuns: 60 },
    );
    const foreign = [encodeConsensusMessages(signedMessages(network.chainId), 3)];
    await fc.assert(
      fc.asyncProperty(fc.oneof(randomOrMutated([...consensusBatches, ...foreign]), jsonMutated(foreign)), async (bytes) => {
        const verdict = await verdictOn('consensus', bytes);
        // Messages a stranger signed are no validator's: rejected, or ignored when they are for a later height.
        if (decodeOrRefuse(() => decodeConsensusMessages(network.chainId, bytes, fastVerify), isBadConsensus) === undefined) expect(verdict).toBe('reject');
        else expect(['reject', 'ignore']).toContain(verdict);
      }),
      { numRuns: 60 },
    );
    expect(member.fatal).toEqual([]);
    expect(member.node.status()).toMatchObject({ height: head.height, stateRoot: head.stateRoot });
  });

  it('refuses garbage snapshot requests with a SnapshotRefusal and answers block requests of every range', async () => {
    const head = member.node.status();
    await fc.assert(
      fc.asyncProperty(randomOrMutated([encodeSnapshotRequest({ kind: 'base', height: 1 })]), async (bytes) => {
        const valid = decodeOrRefuse(() => decodeSnapshotRequest(bytes), isSnapshotRefusal);
        try {
          await mallory.requestSnapshot('v0', bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(SnapshotRefusal);
          if (valid === undefined) expect((error as SnapshotRefusal).code).toBe('BAD_REQUEST');
        }
      }),
      { numRuns: 60 },
    );
    const height = fc.oneof(fc.integer(), fc.constantFrom(Number.NaN, Number.MAX_SAFE_INTEGER, -1, 0, 1, 2 ** 53 + 2));
    await fc.assert(
      fc.asyncProperty(height, height, async (from, to) => {
        const blocks = await mallory.requestBlocks(from, to);
        for (const entry of blocks) syncedBlocks(encodeBlocks([entry]));
      }),
      { numRuns: 40 },
    );
    expect(member.fatal).toEqual([]);
    expect(member.node.status()).toMatchObject({ height: head.height, stateRoot: head.stateRoot });
  });
});
