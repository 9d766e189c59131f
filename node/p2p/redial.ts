import type { P2pLogger } from './host-api.js';
import { positiveInteger } from './penalties.js';

/**
 * Keeps the host connected to its persistent peers (the bootstrap list and addPersistentPeer):
 * each is dialled at start and, whenever it is not connected, again after a delay that starts
 * at `initialDelayMs` and doubles with every failed dial up to `maxDelayMs`. A peer that
 * restarts on the same address is therefore found again within `maxDelayMs` of coming back.
 *
 * - A connection that lasted at least `maxDelayMs` resets the delay; one that closed sooner
 *   does not, so a peer that accepts and hangs up at once is not dialled in a tight loop.
 * - A peer this host has banned is not dialled before its ban ends.
 * - stop() clears every timer and aborts the dials in flight.
 */

const DEFAULT_INITIAL_DELAY_MS = 250;
const DEFAULT_MAX_DELAY_MS = 10_000;

export interface RedialerInit {
  /** Opens a connection to the address (which ends in /p2p/<peerId>). */
  readonly dial: (multiaddr: string, signal: AbortSignal) => Promise<void>;
  readonly isConnected: (peerId: string) => boolean;
  readonly banRemainingMs: (peerId: string) => number;
  readonly initialDelayMs?: number | undefined;
  readonly maxDelayMs?: number | undefined;
  /** Called before each dial (for counters). */
  readonly onDial?: () => void;
  readonly logger?: P2pLogger | undefined;
}

interface PersistentPeer {
  readonly peerId: string;
  multiaddr: string;
  /** The delay before the next dial after a failure or a disconnection. */
  delayMs: number;
  timer: NodeJS.Timeout | undefined;
  dialing: AbortController | undefined;
  connectedAt: number | undefined;
}

export class Redialer {
  private readonly peers = new Map<string, PersistentPeer>();
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private running = false;

  constructor(private readonly init: RedialerInit) {
    this.initialDelayMs = positiveInteger(init.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS, 'initialDelayMs');
    this.maxDelayMs = positiveInteger(init.maxDelayMs ?? DEFAULT_MAX_DELAY_MS, 'maxDelayMs');
  }

  /** Adds (or readdresses) a persistent peer; a running redialer dials it at once. */
  add(peerId: string, multiaddr: string): void {
    const known = this.peers.get(peerId);
    if (known !== undefined) {
      known.multiaddr = multiaddr;
      return;
    }
    const peer: PersistentPeer = {
      peerId,
      multiaddr,
      delayMs: this.initialDelayMs,
      timer: undefined,
      dialing: undefined,
      connectedAt: undefined,
    };
    this.peers.set(peerId, peer);
    if (this.running) this.schedule(peer, 0);
  }

  has(peerId: string): boolean {
    return this.peers.has(peerId);
  }

  start(): void {
    this.running = true;
    for (const peer of this.peers.values()) this.schedule(peer, 0);
  }

  stop(): void {
    this.running = false;
    for (const peer of this.peers.values()) {
      clearTimeout(peer.timer);
      peer.timer = undefined;
      peer.dialing?.abort();
    }
  }

  /** The host connected to `peerId` (either side dialled). */
  connected(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (peer === undefined) return;
    clearTimeout(peer.timer);
    peer.timer = undefined;
    peer.connectedAt = Date.now();
  }

  /** The host's last connection to `peerId` closed. */
  disconnected(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (peer === undefined) return;
    if (peer.connectedAt !== undefined && Date.now() - peer.connectedAt >= this.maxDelayMs) {
      peer.delayMs = this.initialDelayMs;
    }
    peer.connectedAt = undefined;
    this.schedule(peer, this.nextDelay(peer));
  }

  private nextDelay(peer: PersistentPeer): number {
    const delay = peer.delayMs;
    peer.delayMs = Math.min(delay * 2, this.maxDelayMs);
    return delay;
  }

  private schedule(peer: PersistentPeer, delayMs: number): void {
    if (!this.running || peer.timer !== undefined || peer.dialing !== undefined) return;
    const delay = Math.max(delayMs, this.init.banRemainingMs(peer.peerId));
    peer.timer = setTimeout(() => {
      peer.timer = undefined;
      void this.attempt(peer);
    }, delay);
  }

  private async attempt(peer: PersistentPeer): Promise<void> {
    if (!this.running || this.init.isConnected(peer.peerId)) return;
    const dialing = new AbortController();
    peer.dialing = dialing;
    this.init.onDial?.();
    try {
      await this.init.dial(peer.multiaddr, dialing.signal);
    } catch (error) {
      this.init.logger?.debug({ err: error, peer: peer.peerId, delayMs: peer.delayMs }, 'p2p: redial failed');
    } finally {
      peer.dialing = undefined;
    }
    if (this.running && !this.init.isConnected(peer.peerId)) this.schedule(peer, this.nextDelay(peer));
  }
}
