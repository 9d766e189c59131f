import type { ConnectionGater, PeerId } from '@libp2p/interface';
import type { PenaltyOptions } from './host-api.js';

/**
 * The host's memory of misbehaving peers: every gossip message the node rejects is a strike
 * against the peer that sent it; `rejectThreshold` strikes within `windowMs` ban the peer for
 * `banMs`. A banned peer is refused by the connection gater on both sides of the handshake
 * (we do not dial it, and its inbound connections are dropped once Noise has told us who it
 * is), so hanging up on it is enough to keep it out until the ban ends.
 *
 * Pure bookkeeping with an injected clock: the host decides when to hang up.
 */

const DEFAULT_REJECT_THRESHOLD = 5;
const DEFAULT_WINDOW_MS = 60_000;
const DEFAULT_BAN_MS = 10 * 60_000;
/** Past this many peers with strikes, expired ones are swept on the next strike. */
const SWEEP_AT = 1024;

export class PeerPenalties {
  readonly rejectThreshold: number;
  readonly windowMs: number;
  readonly banMs: number;
  /** Strike times per peer, oldest first, all within the window when last looked at. */
  private readonly strikes = new Map<string, number[]>();
  /** Ban end per peer. */
  private readonly bans = new Map<string, number>();
  private banCount = 0;
  private refusals = 0;

  constructor(
    options: PenaltyOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.rejectThreshold = positiveInteger(options.rejectThreshold ?? DEFAULT_REJECT_THRESHOLD, 'rejectThreshold');
    this.windowMs = positiveInteger(options.windowMs ?? DEFAULT_WINDOW_MS, 'windowMs');
    this.banMs = positiveInteger(options.banMs ?? DEFAULT_BAN_MS, 'banMs');
  }

  /** Records a rejected message from `peerId`; true when this strike bans it. */
  strike(peerId: string): boolean {
    if (this.isBanned(peerId)) return false;
    const now = this.now();
    if (this.strikes.size > SWEEP_AT) this.sweep(now);
    const times = this.recent(peerId, now);
    times.push(now);
    this.strikes.set(peerId, times);
    if (times.length < this.rejectThreshold) return false;
    this.strikes.delete(peerId);
    this.bans.set(peerId, now + this.banMs);
    this.banCount += 1;
    return true;
  }

  /** Strikes against `peerId` within the window. */
  strikeCount(peerId: string): number {
    return this.recent(peerId, this.now()).length;
  }

  isBanned(peerId: string): boolean {
    return this.banRemainingMs(peerId) > 0;
  }

  /** Milliseconds until the ban on `peerId` ends; 0 when it is not banned. */
  banRemainingMs(peerId: string): number {
    const until = this.bans.get(peerId);
    if (until === undefined) return 0;
    const remaining = until - this.now();
    if (remaining > 0) return remaining;
    this.bans.delete(peerId);
    return 0;
  }

  /** Bans so far (a peer banned twice counts twice). */
  get totalBans(): number {
    return this.banCount;
  }

  /** Connections and dials the gater refused. */
  get totalRefusals(): number {
    return this.refusals;
  }

  /** The libp2p connection gater that keeps banned peers out. */
  connectionGater(): ConnectionGater {
    const denied = (peerId: PeerId): boolean => {
      const banned = this.isBanned(peerId.toString());
      if (banned) this.refusals += 1;
      return banned;
    };
    return {
      denyDialPeer: denied,
      denyInboundEncryptedConnection: denied,
      denyOutboundEncryptedConnection: denied,
    };
  }

  private recent(peerId: string, now: number): number[] {
    const times = this.strikes.get(peerId) ?? [];
    const fresh = times.filter((time) => now - time < this.windowMs);
    if (fresh.length === 0) this.strikes.delete(peerId);
    return fresh;
  }

  private sweep(now: number): void {
    for (const peerId of [...this.strikes.keys()]) this.recent(peerId, now);
    for (const peerId of [...this.bans.keys()]) this.banRemainingMs(peerId);
  }
}

export function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}
