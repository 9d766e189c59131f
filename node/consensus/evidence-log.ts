import { open, readFile } from 'node:fs/promises';
import { type Block, encodeCanonical, type CanonicalValue } from '../../contracts/index.js';
import { decodeConsensusMessages, encodeConsensusMessages, type ConsensusMessage } from './messages.js';
import type { Evidence } from './tendermint.js';

/**
 * Equivocation evidence kept on disk: one line per piece of evidence, appended and synced, in
 * the consensus message format (docs/consensus.md §4.1) so that anyone can check both
 * signatures with no node. An operator hands this file over; readEvidence checks it back.
 *
 * A line is the canonical JSON `{ "kind": ..., "messages": <the two signed messages, as a
 * consensus gossip message> }`.
 */

export const EVIDENCE_FILE = 'evidence.jsonl';

function messagesOf(evidence: Evidence<Block>): ConsensusMessage[] {
  return evidence.kind === 'duplicate-vote' ? [{ vote: evidence.first }, { vote: evidence.second }] : [{ proposal: evidence.first }, { proposal: evidence.second }];
}

/** One line of the evidence file. */
export function evidenceLine(evidence: Evidence<Block>): string {
  const messages = new TextDecoder().decode(encodeConsensusMessages(messagesOf(evidence)));
  return `${encodeCanonical({ kind: evidence.kind, messages: JSON.parse(messages) as CanonicalValue })}\n`;
}

/** Appends evidence to `file` and syncs it. */
export async function appendEvidence(file: string, evidence: Evidence<Block>): Promise<void> {
  const handle = await open(file, 'a', 0o600);
  try {
    await handle.appendFile(evidenceLine(evidence));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Reads an evidence file back, checking every signature: each line gives the two signed
 * messages. Throws naming the first line that does not decode, does not verify, or is not two
 * conflicting messages of one signer for one height, round and type.
 */
export async function readEvidence(
  file: string,
  chainId: string,
  verify: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean,
): Promise<{ readonly kind: Evidence<Block>['kind']; readonly messages: readonly ConsensusMessage[] }[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line, index) => {
      const parsed = JSON.parse(line) as { kind?: unknown; messages?: unknown };
      if (parsed.kind !== 'duplicate-vote' && parsed.kind !== 'duplicate-proposal') throw new Error(`evidence line ${index + 1}: unknown kind`);
      const messages = decodeConsensusMessages(chainId, new TextEncoder().encode(encodeCanonical(parsed.messages as CanonicalValue)), verify);
      const [first, second] = messages;
      const conflicting =
        messages.length === 2 &&
        first !== undefined &&
        second !== undefined &&
        (('vote' in first && 'vote' in second && first.vote.validator === second.vote.validator && first.vote.type === second.vote.type && first.vote.height === second.vote.height && first.vote.round === second.vote.round && first.vote.valueId !== second.vote.valueId) ||
          ('proposal' in first &&
            'proposal' in second &&
            first.proposal.proposer === second.proposal.proposer &&
            first.proposal.height === second.proposal.height &&
            first.proposal.round === second.proposal.round &&
            (first.proposal.valueId !== second.proposal.valueId || first.proposal.validRound !== second.proposal.validRound)));
      if (!conflicting) throw new Error(`evidence line ${index + 1}: not two conflicting messages of one signer`);
      return { kind: parsed.kind, messages };
    });
}
