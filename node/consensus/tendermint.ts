import type { Validator, VoteType } from '../../contracts/index.js';
import { HeightLog, NextHeightMessages } from './height-log.js';
import { type Action, DEFAULT_MAX_FUTURE_MESSAGES, MAX_ROUNDS_AHEAD, powersOf, type ProposalIn, proposerOf, type RestoredState, type Step, STEP_RANK, type TendermintOptions, type TimeoutStep, type VoteIn } from './tendermint-types.js';

/**
 * valid(v) as the node answered it; 'untimely' (valid, but dated too far ahead of this node's
 * clock) gets no prevote when freshly proposed, yet is locked on and decided once a quorum prevoted it.
 */
type Judgement = boolean | 'untimely' | 'pending';

const isValid = (judgement: Judgement | undefined): boolean => judgement === true || judgement === 'untimely';

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
 *   starts the next height (`enterHeight`), and messages of the next height are kept until then.
 * - A height may start idle: round 0 begins when the node has work (`wake`) or when a
 *   message of the height arrives, so an idle network does not make empty blocks.
 * - A second, different message from one validator for one (height, round, type) is
 *   equivocation: it is reported as evidence, and counts toward its own value (height-log.ts).
 */

export * from './tendermint-types.js';

export class Tendermint<V> {
  /** The validator set of the current height, its powers and whether this node is in it. */
  private validators: readonly Validator[] = [];
  private power = new Map<string, bigint>();
  private totalPower = 0n;
  private member = false;

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

  /** The messages of the current height. */
  private log: HeightLog<V>;
  private judged = new Map<string, Judgement>();
  /** "for the first time" rules already fired, by rule and round. */
  private fired = new Set<string>();
  private readonly future: NextHeightMessages<V>;
  private waitingForBuild = false;

  constructor(private readonly options: TendermintOptions) {
    this.future = new NextHeightMessages(options.maxFutureMessages ?? DEFAULT_MAX_FUTURE_MESSAGES);
    this.log = new HeightLog(this.power, this.totalPower);
  }

  /** Takes the validator set of `height`: a node outside it follows the height without signing. */
  private useValidatorsOf(height: number): void {
    this.validators = this.options.validatorsAt(height);
    ({ power: this.power, total: this.totalPower } = powersOf(this.validators, height));
    this.member = this.options.self !== null && this.power.has(this.options.self);
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

  /** What a node sends again so that others can follow it over a lossy network (HeightLog.toResend says what and why). */
  toResend(): { readonly proposals: readonly ProposalIn<V>[]; readonly votes: readonly VoteIn[] } {
    if (this.round < 0 || this.decided) return { proposals: [], votes: [] };
    return this.log.toResend(this.round, this.member ? this.options.self : null, this.validRound >= 0 && this.validValueId !== null ? { round: this.validRound, valueId: this.validValueId } : undefined);
  }

  /**
   * Enters `height` (Alg. 1 line 10 for the first, lines 52–54 after a decision): resets the
   * round state and the log, restores a carried lock, replays kept messages of this height,
   * and starts round 0 unless the height waits for work.
   */
  enterHeight(height: number, restored: RestoredState<V> = {}): Action<V>[] {
    if (!Number.isSafeInteger(height) || height < 1) throw new RangeError('height must be a positive integer');
    if (height <= this.height && this.started) throw new Error(`height ${height} is not after ${this.height}`);
    this.useValidatorsOf(height);
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
    this.log = new HeightLog(this.power, this.totalPower);
    this.judged = new Map();
    this.fired = new Set();
    this.waitingForBuild = false;
    const kept = this.future.take(height);
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
    if (proposal.proposer !== proposerOf(this.validators, proposal.height, proposal.round)) return actions;
    if (proposal.validRound < -1 || proposal.validRound >= proposal.round) return actions;
    const { kept, conflictsWith: first } = this.log.addProposal(proposal);
    if (first !== undefined && this.once(`evidence:proposal:${proposal.round}`, () => true)) {
      actions.push({ kind: 'evidence', evidence: { kind: 'duplicate-proposal', first, second: proposal } });
    }
    if (!kept) return actions;
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
    const { kept, conflictsWith: first } = this.log.addVote(vote);
    if (first !== undefined && this.once(`evidence:${vote.type}:${vote.round}:${vote.validator}`, () => true)) {
      actions.push({ kind: 'evidence', evidence: { kind: 'duplicate-vote', first, second: vote } });
    }
    if (!kept) return actions;
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
  valueJudged(height: number, valueId: string, valid: boolean | 'untimely'): Action<V>[] {
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
    const proposer = proposerOf(this.validators, this.height, round);
    actions.push({ kind: 'round', height: this.height, round, proposer });
    for (const proposal of this.log.proposalsOf(round)) this.judge(proposal.valueId, proposal.value, actions);
    if (this.member && proposer === this.options.self) {
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
    for (const [round, proposal] of this.log.allProposals()) {
      if (!this.log.hasQuorumFor('precommit', round, proposal.valueId)) continue;
      const precommits = this.log.votesFor('precommit', round, proposal.valueId);
      if (!this.judged.has(proposal.valueId)) {
        this.judge(proposal.valueId, proposal.value, actions);
        continue;
      }
      if (!isValid(this.judged.get(proposal.valueId))) continue; // line 50: valid(v)
      // Line 51; lines 52–54 run when the node has committed the value and calls enterHeight.
      this.decided = true;
      actions.push({ kind: 'decide', height: this.height, round, value: proposal.value, valueId: proposal.valueId, precommits });
      return true;
    }
    return false;
  }

  /** Alg. 1 lines 55–56: more than 1/3 of the power is at a later round: go there. */
  private roundSkipRule(actions: Action<V>[]): boolean {
    const target = this.log.laterRoundHeard(this.round);
    if (target < 0) return false;
    this.startRound(target, actions);
    return true;
  }

  /** Alg. 1 lines 22–27: a proposal with no valid round, in the propose step. */
  private freshProposalRule(actions: Action<V>[]): boolean {
    if (this.step !== 'propose') return false;
    for (const proposal of this.log.proposalsOf(this.round)) {
      if (proposal.validRound !== -1) continue;
      const valid = this.judged.get(proposal.valueId);
      if (valid === 'pending' || valid === undefined) continue;
      // Line 23; a freshly proposed value must also be timely.
      const acceptable = valid === true && (this.lockedRound === -1 || this.lockedValueId === proposal.valueId);
      this.vote('prevote', acceptable ? proposal.valueId : null, actions); // lines 24 and 26
      this.step = 'prevote'; // line 27
      return true;
    }
    return false;
  }

  /** Alg. 1 lines 28–33: a proposal carrying a valid round in which its value had a quorum of prevotes. */
  private validRoundProposalRule(actions: Action<V>[]): boolean {
    if (this.step !== 'propose') return false;
    for (const proposal of this.log.proposalsOf(this.round)) {
      const vr = proposal.validRound;
      if (vr < 0 || vr >= this.round) continue;
      if (!this.log.hasQuorumFor('prevote', vr, proposal.valueId)) continue;
      const valid = this.judged.get(proposal.valueId);
      if (valid === 'pending' || valid === undefined) continue;
      // Line 29.
      const acceptable = isValid(valid) && (this.lockedRound <= vr || this.lockedValueId === proposal.valueId);
      this.vote('prevote', acceptable ? proposal.valueId : null, actions); // lines 30 and 32
      this.step = 'prevote'; // line 33
      return true;
    }
    return false;
  }

  /** Alg. 1 lines 34–35: a quorum of prevotes of any kind, in the prevote step, for the first time. */
  private anyPrevotesRule(actions: Action<V>[]): boolean {
    if (this.step !== 'prevote' || !this.once(`prevotes:${this.round}`, () => this.log.hasQuorumOfAll('prevote', this.round))) return false;
    actions.push({ kind: 'timeout', step: 'prevote', height: this.height, round: this.round, ms: this.timeoutMs('prevote', this.round) });
    return true;
  }

  /** Alg. 1 lines 36–43: the round's proposal has a quorum of prevotes: lock on it (in the prevote step) and make it the valid value. */
  private lockRule(actions: Action<V>[]): boolean {
    if (STEP_RANK[this.step] < STEP_RANK.prevote || this.fired.has(`lock:${this.round}`)) return false;
    for (const proposal of this.log.proposalsOf(this.round)) {
      if (!isValid(this.judged.get(proposal.valueId))) continue;
      if (!this.once(`lock:${this.round}`, () => this.log.hasQuorumFor('prevote', this.round, proposal.valueId))) continue;
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
    if (this.step !== 'prevote' || !this.log.hasQuorumFor('prevote', this.round, null)) return false;
    this.vote('precommit', null, actions); // line 45
    this.step = 'precommit'; // line 46
    return true;
  }

  /** Alg. 1 lines 47–48: a quorum of precommits of any kind, for the first time. */
  private anyPrecommitsRule(actions: Action<V>[]): boolean {
    if (!this.once(`precommits:${this.round}`, () => this.log.hasQuorumOfAll('precommit', this.round))) return false;
    actions.push({ kind: 'timeout', step: 'precommit', height: this.height, round: this.round, ms: this.timeoutMs('precommit', this.round) });
    return true;
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

  // ---- bookkeeping -------------------------------------------------------------------

  /** Whether a message is for this height (and kept if it is for the next one). */
  private accepts(message: ProposalIn<V> | VoteIn): boolean {
    if (!this.started) return false;
    if (message.height === this.height && !this.decided) {
      return Number.isSafeInteger(message.round) && message.round >= 0 && message.round <= Math.max(this.round, 0) + MAX_ROUNDS_AHEAD;
    }
    if (message.height === this.height + 1) this.future.keep(message);
    return false;
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
    if (!this.member) return;
    actions.push({ kind: 'vote', type, height: this.height, round: this.round, valueId });
  }

}
