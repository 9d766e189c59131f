import { describe, expect, it } from 'vitest';
import { type ConsensusObserver, ConsensusWatch, type MachinePosition } from './consensus-observer.js';

/** A watch on a hand-moved clock, with every observer call written down. */
function watched() {
  let now = 0;
  const calls: string[] = [];
  const observer: ConsensusObserver = {
    roundStarted: (h, r, p) => calls.push(`round ${h}/${r} ${p}`),
    stepEnded: (step, ms) => calls.push(`${step} ${ms}ms`),
    decided: (h, r) => calls.push(`decided ${h}/${r}`),
    proposalMissed: (h, r, p) => calls.push(`missed ${h}/${r} ${p}`),
  };
  const watch = new ConsensusWatch(observer, () => now);
  return { watch, calls, tick: (ms: number) => (now += ms) };
}

const at = (height: number, round: number, step: string, decided = false): MachinePosition => ({ height, round, step, decided });

describe('the consensus watch', () => {
  it('times each step of a round until the height is decided, not the idle wait before round 0', () => {
    const { watch, calls, tick } = watched();
    watch.moved(at(5, -1, 'propose'));
    tick(1_000);
    watch.moved(at(5, 0, 'propose'));
    tick(30);
    watch.moved(at(5, 0, 'propose')); // no change: nothing
    tick(20);
    watch.moved(at(5, 0, 'prevote'));
    tick(10);
    watch.moved(at(5, 0, 'precommit'));
    tick(5);
    watch.moved(at(5, 0, 'precommit', true));
    watch.decided(5, 0);
    tick(500);
    watch.moved(at(6, 0, 'propose'));
    expect(calls).toEqual(['propose 50ms', 'prevote 10ms', 'precommit 5ms', 'decided 5/0']);
  });

  it('counts a step passed within one input as taking no time', () => {
    const { watch, calls, tick } = watched();
    watch.moved(at(5, 0, 'propose'));
    tick(70);
    watch.moved(at(5, 0, 'precommit'));
    expect(calls).toEqual(['propose 70ms', 'prevote 0ms']);
  });

  it('counts a missed proposal when the propose timeout fires with nothing heard from the proposer', () => {
    const { watch, calls } = watched();
    watch.moved(at(7, 0, 'propose'));
    watch.roundStarted(7, 0, 'alice');
    watch.proposeTimedOut(7, 0, at(7, 0, 'propose'));
    expect(calls).toEqual(['round 7/0 alice', 'missed 7/0 alice']);
  });

  it('counts none when the proposal was heard, or the machine had moved on', () => {
    const { watch, calls } = watched();
    watch.moved(at(7, 1, 'propose'));
    watch.roundStarted(7, 1, 'bob');
    watch.proposalHeard(7, 1);
    watch.proposeTimedOut(7, 1, at(7, 1, 'propose'));
    watch.roundStarted(7, 2, 'carol');
    watch.proposeTimedOut(7, 2, at(7, 2, 'prevote'));
    watch.proposeTimedOut(7, 2, at(8, 0, 'propose'));
    expect(calls.filter((call) => call.startsWith('missed'))).toEqual([]);
  });

  it('does nothing without an observer', () => {
    const watch = new ConsensusWatch(undefined);
    watch.moved(at(1, 0, 'propose'));
    watch.roundStarted(1, 0, 'alice');
    watch.proposeTimedOut(1, 0, at(1, 0, 'propose'));
    watch.decided(1, 0);
  });
});
