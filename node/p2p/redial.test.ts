import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Redialer, type RedialerInit } from './redial.js';

const PEER = 'peer-b';
const ADDRESS = '/ip4/127.0.0.1/tcp/1/p2p/peer-b';

/** A redialer whose dials fail unless `accept` is set; records when each dial was made. */
function harness(overrides: Partial<RedialerInit> = {}) {
  const state = { connected: false, accept: false, banMs: 0, dials: [] as number[], aborted: 0 };
  const start = Date.now();
  const redialer: Redialer = new Redialer({
    dial: async (_address, signal) => {
      state.dials.push(Date.now() - start);
      signal.addEventListener('abort', () => {
        state.aborted += 1;
      });
      if (!state.accept) throw new Error('connection refused');
      state.connected = true;
      redialer.connected(PEER);
    },
    isConnected: () => state.connected,
    banRemainingMs: () => state.banMs,
    initialDelayMs: 250,
    maxDelayMs: 2_000,
    ...overrides,
  });
  redialer.add(PEER, ADDRESS);
  const disconnect = (): void => {
    state.connected = false;
    redialer.disconnected(PEER);
  };
  return { state, redialer, disconnect };
}

describe('redialer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('dials at start, then backs off from 250 ms, doubling up to the cap', async () => {
    const { state, redialer } = harness();
    redialer.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.dials.slice(0, 7)).toEqual([0, 250, 750, 1_750, 3_750, 5_750, 7_750]);
    redialer.stop();
  });

  it('resets the backoff after a connection that lasted, not after one that closed at once', async () => {
    const { state, redialer, disconnect } = harness();
    redialer.start();
    await vi.advanceTimersByTimeAsync(800);
    expect(state.dials).toEqual([0, 250, 750]);
    state.accept = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(state.dials).toEqual([0, 250, 750, 1_750]);

    // Connected at 1 750, closed at 1 850: the next dial waits the grown delay (2 s), not 250 ms.
    await vi.advanceTimersByTimeAsync(50);
    disconnect();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(state.dials).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.dials).toEqual([0, 250, 750, 1_750, 3_850]);

    // Connected at 3 850 and up for longer than the cap: back to 250 ms.
    await vi.advanceTimersByTimeAsync(5_000);
    disconnect();
    await vi.advanceTimersByTimeAsync(250);
    expect(state.dials).toEqual([0, 250, 750, 1_750, 3_850, 9_100]);
    redialer.stop();
  });

  it('waits out a ban, and stop() cancels the timer and the dial in flight', async () => {
    let finishDial = (): void => undefined;
    const { state, redialer } = harness({
      dial: async (_address, signal) => {
        state.dials.push(Date.now());
        signal.addEventListener('abort', () => {
          state.aborted += 1;
          finishDial();
        });
        await new Promise<void>((resolve) => {
          finishDial = resolve;
        });
      },
    });
    state.banMs = 3_000;
    redialer.start();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(state.dials).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.dials).toHaveLength(1);
    redialer.stop();
    expect(state.aborted).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(state.dials).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
