import { assertCanonical, type CanonicalValue, encodeCanonical, fromHex, parseJson, toHex } from '../../contracts/codec/canonical.js';
import { accountId, arrayOf, integer, matching, object, oneOf, optional } from '../../contracts/codec/schema.js';
import { isRefusal } from '../../contracts/errors.js';
import { type Block, blockContentHash, blockDecoder, blockHash, blockValue, proposalBytes, signMessage, type VoteType, voteBytes } from '../../contracts/index.js';
import type { ProposalIn, VoteIn } from './tendermint.js';

/**
 * Consensus messages on the wire: signed proposals and votes, several to a gossip message.
 *
 * A gossip message is the canonical JSON of `{ "messages": [...], "sent": n }`, each item one of
 *   { kind: "proposal", height, round, validRound?, block, proposer, signature }
 *   { kind: "prevote" | "precommit", height, round, blockHash, validator, signature }
 * A nil vote has blockHash "". `validRound` is left out when it is -1. `sent` is the sender's
 * count of messages published, outside every signature: the gossip layer drops bytes it has
 * seen, so a message sent again for a peer that missed it must differ. Signatures are over
 * `proposalBytes` and `voteBytes` (contracts/chain/block.ts), which name the chain, so a
 * message signed for one chain is worthless on another.
 *
 * Decoding is strict (canonical, known fields only, bounded sizes) and checks every signature:
 * what comes out is authenticated, ready for the state machine, which still checks that a
 * proposal comes from the round's proposer and a vote from a validator of the set.
 */

/** The most bytes one gossip message of consensus messages may have. */
export const MAX_CONSENSUS_MESSAGE_BYTES = 8 * 1024 * 1024;
/** The most consensus messages one gossip message may carry. */
export const MAX_MESSAGES_PER_BATCH = 256;

/** A proposal with its block. */
export type SignedProposal = ProposalIn<Block>;

export type ConsensusMessage = { readonly proposal: SignedProposal } | { readonly vote: VoteIn };

/** A gossip message that could not be used, with the reason. */
export class BadConsensusMessage extends Error {
  override readonly name = 'BadConsensusMessage';
}

const hashOrNil = matching(/^([0-9a-f]{64})?$/, 'a SHA-256 hash in 64 lowercase hex characters, or "" for nil');
const signature = matching(/^[0-9a-f]{128}$/, 'a 64-byte signature in hex');
const height = integer(1, Number.MAX_SAFE_INTEGER);
const round = integer(0, 1_000_000);

const itemDecoder = object({
  kind: oneOf('proposal', 'prevote', 'precommit'),
  height,
  round,
  validRound: optional(round),
  block: optional(blockDecoder),
  blockHash: optional(hashOrNil),
  proposer: optional(accountId),
  validator: optional(accountId),
  signature,
});

const batchDecoder = object({ messages: arrayOf(itemDecoder, MAX_MESSAGES_PER_BATCH), sent: integer(0, Number.MAX_SAFE_INTEGER) });

function itemValue(message: ConsensusMessage): CanonicalValue {
  if ('proposal' in message) {
    const { proposal } = message;
    return {
      kind: 'proposal',
      height: proposal.height,
      round: proposal.round,
      ...(proposal.validRound >= 0 ? { validRound: proposal.validRound } : {}),
      block: blockValue(proposal.value),
      proposer: proposal.proposer,
      signature: proposal.signature,
    };
  }
  const { vote } = message;
  return { kind: vote.type, height: vote.height, round: vote.round, blockHash: vote.valueId ?? '', validator: vote.validator, signature: vote.signature };
}

/** The gossip bytes of some consensus messages; `sent` tells one sending from another. */
export function encodeConsensusMessages(messages: readonly ConsensusMessage[], sent = 0): Uint8Array {
  if (messages.length > MAX_MESSAGES_PER_BATCH) throw new RangeError(`at most ${MAX_MESSAGES_PER_BATCH} consensus messages go in one gossip message`);
  return new TextEncoder().encode(encodeCanonical({ messages: messages.map(itemValue), sent }));
}

/**
 * Decodes and authenticates a gossip message of consensus messages for `chainId`. Throws
 * BadConsensusMessage naming the first fault: malformed, oversized, or a bad signature.
 */
export function decodeConsensusMessages(
  chainId: string,
  bytes: Uint8Array,
  verify: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean,
): ConsensusMessage[] {
  let items: ReturnType<typeof batchDecoder>['messages'];
  try {
    const parsed = parseJson(bytes, MAX_CONSENSUS_MESSAGE_BYTES);
    items = batchDecoder(parsed, 'consensus').messages;
    assertCanonical(bytes, parsed);
  } catch (error) {
    if (isRefusal(error)) throw new BadConsensusMessage(`malformed consensus message: ${error.message}`);
    throw error;
  }
  return items.map((item, index) => {
    const where = `consensus.messages[${index}]`;
    if (item.kind === 'proposal') {
      const { block, proposer } = item;
      if (block === undefined || proposer === undefined || item.blockHash !== undefined || item.validator !== undefined) {
        throw new BadConsensusMessage(`${where}: a proposal has a block and a proposer, and no blockHash or validator`);
      }
      const validRound = item.validRound ?? -1;
      if (validRound >= item.round) throw new BadConsensusMessage(`${where}: validRound must be before round`);
      if (block.header.chainId !== chainId || block.header.height !== item.height) throw new BadConsensusMessage(`${where}: the block is not for this chain and height`);
      const valueId = blockHash(block.header);
      if (!verify(fromHex(proposer), proposalSignBytes(chainId, { height: item.height, round: item.round, validRound, value: block, valueId }), fromHex(item.signature))) {
        throw new BadConsensusMessage(`${where}: the proposal's signature does not verify`);
      }
      return { proposal: { height: item.height, round: item.round, validRound, value: block, valueId, proposer, signature: item.signature } };
    }
    const { validator, blockHash: voted } = item;
    if (validator === undefined || voted === undefined || item.block !== undefined || item.proposer !== undefined || item.validRound !== undefined) {
      throw new BadConsensusMessage(`${where}: a vote has a validator and a blockHash, and nothing else`);
    }
    const valueId = voted === '' ? null : voted;
    if (!verify(fromHex(validator), voteBytes(chainId, item.kind, item.height, item.round, valueId), fromHex(item.signature))) {
      throw new BadConsensusMessage(`${where}: the vote's signature does not verify`);
    }
    return { vote: { type: item.kind, height: item.height, round: item.round, valueId, validator, signature: item.signature } };
  });
}

/** Signs a vote with a validator's secret key. */
export function signVote(chainId: string, secretKey: Uint8Array, validator: string, vote: { readonly type: VoteType; readonly height: number; readonly round: number; readonly valueId: string | null }): VoteIn {
  const signed = toHex(signMessage(secretKey, voteBytes(chainId, vote.type, vote.height, vote.round, vote.valueId)));
  return { ...vote, validator, signature: signed };
}

/** Signs a proposal with the proposer's secret key. */
export function signProposal(
  chainId: string,
  secretKey: Uint8Array,
  proposer: string,
  proposal: { readonly height: number; readonly round: number; readonly validRound: number; readonly value: Block; readonly valueId: string },
): SignedProposal {
  const signed = toHex(signMessage(secretKey, proposalSignBytes(chainId, proposal)));
  return { ...proposal, proposer, signature: signed };
}

/** The bytes a proposer signs for this proposal (`proposalBytes` with the block's hash and content hash). */
export function proposalSignBytes(
  chainId: string,
  proposal: { readonly height: number; readonly round: number; readonly validRound: number; readonly value: Block; readonly valueId: string },
): Uint8Array {
  return proposalBytes(chainId, proposal.height, proposal.round, proposal.validRound, proposal.valueId, blockContentHash(proposal.value));
}
