import { healthReasons, MAX_INDEX_LAG, type NodeProgress } from '../../node/ledger/node-health.js';
import type { IndexView, NodeView } from './sources.js';

/** An index further behind the node than this many blocks makes the node degraded. */
export { MAX_INDEX_LAG };

/** What `GET /healthz` answers. */
export interface Health {
  readonly status: 'ok' | 'degraded' | 'stopping';
  readonly chainId: string;
  readonly height: number;
  readonly indexHeight: number;
  readonly indexLag: number;
  readonly peers: number;
  readonly mempool: number;
  readonly role: 'validator' | 'observer';
  /** Why the status is not ok, in plain words. */
  readonly reasons?: readonly string[];
}

export interface HealthState {
  /** The process is shutting down. */
  readonly stopping: boolean;
  /** The node hit a fault it cannot go on from and makes no more blocks. */
  readonly nodeFailed: boolean;
  /** The node's progress (node-monitor.ts): with it, a stalled node is degraded too. */
  readonly progress?: NodeProgress;
  /** Now, in seconds since the Unix epoch (tests set it). */
  readonly now?: number;
}

/**
 * The node's health now: ok, degraded, or stopping. Degraded for the reasons `lendnet status`
 * gives (node-health.ts, one verdict for both): a fault, a stall, too few peers, an index that
 * failed or lags.
 */
export function readHealth(node: NodeView, index: IndexView, state: HealthState): Health {
  const head = node.status();
  const network = node.networkStatus();
  const indexLag = index.lag();
  const indexFault = index.failed();
  const reasons: string[] = [];
  if (state.stopping) reasons.push('the node is shutting down');
  // The fault is known here as soon as the node reports it, with or without its message.
  if (state.nodeFailed && state.progress?.fault === undefined) reasons.push('the node stopped making blocks after a fault');
  reasons.push(
    ...healthReasons({
      now: state.now ?? Date.now() / 1000,
      running: true,
      height: head.height,
      mempoolSize: head.mempoolSize,
      ...(state.progress ? { progress: state.progress } : {}),
      ...(network ? { network } : {}),
      index: { height: index.indexedHeight(), lag: indexLag, ...(indexFault !== undefined ? { fault: String(indexFault) } : {}) },
    }),
  );
  const status = state.stopping ? 'stopping' : reasons.length > 0 ? 'degraded' : 'ok';
  return {
    status,
    chainId: node.chainId,
    height: head.height,
    indexHeight: index.indexedHeight(),
    indexLag,
    peers: network?.peers ?? 0,
    mempool: head.mempoolSize,
    // A single-validator devnet's node is its one validator.
    role: network?.role ?? 'validator',
    ...(reasons.length > 0 ? { reasons } : {}),
  };
}

/** Load balancers and supervisors read the code: 200 only when the node is fully ok. */
export function healthStatusCode(health: Health): number {
  return health.status === 'ok' ? 200 : 503;
}
