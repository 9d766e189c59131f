import { performance } from 'node:perf_hooks';

/**
 * What the consensus engine tells whoever watches it (the node's metrics). Every call is
 * optional and made synchronously; a watcher must not throw or block.
 */
export interface ConsensusObserver {
  /** A round began; `proposer` is the validator expected to propose in it. */
  roundStarted?(height: number, round: number, proposer: string): void;
  /** The machine left a step of a round (propose, prevote, precommit) after `ms` in it. */
  stepEnded?(step: string, ms: number): void;
  /** A height was decided in `round`, so it took round + 1 rounds. */
  decided?(height: number, round: number): void;
  /** The propose timeout fired with no proposal heard from the round's proposer. */
  proposalMissed?(height: number, round: number, proposer: string): void;
}

/** A round's steps, in order. */
const STEPS = ['propose', 'prevote', 'precommit'];

/** Where the machine stands, as the engine reads it after every input. */
export interface MachinePosition {
  readonly height: number;
  readonly round: number;
  readonly step: string;
  readonly decided: boolean;
}

/**
 * Turns what the engine sees into observer calls: step times from the machine's position
 * after each input, and missed proposals from the rounds' proposers, the proposals heard and
 * the propose timeouts. Without an observer it does nothing.
 */
export class ConsensusWatch {
  private at: (MachinePosition & { readonly since: number }) | undefined;
  /** Proposers and proposals heard, by `height/round`, for the current height and the next. */
  private readonly proposers = new Map<string, string>();
  private readonly heard = new Set<string>();

  constructor(
    private readonly observer: ConsensusObserver | undefined,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** The machine's position after an input: a step left is timed (idle heights and decided ones are not steps). */
  moved(position: MachinePosition): void {
    if (!this.observer) return;
    const at = this.at;
    if (at && at.height === position.height && at.round === position.round && at.step === position.step && at.decided === position.decided) return;
    const now = this.clock();
    if (at && at.round >= 0 && !at.decided) {
      this.observer.stepEnded?.(at.step, now - at.since);
      // One input may carry the machine through a step (a late proposal with the prevotes already
      // in): that step took no time, but it was passed, and each height counts in every step.
      if (at.height === position.height && at.round === position.round) {
        for (let rank = STEPS.indexOf(at.step) + 1; rank > 0 && rank < STEPS.indexOf(position.step); rank++) this.observer.stepEnded?.(STEPS[rank]!, 0);
      }
    }
    this.at = { height: position.height, round: position.round, step: position.step, decided: position.decided, since: now };
    if (at && at.height !== position.height) this.forgetBelow(position.height);
  }

  roundStarted(height: number, round: number, proposer: string): void {
    if (!this.observer) return;
    this.proposers.set(`${height}/${round}`, proposer);
    this.observer.roundStarted?.(height, round, proposer);
  }

  /** A proposal for this height and round arrived (valid or not, it was not missed). */
  proposalHeard(height: number, round: number): void {
    if (this.observer && this.heard.size < 10_000) this.heard.add(`${height}/${round}`);
  }

  /** The propose timeout of a round fired: missed if the machine still waits in that round's propose step with nothing heard. */
  proposeTimedOut(height: number, round: number, position: MachinePosition): void {
    const key = `${height}/${round}`;
    const proposer = this.proposers.get(key);
    if (!this.observer || proposer === undefined || this.heard.has(key)) return;
    if (position.height !== height || position.round !== round || position.step !== 'propose' || position.decided) return;
    this.observer.proposalMissed?.(height, round, proposer);
  }

  decided(height: number, round: number): void {
    this.observer?.decided?.(height, round);
  }

  private forgetBelow(height: number): void {
    const below = (key: string) => Number(key.slice(0, key.indexOf('/'))) < height;
    for (const key of [...this.proposers.keys()]) if (below(key)) this.proposers.delete(key);
    for (const key of [...this.heard]) if (below(key)) this.heard.delete(key);
  }
}
