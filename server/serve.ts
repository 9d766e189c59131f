import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Home } from '../node/home/home.js';
import { runNode } from '../node/ledger/run.js';
import { removeApiAddress, writeApiAddress } from '../node/home/api-address.js';
import { writeBackup } from '../node/home/backup.js';
import { createApiHandler } from './api/handler.js';
import { openDatabase } from './db/database.js';
import { readHealth } from './http/health.js';
import { createRateLimiter, DEFAULT_RATE_LIMIT } from './http/rate-limit.js';
import { type Host, startHost } from './http/host.js';
import { createMetrics } from './http/metrics.js';
import { startWeb } from './http/web.js';
import { Projector } from './index/projector.js';

export interface ServeOptions {
  readonly home: Home;
  readonly host: string;
  readonly port: number;
  /** The web app, in Next's production or dev mode; false: node, index and API only. */
  readonly web: false | { readonly dev: boolean };
  /** On a network: follow and verify the chain, never propose or vote (`lendnet start --observer`). */
  readonly observer?: boolean;
  /** A Postgres server for the index; absent: embedded PGlite in the home's `index` folder. */
  readonly databaseUrl?: string;
  /** The secret operator API calls must carry. Never logged. */
  readonly adminToken: string;
  readonly log: Logger;
}

/** A node's whole product running in this process. */
export interface Serving {
  readonly url: string;
  /** Resolves if the node hits a fault it cannot go on from; it keeps serving reads, degraded. */
  readonly failed: Promise<unknown>;
  /** The shutdown: HTTP, then the node, the projector, the index database and the store. */
  stop(): Promise<void>;
}

/**
 * Starts everything a node runs, in one process: the ledger node, the projector that keeps its
 * index, the tRPC API, the web app and the HTTP server in front of them. If a part fails to
 * start, the parts already started are stopped again, in reverse order.
 */
export async function serve(options: ServeOptions): Promise<Serving> {
  const { home, log } = options;
  const started: (() => Promise<void>)[] = [];
  const undo = async () => {
    for (const stop of started.reverse()) await stop().catch((error: unknown) => log.error({ err: error }, 'could not stop a part after a failed start'));
  };
  try {
    // The index database first: a node whose index cannot open does not start making blocks.
    const db = await openDatabase(options.databaseUrl ? { url: options.databaseUrl } : { dataDir: join(home.dir, 'index') });
    started.push(() => db.close());
    log.info({ kind: db.kind, location: db.location }, 'index database open');

    const running = await runNode(home, log, { observer: options.observer === true });
    started.push(() => running.stop());
    const { node } = running;
    let nodeFailed = false;
    void running.failed.then(() => (nodeFailed = true));

    const projector = await Projector.start({ db, node, log: log.child({ part: 'index' }) });
    started.push(() => projector.stop());
    log.info({ indexHeight: projector.indexedHeight(), lag: projector.lag() }, 'index following the chain');

    const apiLog = log.child({ part: 'api' });
    const api = createApiHandler({
      node,
      db,
      projector,
      adminToken: options.adminToken,
      log: (level, message, fields) => apiLog[level](fields ?? {}, message),
      // A backup of the running node: a snapshot of the store it goes on committing to.
      backup: (path) => writeBackup({ home: home.dir, store: running.store, out: path, chainId: node.chainId }),
    });
    running.monitor.followIndex(projector);
    const metrics = createMetrics(node, projector, { monitor: running.monitor });
    started.push(async () => metrics.close());

    const web = options.web ? await startWeb({ dev: options.web.dev, hostname: options.host, port: options.port }) : undefined;
    if (web) started.push(() => web.close());

    const host: Host = await startHost({
      host: options.host,
      port: options.port,
      health: (stopping) => readHealth(node, projector, { stopping, nodeFailed, progress: running.monitor.progress() }),
      metrics,
      api,
      ...(web ? { web } : {}),
      log: log.child({ part: 'http' }),
      rateLimit: createRateLimiter(home.config.api ? { perMinute: home.config.api.requestsPerMinutePerIp, burst: home.config.api.burstPerIp } : DEFAULT_RATE_LIMIT),
      ...(home.config.api?.corsOrigins ? { corsOrigins: home.config.api.corsOrigins } : {}),
    });
    // Where `lendnet backup` finds the API of this running node.
    await writeApiAddress(home.dir, host.url).catch((error: unknown) => log.warn({ err: error }, 'could not write api.json: lendnet backup cannot reach this node'));
    log.info({ url: host.url, api: `${host.url}/api/trpc`, web: options.web ? (options.web.dev ? 'dev' : 'production') : 'off' }, 'serving');

    let stopped: Promise<void> | undefined;
    const stop = async () => {
      // Each step finishes before the next: no request is answered from a closed index, and
      // no block or index transaction is left half-written.
      await removeApiAddress(home.dir).catch(() => undefined);
      await host.close(); // stops taking requests, ends the API's streams, closes the web app
      metrics.close();
      await node.stop(); // waits for a block being written
      await projector.stop(); // finishes the SQL transaction of the block in progress
      await db.close();
      await running.stop(); // the network, the signature checkers and the store
    };
    return { url: host.url, failed: running.failed, stop: () => (stopped ??= stop()) };
  } catch (error) {
    await undo();
    throw error;
  }
}
