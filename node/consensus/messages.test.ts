import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CanonicalValue, encodeCanonical } from '../../contracts/codec/canonical.js';
import {
  type Block,
  blockHash,
  blockValue,
  type CommitCertificate,
  fromHex,
  GENESIS_PREVIOUS_HASH,
  type KeyPair,
  MAX_TX_BYTES,
  proposalBytes,
  blockContentHash,
  toHex,
  utf8,
  verifySignature,
  type VoteType,
  voteBytes,
} from '../../contracts/index.js';
import { CHAIN_ID, testKey } from '../../contracts/test/fixtures.js';
import { fastVerify } from '../crypto/fast-verifier.js';
import {
  BadConsensusMessage,
  type ConsensusMessage,
  decodeConsensusMessages,
  encodeConsensusMessages,
  MAX_CONSENSUS_MESSAGE_BYTES,
  MAX_MESSAGES_PER_BATCH,
  type SignedProposal,
  signProposal,
  signVote,
} from './messages.js';
import type { VoteIn } from './tendermint.js';

/**
 * The consensus wire codec: what goes out comes back equal, and everything else is refused with
 * BadConsensusMessage, never another error and never a message that is not what its signer signed.
 */

const CHAIN = CHAIN_ID;
const OTHER_CHAIN = 'lendnet-other';
const validators = [0, 1, 2, 3].map((i) => testKey(`consensus-messages-validator-${i}`));
const [alice, bob, carol] = validators as [KeyPair, KeyPair, KeyPair, KeyPair];

function hashOf(label: string): string {
  return toHex(sha256(utf8(label)));
}

function commitOf(height: number, hash: string): CommitCertificate {
  const precommits = validators.map((key) => {
    const vote = signVote(CHAIN, key.secretKey, key.account, { type: 'precommit', height, round: 0, valueId: hash });
    return { validator: key.account, signature: vote.signature };
  });
  return { height, round: 0, blockHash: hash, precommits };
}

/** A small block; with `full`, it carries transactions (some needing JSON escapes) and a last commit. */
function makeBlock(height: number, options: { chainId?: string; proposer?: KeyPair; full?: boolean; salt?: string } = {}): Block {
  const { chainId = CHAIN, proposer = alice, full = false, salt = '' } = options;
  const header = {
    chainId,
    height,
    time: 1_000 + (height % 1_000),
    previousHash: height === 1 ? GENESIS_PREVIOUS_HASH : hashOf(`previous ${height} ${salt}`),
    txRoot: hashOf(`txs ${height} ${salt}`),
    stateRoot: hashOf(`state ${height} ${salt}`),
    validatorsHash: hashOf('validators'),
    proposer: proposer.account,
  };
  if (!full) return { header, txs: [] };
  const txs = ['{"type":"transfer","nonce":"1"}', 'plain text', 'back\\slash'];
  return height > 1 ? { header, txs, lastCommit: commitOf(height - 1, hashOf(`previous ${height} ${salt}`)) } : { header, txs };
}

function proposalOf(key: KeyPair, height: number, round: number, validRound: number, block: Block = makeBlock(height, { proposer: key }), chainId = CHAIN): SignedProposal {
  return signProposal(chainId, key.secretKey, key.account, { height, round, validRound, value: block, valueId: blockHash(block.header) });
}

function voteOf(key: KeyPair, type: VoteType, height: number, round: number, valueId: string | null, chainId = CHAIN): VoteIn {
  return signVote(chainId, key.secretKey, key.account, { type, height, round, valueId });
}

function decode(bytes: Uint8Array, verify = verifySignature): ConsensusMessage[] {
  return decodeConsensusMessages(CHAIN, bytes, verify);
}

/** The error `run` throws, or undefined if it returns. */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectRefused(bytes: Uint8Array | string, verify = verifySignature): void {
  const error = thrownBy(() => decode(typeof bytes === 'string' ? utf8(bytes) : bytes, verify));
  expect(error).toBeInstanceOf(BadConsensusMessage);
}

/** A gossip message's bytes from raw items, canonical unless the test says otherwise. */
function batchBytes(items: readonly CanonicalValue[], sent: CanonicalValue = 0): Uint8Array {
  return utf8(encodeCanonical({ messages: items, sent }));
}

/** The canonical value of one encoded message, to be altered by a test. */
function itemOf(message: ConsensusMessage): Record<string, CanonicalValue> {
  const parsed = JSON.parse(new TextDecoder().decode(encodeConsensusMessages([message]))) as { messages: Record<string, CanonicalValue>[] };
  return parsed.messages[0]!;
}

/** Whether a decoded message carries a signature that verifies over its own fields. */
function isAuthentic(message: ConsensusMessage): boolean {
  if ('proposal' in message) {
    const { proposal } = message;
    if (proposal.valueId !== blockHash(proposal.value.header)) return false;
    return verifySignature(fromHex(proposal.proposer), proposalBytes(CHAIN, proposal.height, proposal.round, proposal.validRound, proposal.valueId, blockContentHash(proposal.value)), fromHex(proposal.signature));
  }
  const { vote } = message;
  return verifySignature(fromHex(vote.validator), voteBytes(CHAIN, vote.type, vote.height, vote.round, vote.valueId), fromHex(vote.signature));
}

/** What a signature covers: everything of a message but a proposal's block body. */
function signedPart(message: ConsensusMessage): Record<string, unknown> {
  if ('proposal' in message) {
    const { value, ...rest } = message.proposal;
    return { ...rest, header: value.header };
  }
  return { ...message.vote };
}

describe('consensus messages round trip', () => {
  it('a proposal without a valid round comes back as signed, and leaves validRound out of the wire', () => {
    const proposal = proposalOf(alice, 1, 0, -1);
    const bytes = encodeConsensusMessages([{ proposal }]);
    expect(new TextDecoder().decode(bytes)).not.toContain('validRound');
    expect(decode(bytes)).toEqual([{ proposal }]);
  });

  it('a proposal with a valid round comes back as signed', () => {
    const proposal = proposalOf(bob, 7, 3, 1, makeBlock(7, { proposer: alice, full: true }));
    const decoded = decode(encodeConsensusMessages([{ proposal }]));
    expect(decoded).toEqual([{ proposal }]);
    const [only] = decoded;
    expect(only !== undefined && 'proposal' in only && only.proposal.validRound).toBe(1);
  });

  it('a proposal whose block carries transactions and a last commit comes back whole', () => {
    const proposal = proposalOf(alice, 12, 0, -1, makeBlock(12, { full: true }));
    expect(decode(encodeConsensusMessages([{ proposal }]), fastVerify)).toEqual([{ proposal }]);
  });

  it('prevotes and precommits for a block come back as signed', () => {
    const hash = hashOf('a block');
    const messages: ConsensusMessage[] = [{ vote: voteOf(alice, 'prevote', 3, 0, hash) }, { vote: voteOf(bob, 'precommit', 3, 2, hash) }];
    expect(decode(encodeConsensusMessages(messages))).toEqual(messages);
  });

  it('nil votes are written with an empty blockHash and come back as null', () => {
    const messages: ConsensusMessage[] = [{ vote: voteOf(alice, 'prevote', 4, 1, null) }, { vote: voteOf(carol, 'precommit', 4, 1, null) }];
    const bytes = encodeConsensusMessages(messages);
    expect(new TextDecoder().decode(bytes)).toContain('"blockHash":""');
    const decoded = decode(bytes);
    expect(decoded).toEqual(messages);
    for (const message of decoded) expect('vote' in message && message.vote.valueId).toBeNull();
  });

  it('an empty gossip message decodes to no messages', () => {
    expect(decode(encodeConsensusMessages([], 5))).toEqual([]);
  });

  it('sent is outside every signature: the same messages sent again differ in bytes, not in content', () => {
    const messages: ConsensusMessage[] = [{ proposal: proposalOf(alice, 2, 1, 0) }, { vote: voteOf(bob, 'prevote', 2, 1, null) }];
    const first = encodeConsensusMessages(messages, 0);
    const again = encodeConsensusMessages(messages, 1);
    const last = encodeConsensusMessages(messages, Number.MAX_SAFE_INTEGER);
    expect(toHex(first)).not.toBe(toHex(again));
    for (const bytes of [first, again, last]) expect(decode(bytes)).toEqual(messages);
  });

  it('several messages of every kind, at random positions and sendings, come back as signed (property)', () => {
    const spec = fc.record({
      kind: fc.constantFrom('proposal', 'prevote', 'precommit'),
      signer: fc.integer({ min: 0, max: validators.length - 1 }),
      height: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constant(Number.MAX_SAFE_INTEGER)),
      round: fc.integer({ min: 0, max: 1_000_000 }),
      validRound: fc.integer({ min: -1, max: 1_000_000 }),
      nil: fc.boolean(),
      full: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (specs, sent) => {
        const messages: ConsensusMessage[] = specs.map((s) => {
          const key = validators[s.signer]!;
          if (s.kind === 'proposal') {
            const validRound = s.validRound < s.round ? s.validRound : -1;
            return { proposal: proposalOf(key, s.height, s.round, validRound, makeBlock(s.height, { proposer: key, full: s.full })) };
          }
          return { vote: voteOf(key, s.kind, s.height, s.round, s.nil ? null : hashOf(`value ${s.round}`)) };
        });
        expect(decode(encodeConsensusMessages(messages, sent), fastVerify)).toEqual(messages);
      }),
      { numRuns: 40 },
    );
  });

  it('exactly MAX_MESSAGES_PER_BATCH messages go in one gossip message', () => {
    const messages: ConsensusMessage[] = Array.from({ length: MAX_MESSAGES_PER_BATCH }, (_, i) => ({ vote: voteOf(validators[i % 4]!, 'prevote', 1, i, null) }));
    expect(decode(encodeConsensusMessages(messages), fastVerify)).toHaveLength(MAX_MESSAGES_PER_BATCH);
  });

  it('decoding asks the given verifier about each signature', () => {
    const messages: ConsensusMessage[] = [{ proposal: proposalOf(alice, 1, 0, -1) }, { vote: voteOf(bob, 'prevote', 1, 0, null) }];
    const asked: string[] = [];
    const decoded = decode(encodeConsensusMessages(messages), (key, message, signature) => {
      asked.push(toHex(key));
      return verifySignature(key, message, signature);
    });
    expect(decoded).toEqual(messages);
    expect(asked).toEqual([alice.account, bob.account]);
    expectRefused(encodeConsensusMessages(messages), () => false);
  });
});

describe('consensus messages encoding', () => {
  it('refuses more than MAX_MESSAGES_PER_BATCH messages', () => {
    const vote = voteOf(alice, 'prevote', 1, 0, null);
    const messages: ConsensusMessage[] = Array.from({ length: MAX_MESSAGES_PER_BATCH + 1 }, () => ({ vote }));
    expect(() => encodeConsensusMessages(messages)).toThrow(RangeError);
  });
});

describe('consensus messages refused', () => {
  const proposal = proposalOf(alice, 5, 2, 1, makeBlock(5, { full: true }));
  const prevote = voteOf(bob, 'prevote', 5, 2, proposal.valueId);
  const nilPrecommit = voteOf(carol, 'precommit', 5, 2, null);
  const batch: ConsensusMessage[] = [{ proposal }, { vote: prevote }, { vote: nilPrecommit }, { proposal: proposalOf(bob, 5, 3, -1) }];
  const valid = encodeConsensusMessages(batch, 17);
  const validText = new TextDecoder().decode(valid);

  it('the batch these refusals alter is itself accepted', () => {
    expect(decode(valid)).toEqual(batch);
  });

  it('a byte changed anywhere gives BadConsensusMessage or only messages their signers signed (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.boolean(), (at, change, flip) => {
        const mutated = valid.slice();
        // Either one bit pattern XORed in or the byte replaced by a value: both never leave it as it was.
        mutated[at] = flip ? mutated[at]! ^ change : mutated[at] === change ? 0 : change;
        let decoded: ConsensusMessage[];
        try {
          decoded = decode(mutated, fastVerify);
        } catch (error) {
          expect(error).toBeInstanceOf(BadConsensusMessage);
          return;
        }
        // The mutation left a valid message (it hit `sent`, or a block body, which no signature covers).
        expect(decoded).toHaveLength(batch.length);
        decoded.forEach((message, i) => {
          expect(isAuthentic(message)).toBe(true);
          expect(signedPart(message)).toEqual(signedPart(batch[i]!));
        });
      }),
      { numRuns: 600 },
    );
  });

  it('every single-byte change of a vote-only batch is refused unless it hit sent (exhaustive over positions)', () => {
    const votes: ConsensusMessage[] = [{ vote: prevote }, { vote: nilPrecommit }];
    const bytes = encodeConsensusMessages(votes, 3);
    const sentAt = new TextDecoder().decode(bytes).lastIndexOf('"3"') + 1;
    for (let at = 0; at < bytes.length; at++) {
      const mutated = bytes.slice();
      mutated[at] = mutated[at]! ^ 0x01;
      if (at === sentAt) {
        expect(decode(mutated, fastVerify)).toEqual(votes);
        continue;
      }
      expectRefused(mutated, fastVerify);
    }
  });

  it('random bytes are refused (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expectRefused(bytes, fastVerify);
      }),
      { numRuns: 300 },
    );
  });

  it('random JSON is refused (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expectRefused(JSON.stringify(value), fastVerify);
      }),
      { numRuns: 300 },
    );
  });

  it('random JSON shaped like a gossip message is refused or decodes to authentic messages (property)', () => {
    const decimal = fc.oneof(fc.nat({ max: 2_000_000 }).map(String), fc.nat(), fc.constantFrom('-1', '01', '1.0', '', '1e3'));
    const hex = fc.oneof(fc.constantFrom('', alice.account, proposal.valueId, proposal.signature), fc.uint8Array({ minLength: 32, maxLength: 64 }).map(toHex));
    const item = fc.record(
      {
        kind: fc.constantFrom('proposal', 'prevote', 'precommit', 'vote', ''),
        height: decimal,
        round: decimal,
        validRound: decimal,
        block: fc.oneof(fc.constant(blockValue(proposal.value) as unknown), fc.jsonValue()),
        blockHash: hex,
        proposer: hex,
        validator: hex,
        signature: hex,
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 4 }), decimal, fc.boolean(), (items, sent, canonical) => {
        const value = { messages: items, sent };
        let text: string;
        try {
          text = canonical ? encodeCanonical(value as unknown as CanonicalValue) : JSON.stringify(value);
        } catch {
          text = JSON.stringify(value);
        }
        let decoded: ConsensusMessage[];
        try {
          decoded = decode(utf8(text), fastVerify);
        } catch (error) {
          expect(error).toBeInstanceOf(BadConsensusMessage);
          return;
        }
        for (const message of decoded) expect(isAuthentic(message)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('deeply nested JSON is refused as a BadConsensusMessage', () => {
    expectRefused(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expectRefused(`{"messages":${'['.repeat(100_000)}${']'.repeat(100_000)},"sent":"0"}`);
  });

  describe('non-canonical JSON', () => {
    it('whitespace', () => {
      expectRefused(JSON.stringify(JSON.parse(validText), null, 1));
      expectRefused(validText.replace('"sent":', '"sent": '));
      expectRefused(`${validText}\n`);
      expectRefused(` ${validText}`);
    });

    it('a byte-order mark before the JSON', () => {
      expectRefused(new Uint8Array([0xef, 0xbb, 0xbf, ...valid]));
    });

    it('keys out of order', () => {
      expectRefused(`{"sent":"17","messages":${JSON.stringify(JSON.parse(validText).messages)}}`);
      const vote = itemOf({ vote: prevote });
      const reversed = Object.fromEntries(Object.entries(vote).reverse());
      expectRefused(`{"messages":[${JSON.stringify(reversed)}],"sent":"0"}`);
    });

    it('numbers instead of decimal strings', () => {
      expectRefused(validText.replace('"sent":"17"', '"sent":17'));
      expectRefused(validText.replace('"height":"5"', '"height":5'));
      expectRefused(validText.replace('"round":"2"', '"round":2'));
      expectRefused(validText.replace('"validRound":"1"', '"validRound":1'));
    });

    it('decimal strings with leading zeros, signs or fractions', () => {
      for (const sent of ['017', '+17', '17.0', '-0', '1e1', '']) expectRefused(validText.replace('"sent":"17"', `"sent":"${sent}"`));
    });

    it('escapes where none are needed, and a duplicated key', () => {
      expectRefused(validText.replace('"kind":"prevote"', '"kind":"pr\\u0065vote"'));
      expectRefused(validText.replace('"sent":"17"', '"sent":"0","sent":"17"'));
    });

    it('a value with no canonical form (null, true, a float)', () => {
      expectRefused(validText.replace('"sent":"17"', '"sent":null'));
      expectRefused(validText.replace('"sent":"17"', '"sent":true'));
      expectRefused(validText.replace('"sent":"17"', '"sent":1.5'));
    });
  });

  it('an unknown field, at the top or in a message', () => {
    expect(decode(batchBytes([itemOf({ vote: prevote })]))).toEqual([{ vote: prevote }]);
    expectRefused(utf8(encodeCanonical({ extra: 'x', messages: [itemOf({ vote: prevote })], sent: 0 })));
    expectRefused(batchBytes([{ ...itemOf({ vote: prevote }), note: 'hi' }]));
    expectRefused(batchBytes([{ ...itemOf({ proposal }), note: 'hi' }]));
  });

  it('a missing field', () => {
    expectRefused(utf8(encodeCanonical({ messages: [itemOf({ vote: prevote })] })));
    expectRefused(utf8(encodeCanonical({ sent: 0 })));
    for (const field of ['kind', 'height', 'round', 'signature']) {
      const { [field]: _dropped, ...rest } = itemOf({ vote: prevote });
      expectRefused(batchBytes([rest]));
    }
  });

  it('a proposal with a blockHash or validator field, or without its block or proposer', () => {
    const item = itemOf({ proposal });
    expectRefused(batchBytes([{ ...item, blockHash: proposal.valueId }]));
    expectRefused(batchBytes([{ ...item, blockHash: '' }]));
    expectRefused(batchBytes([{ ...item, validator: alice.account }]));
    const { block: _block, ...withoutBlock } = item;
    expectRefused(batchBytes([withoutBlock]));
    const { proposer: _proposer, ...withoutProposer } = item;
    expectRefused(batchBytes([withoutProposer]));
  });

  it('a vote with a block, a proposer or a validRound, or without its blockHash or validator', () => {
    const item = itemOf({ vote: prevote });
    expectRefused(batchBytes([{ ...item, block: blockValue(proposal.value) }]));
    expectRefused(batchBytes([{ ...item, proposer: bob.account }]));
    expectRefused(batchBytes([{ ...item, validRound: 0 }]));
    const { blockHash: _hash, ...withoutHash } = item;
    expectRefused(batchBytes([withoutHash]));
    const { validator: _validator, ...withoutValidator } = item;
    expectRefused(batchBytes([withoutValidator]));
  });

  it('a hash or key not in lowercase hex of the right length', () => {
    const item = itemOf({ vote: prevote });
    expectRefused(batchBytes([{ ...item, blockHash: prevote.valueId!.toUpperCase() }]));
    expectRefused(batchBytes([{ ...item, blockHash: prevote.valueId!.slice(2) }]));
    expectRefused(batchBytes([{ ...item, validator: bob.account.toUpperCase() }]));
    expectRefused(batchBytes([{ ...item, signature: `${prevote.signature}00` }]));
  });

  it('heights and rounds out of range', () => {
    const item = itemOf({ vote: prevote });
    expectRefused(batchBytes([{ ...item, height: 0 }]));
    expectRefused(batchBytes([{ ...item, height: '9007199254740992' }]));
    expectRefused(batchBytes([{ ...item, round: 1_000_001 }]));
  });

  it('a kind that is not proposal, prevote or precommit', () => {
    expectRefused(batchBytes([{ ...itemOf({ vote: prevote }), kind: 'vote' }]));
  });

  it('a proposal whose validRound is not before its round, though correctly signed', () => {
    const block = makeBlock(5);
    expectRefused(encodeConsensusMessages([{ proposal: proposalOf(alice, 5, 2, 2, block) }]));
    expectRefused(encodeConsensusMessages([{ proposal: proposalOf(alice, 5, 2, 3, block) }]));
    expectRefused(encodeConsensusMessages([{ proposal: proposalOf(alice, 5, 0, 0, block) }]));
  });

  it('a proposal whose block is of another chain or height, though correctly signed', () => {
    expectRefused(encodeConsensusMessages([{ proposal: proposalOf(alice, 5, 0, -1, makeBlock(5, { chainId: OTHER_CHAIN })) }]));
    expectRefused(encodeConsensusMessages([{ proposal: proposalOf(alice, 5, 0, -1, makeBlock(6)) }]));
    expectRefused(encodeConsensusMessages([{ proposal: proposalOf(alice, 5, 0, -1, makeBlock(4)) }]));
  });

  it('a signature by a key other than the named validator or proposer', () => {
    const forged = signVote(CHAIN, bob.secretKey, alice.account, { type: 'prevote', height: 5, round: 2, valueId: null });
    expectRefused(encodeConsensusMessages([{ vote: forged }]));
    const block = makeBlock(5);
    const forgedProposal = signProposal(CHAIN, bob.secretKey, alice.account, { height: 5, round: 0, validRound: -1, value: block, valueId: blockHash(block.header) });
    expectRefused(encodeConsensusMessages([{ proposal: forgedProposal }]));
  });

  it('one bad message spoils the whole gossip message', () => {
    const forged = signVote(CHAIN, bob.secretKey, alice.account, { type: 'prevote', height: 5, round: 2, valueId: null });
    expectRefused(encodeConsensusMessages([...batch, { vote: forged }]));
    expectRefused(encodeConsensusMessages([{ vote: forged }, ...batch]));
  });

  it('a signature moved to other content: another round, type or value', () => {
    expectRefused(encodeConsensusMessages([{ vote: { ...prevote, round: 3 } }]));
    expectRefused(encodeConsensusMessages([{ vote: { ...prevote, type: 'precommit' } }]));
    expectRefused(encodeConsensusMessages([{ vote: { ...prevote, valueId: null } }]));
    expectRefused(encodeConsensusMessages([{ vote: { ...nilPrecommit, valueId: proposal.valueId } }]));
    expectRefused(encodeConsensusMessages([{ proposal: { ...proposal, validRound: -1 } }]));
    expectRefused(encodeConsensusMessages([{ proposal: { ...proposal, round: 3 } }]));
    const other = makeBlock(5, { salt: 'other' });
    expectRefused(encodeConsensusMessages([{ proposal: { ...proposal, value: other, valueId: blockHash(other.header) } }]));
  });

  it('a message signed for another chain id', () => {
    expectRefused(encodeConsensusMessages([{ vote: voteOf(alice, 'prevote', 5, 2, null, OTHER_CHAIN) }]));
    expectRefused(encodeConsensusMessages([{ vote: voteOf(alice, 'precommit', 5, 2, proposal.valueId, OTHER_CHAIN) }]));
    expectRefused(encodeConsensusMessages([{ proposal: proposalOf(alice, 5, 0, -1, makeBlock(5), OTHER_CHAIN) }]));
    // And a message of this chain is refused by a node of another.
    expect(thrownBy(() => decodeConsensusMessages(OTHER_CHAIN, valid, verifySignature))).toBeInstanceOf(BadConsensusMessage);
  });

  it('more than MAX_MESSAGES_PER_BATCH messages', () => {
    const item = itemOf({ vote: nilPrecommit });
    expect(decode(batchBytes(Array.from({ length: MAX_MESSAGES_PER_BATCH }, () => item)), fastVerify)).toHaveLength(MAX_MESSAGES_PER_BATCH);
    expectRefused(batchBytes(Array.from({ length: MAX_MESSAGES_PER_BATCH + 1 }, () => item)), fastVerify);
  });

  it('more than MAX_CONSENSUS_MESSAGE_BYTES bytes, though otherwise valid', () => {
    // A proposal whose block is padded with transactions to exactly the limit, then one byte past it.
    const padded = (extra: number): Uint8Array => {
      const target = MAX_CONSENSUS_MESSAGE_BYTES + extra;
      const header = makeBlock(3).header;
      const encoded = (txs: string[]) => encodeConsensusMessages([{ proposal: proposalOf(alice, 3, 0, -1, { header, txs }) }]);
      const tx = 'x'.repeat(4_000);
      const txs = Array.from({ length: Math.floor((target - encoded([]).length) / (tx.length + 3)) }, () => tx);
      // The last transaction fills the gap: a comma, two quotes and `rest` characters.
      let rest = target - encoded(txs).length - 3;
      if (rest < 0) {
        txs.pop();
        rest = target - encoded(txs).length - 3;
      }
      expect(rest).toBeLessThanOrEqual(MAX_TX_BYTES);
      txs.push('y'.repeat(rest));
      const bytes = encoded(txs);
      expect(bytes.length).toBe(target);
      return bytes;
    };
    expect(decode(padded(0), fastVerify)).toHaveLength(1);
    expectRefused(padded(1), fastVerify);
  });

  it('invalid UTF-8', () => {
    const bytes = valid.slice();
    bytes[validText.indexOf('"sent":"17"') + 8] = 0xff;
    expectRefused(bytes);
  });
});

describe('what the proposal signature covers', () => {
  // The signature covers the block's content hash as well as its header's hash: a relay that
  // changes a proposed block's transactions or carried commit breaks the signature.
  it('a block body changed in transit is refused', () => {
    const proposal = proposalOf(alice, 6, 0, -1, makeBlock(6, { full: true }));
    const changedTxs: SignedProposal = { ...proposal, value: { ...proposal.value, txs: ['injected'] } };
    const changedCommit: SignedProposal = { ...proposal, value: { ...proposal.value, lastCommit: commitOf(5, hashOf('some other block')) } };
    for (const tampered of [changedTxs, changedCommit]) {
      expect(() => decode(encodeConsensusMessages([{ proposal: tampered }]))).toThrow(BadConsensusMessage);
    }
    expect(decode(encodeConsensusMessages([{ proposal }]))).toEqual([{ proposal }]);
  });
});
