import type { IndexView, NodeView } from './sources.js';

/** An index further behind the node than this many blocks makes the node degraded. */
export const MAX_INDEX_LAG = 10;

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
}

/** The node's health now: ok, degraded (the node or the index failed, or the index lags), or stopping. */
export function readHealth(node: NodeView, index: IndexView, state: HealthState): Health {
  const head = node.status();
  const network = node.networkStatus();
  const indexLag = index.lag();
  const reasons: string[] = [];
  if (state.stopping) reasons.push('the node is shutting down');
  if (state.nodeFailed) reasons.push('the node stopped making blocks after a fault');
  if (index.failed() !== undefined) reasons.push('the index stopped following the chain (run lendnet reindex)');
  if (indexLag > MAX_INDEX_LAG) reasons.push(`the index is ${indexLag} blocks behind the ledger`);
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
