import type { Validator } from '../../contracts/index.js';
import type { NodeConfig } from '../home/config.js';

/**
 * Whether a node is healthy, and why not, in plain words with figures. `lendnet status` judges
 * the figures a running node writes to its status file; `/healthz` judges the same figures
 * read live. Both call `healthReasons`, so they never disagree on what counts as unhealthy.
 */

/** An index further behind the node than this many blocks makes the node unhealthy. */
export const MAX_INDEX_LAG = 10;
/** A status file older than this (the node rewrites it every 2 s) means the node is hung. */
export const MAX_STATUS_AGE_SECONDS = 15;
/** The shortest wait before a node with work to do and no new block counts as stalled. */
const MIN_STALL_SECONDS = 10;

/** How a running node is getting on, beyond its head: written with its status and read by /healthz. */
export interface NodeProgress {
  /** When this process started its node, in seconds since the Unix epoch. */
  readonly startedAt: number;
  /** When this process last committed a block (built, decided or synced), in seconds since the Unix epoch. */
  readonly lastCommitAt?: number;
  /** Seconds with work to do and no new block after which the node counts as stalled. */
  readonly stallAfterSeconds: number;
  /** Whether the node makes blocks with no transactions (then a block is always due). */
  readonly emptyBlocks: boolean;
  /** Why the node stopped making blocks, if a fault stopped it. */
  readonly fault?: string;
  /** The node's index, when one follows it in the same process. */
  readonly index?: IndexFigures;
}

/** Where the node's index stands. */
export interface IndexFigures {
  readonly height: number;
  readonly lag: number;
  /** Why the index stopped following the chain, if it did. */
  readonly fault?: string;
}

/** On a network: the node's role, its peers, how many it needs, and where consensus is. */
export interface NetworkFigures {
  readonly role: 'validator' | 'observer';
  readonly peers: number;
  /** Peers this node needs connected to make progress (see `peersForQuorum`). */
  readonly peersNeeded?: number;
  readonly consensus?: { readonly height: number; readonly round: number; readonly step: string };
}

/** Everything the verdict is drawn from. */
export interface HealthFigures {
  /** Now, in seconds since the Unix epoch. */
  readonly now: number;
  /** Whether the node's process is alive. */
  readonly running: boolean;
  /** When the figures were written (the status file); absent when read live. */
  readonly updatedAt?: number;
  readonly height: number;
  readonly mempoolSize: number;
  /** Absent: the node's progress is not known, so it is not judged (nor the index unless given below). */
  readonly progress?: NodeProgress;
  readonly network?: NetworkFigures;
  readonly index?: IndexFigures;
}

/**
 * How long with work and no block before a node counts as stalled: the block interval plus
 * four rounds' worth of timeouts. A height normally ends in its first round; four rounds
 * without a block mean the validators cannot agree (or cannot hear each other).
 */
export function stallAfterSeconds(config: Pick<NodeConfig, 'blockIntervalMs' | 'consensus'>, networked: boolean): number {
  const round = networked ? (config.consensus ? config.consensus.proposeMs + 2 * config.consensus.voteMs : 5_000) : 0;
  return Math.max(MIN_STALL_SECONDS, Math.ceil((config.blockIntervalMs + 4 * round) / 1000));
}

/**
 * Peers a node needs connected to make progress. A validator: the fewest other validators
 * whose power, with its own, is more than 2/3 of the total (the largest first, since peers are
 * not known by validator here, so this is the least it could need). An observer: one, to
 * hear blocks from. Peers also count observers, so enough peers is necessary, not sufficient.
 */
export function peersForQuorum(validators: readonly Validator[], self: string | null): number {
  const total = validators.reduce((sum, v) => sum + BigInt(v.power), 0n);
  const own = validators.find((v) => v.account === self);
  if (!own) return validators.length > 0 ? 1 : 0;
  let power = BigInt(own.power);
  let needed = 0;
  const others = validators.filter((v) => v !== own).sort((a, b) => b.power - a.power);
  for (const other of others) {
    if (3n * power > 2n * total) break;
    power += BigInt(other.power);
    needed += 1;
  }
  return needed;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Why the node is unhealthy, in plain words; empty when it is healthy. */
export function healthReasons(figures: HealthFigures): string[] {
  const { now, progress, network } = figures;
  if (!figures.running) {
    const seen = figures.updatedAt !== undefined ? ` (last seen ${new Date(figures.updatedAt * 1000).toISOString()})` : '';
    return [`the node is not running${seen}`];
  }
  const reasons: string[] = [];
  if (progress?.fault !== undefined) reasons.push(`the node stopped making blocks after a fault: ${progress.fault}`);
  if (figures.updatedAt !== undefined && now - figures.updatedAt > MAX_STATUS_AGE_SECONDS) {
    reasons.push(`the node has not written its status for ${Math.floor(now - figures.updatedAt)} s (it may be hung)`);
  }
  if (progress) {
    const quiet = Math.floor(now - (progress.lastCommitAt ?? progress.startedAt));
    const round = network?.consensus?.round ?? -1;
    // An idle chain without empty blocks has nothing to commit: a quiet node is not stalled then.
    const due = progress.emptyBlocks || figures.mempoolSize > 0 || round >= 0;
    if (due && quiet > progress.stallAfterSeconds) reasons.push(stallReason(quiet, progress.lastCommitAt === undefined, figures));
  }
  if (network?.peersNeeded !== undefined && network.peers < network.peersNeeded) {
    reasons.push(
      network.role === 'validator'
        ? `connected to ${plural(network.peers, 'peer')}; it takes ${network.peersNeeded} to reach more than 2/3 of the validators' power together with this node`
        : `connected to ${plural(network.peers, 'peer')}; an observer needs ${network.peersNeeded} to follow the chain`,
    );
  }
  const index = figures.index ?? progress?.index;
  if (index?.fault !== undefined) reasons.push('the index stopped following the chain (run lendnet reindex)');
  if (index && index.lag > MAX_INDEX_LAG) reasons.push(`the index is ${index.lag} blocks behind the ledger`);
  return reasons;
}

function stallReason(quiet: number, sinceStart: boolean, figures: HealthFigures): string {
  const { network } = figures;
  const since = sinceStart ? `no block committed in the ${quiet} s since the node started` : `no block committed for ${quiet} s`;
  if (!network) return `${since} with ${plural(figures.mempoolSize, 'transaction')} waiting`;
  const at = network.consensus ? `, consensus stuck at height ${network.consensus.height}, round ${network.consensus.round} (${network.consensus.step})` : '';
  return `stalled: ${since}${at}, with ${plural(network.peers, 'peer')} connected`;
}

/** The one-line verdict: `healthy`, or `unhealthy: <reason>; <reason>`. */
export function verdictLine(reasons: readonly string[]): string {
  return reasons.length === 0 ? 'healthy' : `unhealthy: ${reasons.join('; ')}`;
}
