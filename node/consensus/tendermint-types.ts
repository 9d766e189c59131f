import type { Validator, VoteType } from '../../contracts/index.js';

/** The inputs, outputs and settings of the Tendermint state machine (tendermint.ts). */

export type Step = 'propose' | 'prevote' | 'precommit';

export const STEP_RANK: Record<Step, number> = { propose: 0, prevote: 1, precommit: 2 };

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
  /** The validator set that commits each height, in the order that rotates proposers (asked when the height starts). */
  readonly validatorsAt: (height: number) => readonly Validator[];
  /** This node's validator account, or null for an observer (it follows, never signs); at a height whose set leaves it out, it follows too. */
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

export const DEFAULT_MAX_FUTURE_MESSAGES = 4_096;
/** Proposals of the next height kept while this one finishes. */
export const MAX_FUTURE_PROPOSALS = 8;
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

/** Proposer rotation: round-robin over the set in its order, shifted by height and round. */
/** Each validator's power and their total, refusing a set no height can run with. */
export function powersOf(validators: readonly Validator[], height: number): { readonly power: Map<string, bigint>; readonly total: bigint } {
  const power = new Map<string, bigint>();
  for (const validator of validators) {
    if (power.has(validator.account)) throw new Error(`validator ${validator.account} appears twice in the set of height ${height}`);
    if (!Number.isSafeInteger(validator.power) || validator.power < 1) throw new Error(`validator ${validator.account} has no positive power`);
    power.set(validator.account, BigInt(validator.power));
  }
  const total = [...power.values()].reduce((sum, p) => sum + p, 0n);
  if (total === 0n) throw new Error(`the validator set of height ${height} is empty`);
  return { power, total };
}

export function proposerOf(validators: readonly Validator[], height: number, round: number): string {
  if (validators.length === 0) throw new RangeError('an empty validator set has no proposer');
  return validators[(height + round) % validators.length]!.account;
}
