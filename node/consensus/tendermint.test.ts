import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Validator } from '../../contracts/index.js';
import { type Action, type Evidence, MAX_ROUNDS_AHEAD, type ProposalIn, proposerOf, Tendermint, type VoteIn } from './tendermint.js';

/**
 * A simulated network of Tendermint machines on a virtual clock: every message is delivered
 * after a delay the test chooses (or dropped), timeouts fire on the same clock. Values are
 * strings; a value starting with "bad" is invalid. Signatures are not made here: the machine
 * takes authenticated messages as input.
 *
 * Like the node, each simulated node sends again, every RESEND_MS, what `toResend` gives (the
 * current round's messages and the proof of its valid value), and the proposal and precommits
 * of every height it decided (standing in for block sync, which serves a node that is behind):
 * Tendermint needs the messages a correct node holds to reach every correct node eventually,
 * and a network that drops messages only gives that to messages sent again.
 */

const TIMEOUTS = {
  propose: { baseMs: 300, incrementMs: 100 },
  prevote: { baseMs: 100, incrementMs: 100 },
  precommit: { baseMs: 100, incrementMs: 100 },
};

type Message = { readonly proposal: ProposalIn<string> } | { readonly vote: VoteIn };

const RESEND_MS = 1_000;

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

interface Behaviour {
  /** Sends nothing at all. */
  readonly silent?: boolean;
  /** As proposer, sends a different value to each half of the network; votes for both. */
  readonly equivocate?: boolean;
  /** Proposes invalid values. */
  readonly proposesInvalid?: boolean;
}

interface SimOptions {
  readonly validators: number;
  readonly behaviours?: Readonly<Record<number, Behaviour>>;
  /** Delay of a message from one node to another, or 'drop'. */
  readonly delay?: (from: number, to: number, now: number) => number | 'drop';
  readonly observers?: number;
  readonly waitForWork?: boolean;
}

class Sim {
  now = 0;
  private seq = 0;
  private queue: Event[] = [];
  readonly validators: Validator[];
  readonly machines: Tendermint<string>[] = [];
  readonly decisions: Map<number, { value: string; round: number; precommits: readonly VoteIn[] }>[] = [];
  readonly evidence: Evidence<string>[][] = [];
  readonly sent: Message[][] = [];
  readonly rounds: number[][] = [];
  /** Per node: the proposal and precommits of every height it decided (what block sync serves a node that is behind). */
  private readonly decisionProofs: Message[][] = [];
  private readonly proposalsSeen: Map<string, ProposalIn<string>>[] = [];
  private readonly relayed: Set<string>[] = [];
  private readonly behaviours: Readonly<Record<number, Behaviour>>;
  private readonly delay: (from: number, to: number, now: number) => number | 'drop';
  readonly heightsToRun: number;

  constructor(options: SimOptions, heights: number) {
    this.heightsToRun = heights;
    this.validators = Array.from({ length: options.validators }, (_, i) => ({ account: `v${i}`, power: 1 }));
    this.behaviours = options.behaviours ?? {};
    this.delay = options.delay ?? (() => 10);
    const total = options.validators + (options.observers ?? 0);
    for (let i = 0; i < total; i++) {
      this.machines.push(
        new Tendermint<string>({ validatorsAt: () => this.validators, self: i < options.validators ? `v${i}` : null, timeouts: TIMEOUTS, waitForWork: options.waitForWork ?? false }),
      );
      this.decisions.push(new Map());
      this.evidence.push([]);
      this.sent.push([]);
      this.rounds.push([]);
      this.decisionProofs.push([]);
      this.proposalsSeen.push(new Map());
      this.relayed.push(new Set());
    }
  }

  start(): void {
    this.machines.forEach((machine, i) => {
      this.apply(i, machine.enterHeight(1));
      this.resend(i);
    });
  }

  private resend(i: number): void {
    this.at(RESEND_MS, () => {
      if (this.decisions.every((decided, k) => this.behaviours[k] !== undefined || decided.size >= this.heightsToRun)) return;
      if (this.behaviour(i).silent !== true) {
        const { proposals, votes } = this.machines[i]!.toResend();
        const again: Message[] = [...proposals.map((proposal) => ({ proposal })), ...votes.map((vote) => ({ vote })), ...this.decisionProofs[i]!];
        for (const message of again) this.send(i, message, undefined, false);
      }
      this.resend(i);
    });
  }

  at(delayMs: number, run: () => void): void {
    this.queue.push({ at: this.now + delayMs, seq: this.seq++, run });
  }

  /** Runs until every node has decided `heights` heights or the clock passes `untilMs`. */
  run(untilMs: number): void {
    while (this.queue.length > 0) {
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.queue.shift()!;
      if (next.at > untilMs) {
        this.queue.unshift(next);
        this.now = untilMs;
        return;
      }
      this.now = next.at;
      next.run();
      if (this.decisions.every((decided, i) => this.behaviours[i] !== undefined || decided.size >= this.heightsToRun)) return;
    }
  }

  private behaviour(i: number): Behaviour {
    return this.behaviours[i] ?? {};
  }

  private send(from: number, message: Message, to?: readonly number[], own = true): void {
    if (own) {
      this.sent[from]!.push(message);
    }
    const targets = to ?? this.machines.map((_, i) => i);
    const key = JSON.stringify(message);
    const fresh = !this.relayed[from]!.has(key);
    this.relayed[from]!.add(key);
    for (const target of targets) {
      if (target === from) {
        if (fresh) this.consume(target, message);
        continue;
      }
      const delay = this.delay(from, target, this.now);
      if (delay === 'drop') continue;
      this.at(delay, () => this.deliver(target, message));
    }
  }

  private deliver(to: number, message: Message): void {
    // Gossip: a node passes on every message the first time it sees it.
    const key = JSON.stringify(message);
    if (this.relayed[to]!.has(key)) return;
    this.relayed[to]!.add(key);
    if (this.behaviour(to).silent !== true) this.send(to, message, undefined, false);
    this.consume(to, message);
  }

  private consume(to: number, message: Message): void {
    const machine = this.machines[to]!;
    if ('proposal' in message) this.proposalsSeen[to]!.set(`${message.proposal.height}/${message.proposal.round}`, message.proposal);
    this.apply(to, 'proposal' in message ? machine.onProposal(message.proposal) : machine.onVote(message.vote));
  }

  apply(i: number, actions: readonly Action<string>[]): void {
    const machine = this.machines[i]!;
    const behaviour = this.behaviour(i);
    const self = `v${i}`;
    for (const action of actions) {
      switch (action.kind) {
        case 'round':
          this.rounds[i]!.push(action.round);
          break;
        case 'build': {
          const value = behaviour.proposesInvalid ? `bad-${action.height}-${action.round}` : `block-${action.height}-${action.round}-${self}`;
          this.at(1, () => this.apply(i, machine.valueBuilt(action.height, action.round, value, value)));
          break;
        }
        case 'judge':
          this.at(1, () => this.apply(i, machine.valueJudged(action.height, action.valueId, !action.valueId.startsWith('bad'))));
          break;
        case 'propose': {
          if (behaviour.silent) break;
          const proposal = (value: string): ProposalIn<string> => ({
            height: action.height,
            round: action.round,
            validRound: action.validRound,
            value,
            valueId: value,
            proposer: self,
            signature: `${self}/${value}`,
          });
          if (behaviour.equivocate) {
            const half = Math.ceil(this.machines.length / 2);
            const all = this.machines.map((_, k) => k);
            this.send(i, { proposal: proposal(`${action.value}-a`) }, all.slice(0, half));
            this.send(i, { proposal: proposal(`${action.value}-b`) }, all.slice(half));
          } else {
            this.send(i, { proposal: proposal(action.value) });
          }
          break;
        }
        case 'vote': {
          if (behaviour.silent) break;
          const vote = (valueId: string | null): VoteIn => ({ ...action, valueId, validator: self, signature: `${self}/${action.type}/${action.round}/${valueId}` });
          this.send(i, { vote: vote(action.valueId) });
          if (behaviour.equivocate) this.send(i, { vote: vote(action.valueId === null ? 'forged' : null) });
          break;
        }
        case 'timeout':
          this.at(action.ms, () => this.apply(i, machine.onTimeout(action.step, action.height, action.round)));
          break;
        case 'decide':
          this.decisions[i]!.set(action.height, { value: action.value, round: action.round, precommits: action.precommits });
          this.decisionProofs[i]!.push({ proposal: this.proposalsSeen[i]!.get(`${action.height}/${action.round}`)! }, ...action.precommits.map((vote) => ({ vote })));
          if (action.height < this.heightsToRun) this.at(5, () => this.apply(i, machine.enterHeight(action.height + 1)));
          break;
        case 'evidence':
          this.evidence[i]!.push(action.evidence);
          break;
      }
    }
  }

  /** Safety: no two nodes decided different values at one height. */
  agreed(): boolean {
    const byHeight = new Map<number, string>();
    for (const decided of this.decisions) {
      for (const [height, { value }] of decided) {
        const other = byHeight.get(height);
        if (other !== undefined && other !== value) return false;
        byHeight.set(height, value);
      }
    }
    return true;
  }
}

function quorumOfPrecommits(sim: Sim, node: number, height: number): boolean {
  const decision = sim.decisions[node]!.get(height)!;
  const signers = new Set(decision.precommits.filter((p) => p.valueId === decision.value && p.round === decision.round).map((p) => p.validator));
  return 3 * signers.size > 2 * sim.validators.length;
}

describe('Tendermint (Algorithm 1) on a simulated network', () => {
  it('four validators and an observer decide the same value at every height, with a quorum certificate', () => {
    const sim = new Sim({ validators: 4, observers: 1 }, 10);
    sim.start();
    sim.run(60_000);
    for (let node = 0; node < 5; node++) {
      expect(sim.decisions[node]!.size).toBe(10);
      for (let height = 1; height <= 10; height++) expect(quorumOfPrecommits(sim, node, height)).toBe(true);
    }
    expect(sim.agreed()).toBe(true);
    // Every height decided in round 0 with the rotating proposer's value, and the observer signed nothing.
    for (let height = 1; height <= 10; height++) {
      const decision = sim.decisions[0]!.get(height)!;
      expect(decision.round).toBe(0);
      expect(decision.value).toBe(`block-${height}-0-${proposerOf(sim.validators, height, 0)}`);
    }
    expect(sim.sent[4]).toEqual([]);
  });

  it('with one validator silent the other three keep deciding; the rounds it should propose move on by timeout', () => {
    const sim = new Sim({ validators: 4, behaviours: { 1: { silent: true } } }, 8);
    sim.start();
    sim.run(120_000);
    for (const node of [0, 2, 3]) expect(sim.decisions[node]!.size).toBe(8);
    expect(sim.agreed()).toBe(true);
    // v1 proposes at heights where (height + round) % 4 === 1: those heights needed round 1.
    const height = 4; // (4 + 0) % 4 = 0, not v1; height 1: (1 + 0) % 4 = 1 is v1's.
    expect(sim.decisions[0]!.get(1)!.round).toBeGreaterThan(0);
    expect(sim.decisions[0]!.get(height)!.round).toBe(0);
  });

  it('with two of four silent nothing is decided, and no one decides differently once one returns', () => {
    let silentUntil = 20_000;
    const silent = new Set([1, 2]);
    const sim = new Sim(
      {
        validators: 4,
        delay: (from, to, now) => {
          if (now < silentUntil && (silent.has(from) || silent.has(to))) return 'drop';
          return 10;
        },
      },
      3,
    );
    sim.start();
    sim.run(20_000);
    expect(sim.decisions.every((decided) => decided.size === 0)).toBe(true);
    // v2 comes back (v1 stays away): three of four is a quorum again.
    silent.delete(2);
    silentUntil = Infinity;
    sim.run(400_000);
    for (const node of [0, 2, 3]) expect(sim.decisions[node]!.size).toBeGreaterThanOrEqual(1);
    expect(sim.agreed()).toBe(true);
  });

  it('a 2|2 partition decides nothing on either side; after healing one chain resumes', () => {
    let healedAt = Infinity;
    const side = (i: number): number => (i < 2 ? 0 : 1);
    const sim = new Sim(
      {
        validators: 4,
        delay: (from, to, now) => (now < healedAt && side(from) !== side(to) ? 'drop' : 10),
      },
      4,
    );
    sim.start();
    sim.run(15_000);
    expect(sim.decisions.every((decided) => decided.size === 0)).toBe(true);
    healedAt = sim.now;
    // Messages sent before healing are lost; rounds move on by timeout until one gets through.
    sim.run(600_000);
    for (let node = 0; node < 4; node++) expect(sim.decisions[node]!.size).toBe(4);
    expect(sim.agreed()).toBe(true);
  });

  it('an equivocating proposer and voter is reported as evidence and causes no fork', () => {
    const sim = new Sim({ validators: 4, behaviours: { 1: { equivocate: true } } }, 6);
    sim.start();
    sim.run(300_000);
    for (const node of [0, 2, 3]) expect(sim.decisions[node]!.size).toBe(6);
    expect(sim.agreed()).toBe(true);
    const reported = sim.evidence.flat();
    expect(reported.some((e) => e.kind === 'duplicate-vote' && e.first.validator === 'v1' && e.second.validator === 'v1')).toBe(true);
    expect(reported.some((e) => e.kind === 'duplicate-proposal' && e.first.proposer === 'v1')).toBe(true);
    for (const e of reported) {
      if (e.kind === 'duplicate-vote') expect(e.first.valueId).not.toBe(e.second.valueId);
    }
  });

  it('an invalid proposal is prevoted nil; the next proposer’s valid value is decided', () => {
    const sim = new Sim({ validators: 4, behaviours: { 1: { proposesInvalid: true } } }, 4);
    sim.start();
    sim.run(200_000);
    for (let node = 0; node < 4; node++) {
      for (const { value } of sim.decisions[node]!.values()) expect(value.startsWith('bad')).toBe(false);
    }
    for (const node of [0, 2, 3]) expect(sim.decisions[node]!.size).toBe(4);
    expect(sim.agreed()).toBe(true);
  });

  it('round timeouts grow with the round', () => {
    const machine = new Tendermint<string>({ validatorsAt: () => [{ account: 'a', power: 1 }, { account: 'b', power: 1 }], self: 'a', timeouts: TIMEOUTS, waitForWork: false });
    // Height 1 round 0's proposer is b ((1 + 0) % 2 = 1), so a waits with a propose timeout.
    const timeouts: number[] = [];
    let actions = machine.enterHeight(1);
    for (let round = 0; round < 4; round++) {
      const propose = actions.find((a) => a.kind === 'timeout' && a.step === 'propose');
      if (propose?.kind === 'timeout') timeouts.push(propose.ms);
      // Skip to the round after next by hearing both validators there.
      const target = round + 2;
      actions = [
        ...machine.onVote({ type: 'prevote', height: 1, round: target, valueId: null, validator: 'b', signature: 'b' }),
      ];
      round = target - 1;
    }
    expect(timeouts.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < timeouts.length; i++) expect(timeouts[i]!).toBeGreaterThan(timeouts[i - 1]!);
  });

  it('a locked validator does not prevote a different value in a later round', () => {
    const validators = ['a', 'b', 'c', 'd'].map((account) => ({ account, power: 1 }));
    // Height 4: round 0's proposer is a ((4 + 0) % 4 = 0).
    const machine = new Tendermint<string>({ validatorsAt: () => validators, self: 'b', timeouts: TIMEOUTS, waitForWork: false });
    machine.enterHeight(4);
    const proposal = (round: number, value: string, validRound = -1): ProposalIn<string> => ({
      height: 4,
      round,
      validRound,
      value,
      valueId: value,
      proposer: proposerOf(validators, 4, round),
      signature: `${round}/${value}`,
    });
    const vote = (type: 'prevote' | 'precommit', round: number, validator: string, valueId: string | null): VoteIn => ({ type, height: 4, round, valueId, validator, signature: `${validator}/${type}/${round}` });
    const votes: Action<string>[] = [];
    const take = (actions: Action<string>[]): void => {
      for (const action of actions) {
        if (action.kind === 'vote') votes.push(action);
        if (action.kind === 'judge') take(machine.valueJudged(4, action.valueId, true));
      }
    };
    take(machine.onProposal(proposal(0, 'x')));
    // b prevotes x; with a and c it is a quorum: b locks on x and precommits it.
    for (const v of ['a', 'b', 'c']) take(machine.onVote(vote('prevote', 0, v, 'x')));
    expect(votes.map((v) => v.kind === 'vote' && `${v.type}:${v.valueId}`)).toEqual(['prevote:x', 'precommit:x']);
    expect(machine.position.lockedRound).toBe(0);
    // Round 0 ends without a decision; round 1's proposer offers y with no valid round.
    take(machine.onTimeout('precommit', 4, 0));
    for (const v of ['a', 'c', 'd']) take(machine.onVote(vote('precommit', 0, v, null)));
    take(machine.onTimeout('precommit', 4, 0));
    expect(machine.position.round).toBe(1);
    take(machine.onProposal(proposal(1, 'y')));
    expect(votes.at(-1)).toMatchObject({ kind: 'vote', type: 'prevote', round: 1, valueId: null });
  });

  it('a value judged untimely gets a nil prevote, yet is locked on, precommitted and decided once a quorum prevoted it', () => {
    const validators = ['a', 'b', 'c', 'd'].map((account) => ({ account, power: 1 }));
    // Height 4: round 0's proposer is a; b's clock is off, so a's value is untimely to b.
    const machine = new Tendermint<string>({ validatorsAt: () => validators, self: 'b', timeouts: TIMEOUTS, waitForWork: false });
    machine.enterHeight(4);
    const seen: Action<string>[] = [];
    const take = (actions: Action<string>[]): void => {
      for (const action of actions) {
        seen.push(action);
        if (action.kind === 'judge') take(machine.valueJudged(4, action.valueId, 'untimely'));
      }
    };
    take(machine.onProposal({ height: 4, round: 0, validRound: -1, value: 'x', valueId: 'x', proposer: 'a', signature: 'a/x' }));
    expect(seen.filter((a) => a.kind === 'vote')).toEqual([expect.objectContaining({ type: 'prevote', valueId: null })]);
    for (const v of ['a', 'c', 'd']) take(machine.onVote({ type: 'prevote', height: 4, round: 0, valueId: 'x', validator: v, signature: `${v}/p` }));
    expect(seen.filter((a) => a.kind === 'vote').at(-1)).toMatchObject({ type: 'precommit', valueId: 'x' });
    expect(machine.position.lockedRound).toBe(0);
    // Its own precommit comes back signed, as the engine passes it in; with a and c, a quorum.
    for (const v of ['b', 'a', 'c']) take(machine.onVote({ type: 'precommit', height: 4, round: 0, valueId: 'x', validator: v, signature: `${v}/c` }));
    expect(seen.at(-1)).toMatchObject({ kind: 'decide', height: 4, valueId: 'x' });
  });

  it('a lock restored by id alone still refuses other values; without the valid block a proposer builds a new one', () => {
    const validators = ['a', 'b', 'c', 'd'].map((account) => ({ account, power: 1 }));
    const machine = new Tendermint<string>({ validatorsAt: () => validators, self: 'b', timeouts: TIMEOUTS, waitForWork: false });
    // Height 4: round 0's proposer is a, round 1's is b.
    const votes: Action<string>[] = [];
    const take = (actions: Action<string>[]): void => {
      for (const action of actions) {
        if (action.kind === 'vote' || action.kind === 'build' || action.kind === 'propose') votes.push(action);
        if (action.kind === 'judge') take(machine.valueJudged(4, action.valueId, true));
      }
    };
    take(machine.enterHeight(4, { locked: { round: 0, valueId: 'x' }, valid: { round: 0, valueId: 'x' } }));
    take(machine.onProposal({ height: 4, round: 0, validRound: -1, value: 'y', valueId: 'y', proposer: 'a', signature: 'a/y' }));
    expect(votes.at(-1)).toMatchObject({ kind: 'vote', type: 'prevote', round: 0, valueId: null });
    // f + 1 at round 1 moves b there; as proposer without the valid block's content it builds.
    take(machine.onVote({ type: 'prevote', height: 4, round: 1, valueId: null, validator: 'c', signature: 'c' }));
    take(machine.onVote({ type: 'prevote', height: 4, round: 1, valueId: null, validator: 'd', signature: 'd' }));
    expect(votes.at(-1)).toMatchObject({ kind: 'build', round: 1 });
    take(machine.valueBuilt(4, 1, 'z', 'z'));
    expect(votes.at(-1)).toMatchObject({ kind: 'propose', round: 1, valueId: 'z', validRound: -1 });
  });

  it('keeps no more than a bounded number of far-future rounds from a faulty validator', () => {
    const validators = ['a', 'b', 'c', 'd'].map((account) => ({ account, power: 1 }));
    const machine = new Tendermint<string>({ validatorsAt: () => validators, self: 'a', timeouts: TIMEOUTS, waitForWork: false });
    machine.enterHeight(1);
    const far = machine.onVote({ type: 'prevote', height: 1, round: MAX_ROUNDS_AHEAD + 5, valueId: null, validator: 'b', signature: 's' });
    expect(far).toEqual([]);
    // And messages from outside the set, or for past heights, do nothing.
    expect(machine.onVote({ type: 'prevote', height: 1, round: 0, valueId: null, validator: 'zz', signature: 's' })).toEqual([]);
    expect(machine.onVote({ type: 'prevote', height: 0, round: 0, valueId: null, validator: 'b', signature: 's' })).toEqual([]);
  });

  it('an idle height starts round 0 only on work or on a message of that height', () => {
    const validators = ['a', 'b', 'c', 'd'].map((account) => ({ account, power: 1 }));
    const machine = new Tendermint<string>({ validatorsAt: () => validators, self: 'a', timeouts: TIMEOUTS, waitForWork: true });
    expect(machine.enterHeight(1)).toEqual([]);
    expect(machine.position.round).toBe(-1);
    const woke = machine.wake();
    expect(woke[0]).toMatchObject({ kind: 'round', height: 1, round: 0 });
    const other = new Tendermint<string>({ validatorsAt: () => validators, self: 'c', timeouts: TIMEOUTS, waitForWork: true });
    other.enterHeight(1);
    const actions = other.onVote({ type: 'prevote', height: 1, round: 0, valueId: null, validator: 'b', signature: 's' });
    expect(actions[0]).toMatchObject({ kind: 'round', height: 1, round: 0 });
  });

  it('safety holds under random delays and drops with one faulty validator of 4, 5 or 7; all decide once delivery is reliable', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom(4, 5, 7),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom<Behaviour | null>(null, { equivocate: true }, { silent: true }, { proposesInvalid: true }),
        (seed, validators, faultyIndex, behaviour) => {
          let state = seed;
          const random = (): number => {
            state = (Math.imul(state, 1103515245) + 12345) >>> 0;
            return state / 2 ** 32;
          };
          const faulty = faultyIndex % validators;
          const stableAt = 30_000;
          const sim = new Sim(
            {
              validators,
              behaviours: behaviour === null ? {} : { [faulty]: behaviour },
              delay: (_from, _to, now) => {
                if (now < stableAt) return random() < 0.3 ? 'drop' : Math.floor(random() * 800);
                return 5 + Math.floor(random() * 50);
              },
            },
            3,
          );
          sim.start();
          sim.run(stableAt);
          sim.run(3_000_000);
          if (!sim.agreed()) throw new Error(`fork (seed ${seed})`);
          const honest = Array.from({ length: validators }, (_, i) => i).filter((i) => behaviour === null || i !== faulty);
          if (!honest.every((i) => sim.decisions[i]!.size === 3)) {
            throw new Error(`stuck (seed ${seed}): ${JSON.stringify(sim.decisions.map((d) => d.size))} ${JSON.stringify(sim.machines.map((m) => m.position))}`);
          }
          for (const i of honest) for (const { value } of sim.decisions[i]!.values()) if (value.startsWith('bad')) throw new Error('an invalid value was decided');
          return true;
        },
      ),
      { numRuns: 60 },
    );
  });
});
