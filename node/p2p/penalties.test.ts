import { peerIdFromString } from '@libp2p/peer-id';
import { describe, expect, it } from 'vitest';
import { PeerPenalties } from './penalties.js';

const PEER = '12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5';

function clocked(options: ConstructorParameters<typeof PeerPenalties>[0]) {
  const clock = { now: 1_000_000 };
  return { clock, penalties: new PeerPenalties(options, () => clock.now) };
}

describe('peer penalties', () => {
  it('bans a peer at the threshold of strikes within the window, for the ban period', async () => {
    const { clock, penalties } = clocked({ rejectThreshold: 3, windowMs: 1_000, banMs: 5_000 });
    expect(penalties.strike(PEER)).toBe(false);
    clock.now += 600;
    expect(penalties.strike(PEER)).toBe(false);
    expect(penalties.strikeCount(PEER)).toBe(2);
    clock.now += 600;
    // The first strike has left the window.
    expect(penalties.strike(PEER)).toBe(false);
    expect(penalties.strikeCount(PEER)).toBe(2);
    expect(penalties.strike(PEER)).toBe(true);
    expect(penalties.isBanned(PEER)).toBe(true);
    expect(penalties.totalBans).toBe(1);

    const gater = penalties.connectionGater();
    const peerId = peerIdFromString(PEER);
    expect(await gater.denyDialPeer?.(peerId)).toBe(true);
    expect(penalties.totalRefusals).toBe(1);

    clock.now += 4_999;
    expect(penalties.banRemainingMs(PEER)).toBe(1);
    clock.now += 1;
    expect(penalties.isBanned(PEER)).toBe(false);
    expect(await gater.denyDialPeer?.(peerId)).toBe(false);
    // A ban wipes the strikes: the peer starts afresh.
    expect(penalties.strikeCount(PEER)).toBe(0);
  });

  it('refuses nonsensical options', () => {
    expect(() => new PeerPenalties({ rejectThreshold: 0 })).toThrow(RangeError);
    expect(() => new PeerPenalties({ banMs: 1.5 })).toThrow(RangeError);
  });
});
