import { isQuorum, type Validator, type VoteType } from '../../contracts/index.js';

/**
 * Tendermint consensus for one validator (or an observer), as Algorithm 1 of "The latest gossip
 * on BFT consensus" (Buchman, Kwon, Milosevic, arXiv:1807.04938v3). Comments cite its lines as
 * "Alg. 1 line N".
 *
 * The state machine is pure and synchronous: no clock, no network, no signing. Each input
 * (a proposal, a vote, a timeout, a value built or judged by the node) returns the actions the
 * node must carry out, in order: sign and send a proposal or a vote, start a timer, build or
 * judge a value, commit a decided value, record evidence. The node feeds its own signed
 * messages back in like anyone else's. Messages must be authenticated before they come in:
 * a vote's signature checked and its validator in the set, a proposal signed by its proposer.
 *
 * Departures from the paper, all on the side of liveness or bookkeeping:
 * - Power is weighted: "2f + 1" messages means validators holding more than 2/3 of the power
 *   (3 × power > 2 × total, in integers) and "f + 1" means more than 1/3 (3 × power > total).
 * - valid(v) is asked of the node once per value and answered later (`valueJudged`); a rule
 *   that needs it waits for the answer.
 * - getValue() is asked of the node (`build`) and answered later (`valueBuilt`).
 * - After a decision (line 49) the machine waits for the node to commit the value before it
 *   starts the next height (`nextHeight`), and messages of the next height are kept until then.
 * - A height may start idle: round 0 begins when the node has work (`wake`) or when any
 *   message of the height arrives, so an idle network does not make empty blocks.
 * - A second, different message from one validator for one (height, round, type) is
 *   equivocation: it is reported as evidence and otherwise ignored.
 */

export type Step = 'propose' | 'prevote' | 'precommit';

const STEP_RANK: Record<Step, number> = { propose: 0, prevote: 1, precommit: 2 };

/** A proposal as signed by the round's proposer: ⟨PROPOSAL, h, round, v, validRound⟩. */
export interface ProposalIn<V> {
  readonly height: number;
  readonly round: number;
  /** The round in which v gathered a quorum of prevotes, or -1. */
  readonly validRound: number;
  readonly value: V;
  /** id(v): the block hash. */
  readonly valueId: string;
  readonly proposer: string;
  readonly signature: string;
}

/** A vote as signed by a validator: ⟨PREVOTE|PRECOMMIT, h, round, id(v) or nil⟩. */
export interface VoteIn {
  readonly type: VoteType;
  readonly height: number;
  readonly round: number;
  /** id(v), or null for nil. */
  readonly valueId: string | null;
  readonly validator: string;
  readonly signature: string;
}

/** Two different signed messages from one validator for one height, round and type. */
export type Evidence<V> =
  | { readonly kind: 'duplicate-vote'; readonly first: VoteIn; readonly second: VoteIn }
  | { readonly kind: 'duplicate-proposal'; readonly first: ProposalIn<V>; readonly second: ProposalIn<V> };

export type TimeoutStep = Step;

/** What the node must do, in the order given. */
export type Action<V> =
  /** Start of a round, for logs and metrics. */
  | { readonly kind: 'round'; readonly height: number; readonly round: number; readonly proposer: string }
  /** getValue(): build a block for this height and round, then call `valueBuilt`. */
  | { readonly kind: 'build'; readonly height: number; readonly round: number }
  /** valid(v): judge this value, then call `valueJudged`. */
  | { readonly kind: 'judge'; readonly height: number; readonly valueId: string; readonly value: V }
  /** Sign and broadcast a proposal (and feed it back with `onProposal`). */
  | { readonly kind: 'propose'; readonly height: number; readonly round: number; readonly validRound: number; readonly value: V; readonly valueId: string }
  /** Sign and broadcast a vote (and feed it back with `onVote`). */
  | { readonly kind: 'vote'; readonly type: VoteType; readonly height: number; readonly round: number; readonly valueId: string | null }
  /** Call `onTimeout(step, height, round)` after `ms`. */
  | { readonly kind: 'timeout'; readonly step: TimeoutStep; readonly height: number; readonly round: number; readonly ms: number }
  /** decision_p[h] = v: commit it with these precommits (a quorum for valueId in round), then call `nextHeight`. */
  | { readonly kind: 'decide'; readonly height: number; readonly round: number; readonly value: V; readonly valueId: string; readonly precommits: readonly VoteIn[] }
  /** A validator signed two different messages where it may sign one. */
  | { readonly kind: 'evidence'; readonly evidence: Evidence<V> };

/** Timeout of a step in round r: base + r × increment, in milliseconds. */
export interface StepTimeout {
  readonly baseMs: number;
  readonly incrementMs: number;
}

export interface TendermintOptions {
  /** The validator set of the heights this machine runs; in the order that rotates proposers. */
  readonly validators: readonly Validator[];
  /** This node's validator account, or null for an observer (it follows, never signs). */
  readonly self: string | null;
  readonly timeouts: { readonly propose: StepTimeout; readonly prevote: StepTimeout; readonly precommit: StepTimeout };
  /** Whether a height starts idle until there is work (see `wake`). */
  readonly waitForWork: boolean;
  /** Most messages of the next height kept while this one finishes. */
  readonly maxFutureMessages?: number;
}

/**
 * A lock or a valid value carried over a restart, so a validator never votes against its own
 * lock. The value itself may be missing (only its id was persisted): a lock is kept by id, and a
 * valid value without its content is not proposed again.
 */
export interface CarriedValue<V> {
  readonly round: number;
  readonly value?: V;
  readonly valueId: string;
}

/** State that a validator persists before it signs, and is restored from after a restart. */
export interface RestoredState<V> {
  readonly locked?: CarriedValue<V>;
  readonly valid?: CarriedValue<V>;
}

const DEFAULT_MAX_FUTURE_MESSAGES = 4_096;
const MAX_FUTURE_PROPOSALS = 8;
/**
 * Messages more rounds ahead of this node's round are dropped, so a faulty validator cannot
 * fill the log with far rounds. Rounds advance only on timeouts that grow with the round, so
 * correct validators are never this far apart within one height.
 */
export const MAX_ROUNDS_AHEAD = 1_000;
/** Distinct proposals kept per round: one from a correct proposer, more only from a faulty one. */
export const MAX_PROPOSALS_PER_ROUND = 4;
/** Distinct votes kept per validator, round and type: one from a correct validator. */
export const MAX_VOTES_PER_VALIDATOR = 4;

type VoteLog = Map<number, Map<string, VoteIn[]>>;

type Judgement = boolean | 'pending';

/** Proposer rotation: round-robin over the set in its order, shifted by height and round. */
export function proposerOf(validators: readonly Validator[], height: number, round: number): string {
  if (validators.length === 0) throw new RangeError('an empty validator set has no proposer');
  return validators[(height + round) % validators.length]!.account;
}

export class Tendermint<V> {
  private readonly power = new Map<string, bigint>();
  private readonly totalPower: bigint;
  private readonly maxFuture: number;

  // Alg. 1 lines 2–9.
  private height = 0;
  private round = -1;
  private step: Step = 'propose';
  private lockedValue: V | null = null;
  private lockedValueId: string | null = null;
  private lockedRound = -1;
  private validValue: V | null = null;
  private validValueId: string | null = null;
  private validRound = -1;
  private decided = false;
  private started = false;

  // The message log of the current height. A faulty proposer may send several proposals in one
  // round; all are kept (up to MAX_PROPOSALS_PER_ROUND), as any of them may be the one decided.
  private proposals = new Map<number, ProposalIn<V>[]>();
  // Votes by round, then by validator. A faulty validator may vote for several values in one
  // round: each of its votes counts toward its own value (as it would if each had gone to a
  // different node), and once toward "any"; up to MAX_VOTES_PER_VALIDATOR are kept.
  private prevotes: VoteLog = new Map();
  private precommits: VoteLog = new Map();
  /** Per round, the validators heard from at that round (Alg. 1 line 55). */
  private heard = new Map<number, Set<string>>();
  private judged = new Map<string, Judgement>();
  /** "for the first time" rules already fired, by rule and round. */
  private fired = new Set<string>();
  private future: (ProposalIn<V> | VoteIn)[] = [];
  private waitingForBuild = false;

  constructor(private readonly options: TendermintOptions) {
    for (const validator of options.validators) {
      if (this.power.has(validator.account)) throw new Error(`validator ${validator.account} appears twice in the set`);
      if (!Number.isSafeInteger(validator.power) || validator.power < 1) throw new Error(`validator ${validator.account} has no positive power`);
      this.power.set(validator.account, BigInt(validator.power));
    }
    this.totalPower = [...this.power.values()].reduce((sum, p) => sum + p, 0n);
    if (this.totalPower === 0n) throw new Error('the validator set is empty');
    if (options.self !== null && !this.power.has(options.self)) throw new Error('this node is not in the validator set');
    this.maxFuture = options.maxFutureMessages ?? DEFAULT_MAX_FUTURE_MESSAGES;
  }

  /** Where the machine is: for status pages and tests. */
  get position(): { readonly height: number; readonly round: number; readonly step: Step; readonly lockedRound: number; readonly validRound: number; readonly decided: boolean } {
    return { height: this.height, round: this.round, step: this.step, lockedRound: this.lockedRound, validRound: this.validRound, decided: this.decided };
  }

  /** The lock and the valid value, for the node to persist before it signs. */
  carried(): RestoredState<V> {
    return {
      ...(this.lockedValueId !== null ? { locked: { round: this.lockedRound, valueId: this.lockedValueId, ...(this.lockedValue !== null ? { value: this.lockedValue } : {}) } } : {}),
      ...(this.validValueId !== null ? { valid: { round: this.validRound, valueId: this.validValueId, ...(this.validValue !== null ? { value: this.validValue } : {}) } } : {}),
    };
  }

  /**
   * What a node sends again so that others can follow it (the paper assumes every message a
   * correct node receives reaches every correct node; over a lossy network that holds only for
   * messages sent again): its own proposal of this round, the votes it holds of this round and
   * the one before, and the quorum of prevotes that made its valid value valid, which a
   * validator locked on an older value needs before it prevotes that value when it is proposed
   * again (line 28). Other proposals are not sent again: a round without its proposal ends by
   * timeout, and the next proposer proposes afresh.
   */
  toResend(): { readonly proposals: readonly ProposalIn<V>[]; readonly votes: readonly VoteIn[] } {
    if (this.round < 0 || this.decided) return { proposals: [], votes: [] };
    const proposals: ProposalIn<V>[] = [];
    const votes: VoteIn[] = [];
    // Proposals are large and made afresh every round; only a proposer sends its own again.
    if (this.options.self !== null) proposals.push(...(this.proposals.get(this.round) ?? []).filter((p) => p.proposer === this.options.self));
    // The previous round's votes too: a node still there needs them to follow (its precommit
    // quorum starts the timeout that ends that round, line 47; or they are f + 1 at a later round, line 55).
    for (const round of this.round > 0 ? [this.round - 1, this.round] : [this.round]) {
      for (const log of [this.prevotes, this.precommits]) for (const mine of log.get(round)?.values() ?? []) votes.push(...mine);
    }
    if (this.validRound >= 0 && this.validRound !== this.round && this.validValueId !== null) {
      votes.push(...this.votesFor(this.prevotes, this.validRound, this.validValueId));
    }
    return { proposals, votes };
  }

  proposer(height: number, round: number): string {
    return proposerOf(this.options.validators, height, round);
  }

  /**
   * Enters `height` (Alg. 1 line 10 for the first, lines 52–54 after a decision): resets the
   * round state and the log, restores a carried lock, replays kept messages of this height,
   * and starts round 0 unless the height waits for work.
   */
  enterHeight(height: number, restored: RestoredState<V> = {}): Action<V>[] {
    if (!Number.isSafeInteger(height) || height < 1) throw new RangeError('height must be a positive integer');
    if (height <= this.height && this.started) throw new Error(`height ${height} is not after ${this.height}`);
    this.height = height;
    this.round = -1;
    this.step = 'propose';
    // Alg. 1 line 53: reset lockedRound, lockedValue, validRound, validValue and the message log.
    this.lockedValue = restored.locked?.value ?? null;
    this.lockedValueId = restored.locked?.valueId ?? null;
    this.lockedRound = restored.locked?.round ?? -1;
    this.validValue = restored.valid?.value ?? null;
    this.validValueId = restored.valid?.valueId ?? null;
    this.validRound = restored.valid?.round ?? -1;
    this.decided = false;
    this.started = true;
    this.proposals = new Map();
    this.prevotes = new Map();
    this.precommits = new Map();
    this.heard = new Map();
    this.judged = new Map();
    this.fired = new Set();
    this.waitingForBuild = false;
    const kept = this.future.filter((message) => message.height === height);
    this.future = this.future.filter((message) => message.height > height);
    const actions: Action<V>[] = [];
    if (!this.options.waitForWork || kept.length > 0) this.startRound(0, actions);
    for (const message of kept) actions.push(...('type' in message ? this.onVote(message) : this.onProposal(message)));
    return actions;
  }

  /** There is work for this height (transactions waiting): start round 0 if the height is idle. */
  wake(): Action<V>[] {
    const actions: Action<V>[] = [];
    if (this.started && this.round < 0 && !this.decided) {
      this.startRound(0, actions);
      this.evaluate(actions);
    }
    return actions;
  }

  onProposal(proposal: ProposalIn<V>): Action<V>[] {
    const actions: Action<V>[] = [];
    if (!this.accepts(proposal)) return actions;
    if (proposal.proposer !== this.proposer(proposal.height, proposal.round)) return actions;
    if (proposal.validRound < -1 || proposal.validRound >= proposal.round) return actions;
    let ofRound = this.proposals.get(proposal.round);
    if (ofRound === undefined) {
      ofRound = [];
      this.proposals.set(proposal.round, ofRound);
    }
    if (ofRound.some((p) => p.valueId === proposal.valueId && p.validRound === proposal.validRound)) return actions;
    const first = ofRound[0];
    if (first !== undefined && this.once(`evidence:proposal:${proposal.round}`, () => true)) {
      actions.push({ kind: 'evidence', evidence: { kind: 'duplicate-proposal', first, second: proposal } });
    }
    if (ofRound.length >= MAX_PROPOSALS_PER_ROUND) return actions;
    ofRound.push(proposal);
    this.hear(proposal.round, proposal.proposer);
    // Judged when its round comes (startRound) or when it may be decided (decideRule), so a
    // faulty proposer's far-round proposals cost nothing until then.
    if (proposal.round <= Math.max(this.round, 0)) this.judge(proposal.valueId, proposal.value, actions);
    this.wakeOnMessage(actions);
    this.evaluate(actions);
    return actions;
  }

  onVote(vote: VoteIn): Action<V>[] {
    const actions: Action<V>[] = [];
    if (!this.accepts(vote)) return actions;
    if (!this.power.has(vote.validator)) return actions;
    const byRound = vote.type === 'prevote' ? this.prevotes : this.precommits;
    let votes = byRound.get(vote.round);
    if (votes === undefined) {
      votes = new Map();
      byRound.set(vote.round, votes);
    }
    let mine = votes.get(vote.validator);
    if (mine === undefined) {
      mine = [];
      votes.set(vote.validator, mine);
    }
    if (mine.some((v) => v.valueId === vote.valueId)) return actions;
    const first = mine[0];
    if (first !== undefined && this.once(`evidence:${vote.type}:${vote.round}:${vote.validator}`, () => true)) {
      actions.push({ kind: 'evidence', evidence: { kind: 'duplicate-vote', first, second: vote } });
    }
    if (mine.length >= MAX_VOTES_PER_VALIDATOR) return actions;
    mine.push(vote);
    this.hear(vote.round, vote.validator);
    this.wakeOnMessage(actions);
    this.evaluate(actions);
    return actions;
  }

  onTimeout(step: TimeoutStep, height: number, round: number): Action<V>[] {
    const actions: Action<V>[] = [];
    if (height !== this.height || round !== this.round || this.decided) return actions;
    if (step === 'propose' && this.step === 'propose') {
      // Alg. 1 lines 57–60: OnTimeoutPropose.
      this.vote('prevote', null, actions);
      this.step = 'prevote';
    } else if (step === 'prevote' && this.step === 'prevote') {
      // Alg. 1 lines 61–64: OnTimeoutPrevote.
      this.vote('precommit', null, actions);
      this.step = 'precommit';
    } else if (step === 'precommit') {
      // Alg. 1 lines 65–67: OnTimeoutPrecommit.
      this.startRound(this.round + 1, actions);
    }
    this.evaluate(actions);
    return actions;
  }

  /** getValue() answered (Alg. 1 line 18): propose it if still the proposer in that round's propose step. */
  valueBuilt(height: number, round: number, value: V, valueId: string): Action<V>[] {
    const actions: Action<V>[] = [];
    if (height !== this.height || round !== this.round || this.step !== 'propose' || this.decided || !this.waitingForBuild) return actions;
    this.waitingForBuild = false;
    // Our own value is valid by construction.
    this.judged.set(valueId, true);
    // Alg. 1 line 19: a value from getValue() has no valid round (lines 15–18).
    actions.push({ kind: 'propose', height, round, validRound: valueId === this.validValueId ? this.validRound : -1, value, valueId });
    return actions;
  }

  /** valid(v) answered for the value with this id. */
  valueJudged(height: number, valueId: string, valid: boolean): Action<V>[] {
    const actions: Action<V>[] = [];
    if (height !== this.height || this.judged.get(valueId) !== 'pending') return actions;
    this.judged.set(valueId, valid);
    this.evaluate(actions);
    return actions;
  }

  // ---- the rules ---------------------------------------------------------------------

  /** Alg. 1 lines 11–21: StartRound(round). */
  private startRound(round: number, actions: Action<V>[]): void {
    this.round = round;
    this.step = 'propose';
    this.waitingForBuild = false;
    const proposer = this.proposer(this.height, round);
    actions.push({ kind: 'round', height: this.height, round, proposer });
    for (const proposal of this.proposals.get(round) ?? []) this.judge(proposal.valueId, proposal.value, actions);
    if (proposer === this.options.self) {
      if (this.validValue !== null && this.validValueId !== null) {
        // Alg. 1 lines 15–16, 19.
        actions.push({ kind: 'propose', height: this.height, round, validRound: this.validRound, value: this.validValue, valueId: this.validValueId });
      } else {
        // Alg. 1 line 18: getValue(), answered by valueBuilt.
        this.waitingForBuild = true;
        actions.push({ kind: 'build', height: this.height, round });
      }
    } else {
      // Alg. 1 line 21.
      actions.push({ kind: 'timeout', step: 'propose', height: this.height, round, ms: this.timeoutMs('propose', round) });
    }
  }

  /** Fires every upon-rule whose condition holds, until none does. */
  private evaluate(actions: Action<V>[]): void {
    for (let guard = 0; guard < 10_000; guard++) {
      if (this.decided || this.round < 0) return;
      const fired =
        this.decideRule(actions) ||
        this.roundSkipRule(actions) ||
        this.freshProposalRule(actions) ||
        this.validRoundProposalRule(actions) ||
        this.anyPrevotesRule(actions) ||
        this.lockRule(actions) ||
        this.nilPrevotesRule(actions) ||
        this.anyPrecommitsRule(actions);
      if (!fired) return;
    }
    throw new Error('consensus rules did not settle');
  }

  /** Alg. 1 lines 49–54: a proposal of some round and a quorum of precommits for it decide the height. */
  private decideRule(actions: Action<V>[]): boolean {
    for (const [round, proposal] of this.allProposals()) {
      const precommits = this.votesFor(this.precommits, round, proposal.valueId);
      if (!isQuorum(this.powerOf(precommits.map((vote) => vote.validator)), this.totalPower)) continue;
      if (!this.judged.has(proposal.valueId)) {
        this.judge(proposal.valueId, proposal.value, actions);
        continue;
      }
      if (this.judged.get(proposal.valueId) !== true) continue; // line 50: valid(v)
      // Line 51; lines 52–54 run when the node has committed the value and calls enterHeight.
      this.decided = true;
      actions.push({ kind: 'decide', height: this.height, round, value: proposal.value, valueId: proposal.valueId, precommits });
      return true;
    }
    return false;
  }

  /** Alg. 1 lines 55–56: more than 1/3 of the power is at a later round: go there. */
  private roundSkipRule(actions: Action<V>[]): boolean {
    let target = -1;
    for (const [round, validators] of this.heard) {
      if (round > this.round && round > target && 3n * this.powerOf(validators) > this.totalPower) target = round;
    }
    if (target < 0) return false;
    this.startRound(target, actions);
    return true;
  }

  /** Alg. 1 lines 22–27: a proposal with no valid round, in the propose step. */
  private freshProposalRule(actions: Action<V>[]): boolean {
    if (this.step !== 'propose') return false;
    for (const proposal of this.proposals.get(this.round) ?? []) {
      if (proposal.validRound !== -1) continue;
      const valid = this.judged.get(proposal.valueId);
      if (valid === 'pending' || valid === undefined) continue;
      // Line 23.
      const acceptable = valid && (this.lockedRound === -1 || this.lockedValueId === proposal.valueId);
      this.vote('prevote', acceptable ? proposal.valueId : null, actions); // lines 24 and 26
      this.step = 'prevote'; // line 27
      return true;
    }
    return false;
  }

  /** Alg. 1 lines 28–33: a proposal carrying a valid round in which its value had a quorum of prevotes. */
  private validRoundProposalRule(actions: Action<V>[]): boolean {
    if (this.step !== 'propose') return false;
    for (const proposal of this.proposals.get(this.round) ?? []) {
      const vr = proposal.validRound;
      if (vr < 0 || vr >= this.round) continue;
      if (!this.hasQuorumFor(this.prevotes, vr, proposal.valueId)) continue;
      const valid = this.judged.get(proposal.valueId);
      if (valid === 'pending' || valid === undefined) continue;
      // Line 29.
      const acceptable = valid && (this.lockedRound <= vr || this.lockedValueId === proposal.valueId);
      this.vote('prevote', acceptable ? proposal.valueId : null, actions); // lines 30 and 32
      this.step = 'prevote'; // line 33
      return true;
    }
    return false;
  }

  /** Alg. 1 lines 34–35: a quorum of prevotes of any kind, in the prevote step, for the first time. */
  private anyPrevotesRule(actions: Action<V>[]): boolean {
    if (this.step !== 'prevote' || !this.once(`prevotes:${this.round}`, () => this.hasQuorumOfAny(this.prevotes, this.round))) return false;
    actions.push({ kind: 'timeout', step: 'prevote', height: this.height, round: this.round, ms: this.timeoutMs('prevote', this.round) });
    return true;
  }

  /** Alg. 1 lines 36–43: the round's proposal has a quorum of prevotes: lock on it (in the prevote step) and make it the valid value. */
  private lockRule(actions: Action<V>[]): boolean {
    if (STEP_RANK[this.step] < STEP_RANK.prevote || this.fired.has(`lock:${this.round}`)) return false;
    for (const proposal of this.proposals.get(this.round) ?? []) {
      if (this.judged.get(proposal.valueId) !== true) continue;
      if (!this.once(`lock:${this.round}`, () => this.hasQuorumFor(this.prevotes, this.round, proposal.valueId))) continue;
      if (this.step === 'prevote') {
        this.lockedValue = proposal.value; // line 38
        this.lockedValueId = proposal.valueId;
        this.lockedRound = this.round; // line 39
        this.vote('precommit', proposal.valueId, actions); // line 40
        this.step = 'precommit'; // line 41
      }
      this.validValue = proposal.value; // line 42
      this.validValueId = proposal.valueId;
      this.validRound = this.round; // line 43
      return true;
    }
    return false;
  }

  /** Alg. 1 lines 44–46: a quorum of nil prevotes, in the prevote step. */
  private nilPrevotesRule(actions: Action<V>[]): boolean {
    if (this.step !== 'prevote' || !this.hasQuorumFor(this.prevotes, this.round, null)) return false;
    this.vote('precommit', null, actions); // line 45
    this.step = 'precommit'; // line 46
    return true;
  }

  /** Alg. 1 lines 47–48: a quorum of precommits of any kind, for the first time. */
  private anyPrecommitsRule(actions: Action<V>[]): boolean {
    if (!this.once(`precommits:${this.round}`, () => this.hasQuorumOfAny(this.precommits, this.round))) return false;
    actions.push({ kind: 'timeout', step: 'precommit', height: this.height, round: this.round, ms: this.timeoutMs('precommit', this.round) });
    return true;
  }

  private *allProposals(): Iterable<readonly [number, ProposalIn<V>]> {
    for (const [round, proposals] of this.proposals) for (const proposal of proposals) yield [round, proposal];
  }

  private timeoutMs(step: TimeoutStep, round: number): number {
    const { baseMs, incrementMs } = this.options.timeouts[step];
    return baseMs + round * incrementMs;
  }

  /** True the first time `condition` holds for `key` (and marks it fired). */
  private once(key: string, condition: () => boolean): boolean {
    if (this.fired.has(key) || !condition()) return false;
    this.fired.add(key);
    return true;
  }

  private votesFor(log: VoteLog, round: number, valueId: string | null): VoteIn[] {
    const out: VoteIn[] = [];
    for (const mine of log.get(round)?.values() ?? []) {
      const vote = mine.find((v) => v.valueId === valueId);
      if (vote !== undefined) out.push(vote);
    }
    return out;
  }

  private hasQuorumFor(log: VoteLog, round: number, valueId: string | null): boolean {
    return isQuorum(this.powerOf(this.votesFor(log, round, valueId).map((vote) => vote.validator)), this.totalPower);
  }

  private hasQuorumOfAny(log: VoteLog, round: number): boolean {
    return isQuorum(this.powerOf(log.get(round)?.keys() ?? []), this.totalPower);
  }

  // ---- bookkeeping -------------------------------------------------------------------

  /** Whether a message is for this height (and kept if it is for the next one). */
  private accepts(message: ProposalIn<V> | VoteIn): boolean {
    if (!this.started) return false;
    if (message.height === this.height && !this.decided) {
      return Number.isSafeInteger(message.round) && message.round >= 0 && message.round <= Math.max(this.round, 0) + MAX_ROUNDS_AHEAD;
    }
    if (message.height === this.height + 1 && this.future.length < this.maxFuture) {
      // Proposals are large: only a few of the next height's are kept.
      if (!('type' in message) && this.future.filter((m) => !('type' in m)).length >= MAX_FUTURE_PROPOSALS) return false;
      this.future.push(message);
    }
    return false;
  }

  private hear(round: number, validator: string): void {
    let set = this.heard.get(round);
    if (set === undefined) {
      set = new Set();
      this.heard.set(round, set);
    }
    set.add(validator);
  }

  private judge(valueId: string, value: V, actions: Action<V>[]): void {
    if (this.judged.has(valueId)) return;
    this.judged.set(valueId, 'pending');
    actions.push({ kind: 'judge', height: this.height, valueId, value });
  }

  private wakeOnMessage(actions: Action<V>[]): void {
    if (this.round < 0 && !this.decided) this.startRound(0, actions);
  }

  private vote(type: VoteType, valueId: string | null, actions: Action<V>[]): void {
    if (this.options.self === null) return;
    actions.push({ kind: 'vote', type, height: this.height, round: this.round, valueId });
  }

  private powerOf(validators: Iterable<string>): bigint {
    let sum = 0n;
    for (const validator of validators) sum += this.power.get(validator) ?? 0n;
    return sum;
  }
}
