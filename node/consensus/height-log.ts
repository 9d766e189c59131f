import { isQuorum, type VoteType } from '../../contracts/index.js';
import { MAX_FUTURE_PROPOSALS, MAX_PROPOSALS_PER_ROUND, MAX_VOTES_PER_VALIDATOR, type ProposalIn, type VoteIn } from './tendermint-types.js';

/**
 * The messages of one height that the Tendermint machine (tendermint.ts) reasons over, with
 * the power behind them.
 *
 * - A faulty proposer may send several proposals in one round. All are kept, up to
 *   MAX_PROPOSALS_PER_ROUND, because any of them may be the one decided.
 * - A faulty validator may vote for several values in one round. Each of its votes counts
 *   toward its own value, as it would if each had gone to a different node, and once toward
 *   the count of all votes. Up to MAX_VOTES_PER_VALIDATOR are kept.
 * - Adding a second, different message of one signer for one slot reports the first, so the
 *   machine can record the pair as evidence.
 */

type VoteLog = Map<number, Map<string, VoteIn[]>>;

/** What adding a message did: kept or not, and the earlier message of that signer and slot it conflicts with. */
export interface Added<M> {
  readonly kept: boolean;
  readonly conflictsWith?: M;
}

export class HeightLog<V> {
  private readonly proposals = new Map<number, ProposalIn<V>[]>();
  private readonly votes: Record<VoteType, VoteLog> = { prevote: new Map(), precommit: new Map() };
  /** Per round, the validators heard from at that round (Alg. 1 line 55). */
  private readonly heard = new Map<number, Set<string>>();

  constructor(
    private readonly power: ReadonlyMap<string, bigint>,
    private readonly totalPower: bigint,
  ) {}

  addProposal(proposal: ProposalIn<V>): Added<ProposalIn<V>> {
    let ofRound = this.proposals.get(proposal.round);
    if (ofRound === undefined) {
      ofRound = [];
      this.proposals.set(proposal.round, ofRound);
    }
    if (ofRound.some((p) => p.valueId === proposal.valueId && p.validRound === proposal.validRound)) return { kept: false };
    const first = ofRound[0];
    const conflict = first === undefined ? {} : { conflictsWith: first };
    if (ofRound.length >= MAX_PROPOSALS_PER_ROUND) return { kept: false, ...conflict };
    ofRound.push(proposal);
    this.hear(proposal.round, proposal.proposer);
    return { kept: true, ...conflict };
  }

  addVote(vote: VoteIn): Added<VoteIn> {
    const byRound = this.votes[vote.type];
    let ofRound = byRound.get(vote.round);
    if (ofRound === undefined) {
      ofRound = new Map();
      byRound.set(vote.round, ofRound);
    }
    let mine = ofRound.get(vote.validator);
    if (mine === undefined) {
      mine = [];
      ofRound.set(vote.validator, mine);
    }
    if (mine.some((v) => v.valueId === vote.valueId)) return { kept: false };
    const first = mine[0];
    const conflict = first === undefined ? {} : { conflictsWith: first };
    if (mine.length >= MAX_VOTES_PER_VALIDATOR) return { kept: false, ...conflict };
    mine.push(vote);
    this.hear(vote.round, vote.validator);
    return { kept: true, ...conflict };
  }

  /**
   * What a node at `round` sends again so that others can follow it. The paper assumes every
   * message a correct node receives reaches every correct node; over a lossy network that holds
   * only for messages sent again. So: `self`'s own proposals of the round, every vote held of
   * the round and the one before, and the quorum of prevotes that made the valid value valid,
   * which a validator locked on an older value needs before it prevotes that value when it is
   * proposed again (Alg. 1 line 28). Other proposals are not sent again: a round without its
   * proposal ends by timeout, and the next proposer proposes afresh.
   */
  toResend(round: number, self: string | null, valid: { readonly round: number; readonly valueId: string } | undefined): { readonly proposals: ProposalIn<V>[]; readonly votes: VoteIn[] } {
    // Proposals are large and made afresh every round; only a proposer sends its own again.
    const proposals = self === null ? [] : this.proposalsOf(round).filter((p) => p.proposer === self);
    const votes: VoteIn[] = [];
    // The previous round's votes too: a node still there needs them to follow (its precommit
    // quorum starts the timeout that ends that round, line 47; or they are f + 1 at a later round, line 55).
    for (const r of round > 0 ? [round - 1, round] : [round]) votes.push(...this.votesOfRound('prevote', r), ...this.votesOfRound('precommit', r));
    if (valid !== undefined && valid.round !== round) votes.push(...this.votesFor('prevote', valid.round, valid.valueId));
    return { proposals, votes };
  }

  proposalsOf(round: number): readonly ProposalIn<V>[] {
    return this.proposals.get(round) ?? [];
  }

  *allProposals(): Iterable<readonly [number, ProposalIn<V>]> {
    for (const [round, proposals] of this.proposals) for (const proposal of proposals) yield [round, proposal];
  }

  /** Every vote of this type held for the round. */
  votesOfRound(type: VoteType, round: number): VoteIn[] {
    return [...(this.votes[type].get(round)?.values() ?? [])].flat();
  }

  /** The votes of this type in the round for one value (null: nil), one per validator. */
  votesFor(type: VoteType, round: number, valueId: string | null): VoteIn[] {
    const out: VoteIn[] = [];
    for (const mine of this.votes[type].get(round)?.values() ?? []) {
      const vote = mine.find((v) => v.valueId === valueId);
      if (vote !== undefined) out.push(vote);
    }
    return out;
  }

  /** Whether validators holding more than 2/3 of the power voted for this value (Alg. 1's "2f + 1 ⟨…, id(v)⟩"). */
  hasQuorumFor(type: VoteType, round: number, valueId: string | null): boolean {
    return isQuorum(this.powerOf(this.votesFor(type, round, valueId).map((vote) => vote.validator)), this.totalPower);
  }

  /** Whether validators holding more than 2/3 of the power voted at all (Alg. 1's "2f + 1 ⟨…, ∗⟩"). */
  hasQuorumOfAll(type: VoteType, round: number): boolean {
    return isQuorum(this.powerOf(this.votes[type].get(round)?.keys() ?? []), this.totalPower);
  }

  /** The latest round after `round` from which more than 1/3 of the power has been heard (Alg. 1 line 55), or -1. */
  laterRoundHeard(round: number): number {
    let target = -1;
    for (const [heardRound, validators] of this.heard) {
      if (heardRound > round && heardRound > target && 3n * this.powerOf(validators) > this.totalPower) target = heardRound;
    }
    return target;
  }

  private hear(round: number, validator: string): void {
    let set = this.heard.get(round);
    if (set === undefined) {
      set = new Set();
      this.heard.set(round, set);
    }
    set.add(validator);
  }

  private powerOf(validators: Iterable<string>): bigint {
    let sum = 0n;
    for (const validator of validators) sum += this.power.get(validator) ?? 0n;
    return sum;
  }
}

/**
 * Messages of the next height, kept while the current one finishes (a node that decides later
 * than others hears their next height first): at most `max`, and of them only a few proposals,
 * which are large.
 */
export class NextHeightMessages<V> {
  private messages: (ProposalIn<V> | VoteIn)[] = [];

  constructor(private readonly max: number) {}

  keep(message: ProposalIn<V> | VoteIn): void {
    if (this.messages.length >= this.max) return;
    if (!('type' in message) && this.messages.filter((m) => !('type' in m)).length >= MAX_FUTURE_PROPOSALS) return;
    this.messages.push(message);
  }

  /** The kept messages of `height`, in arrival order; those of lower heights are dropped. */
  take(height: number): (ProposalIn<V> | VoteIn)[] {
    const taken = this.messages.filter((message) => message.height === height);
    this.messages = this.messages.filter((message) => message.height > height);
    return taken;
  }
}
