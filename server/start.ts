import { pino } from 'pino';
import { adminToken, HomeError } from '../node/home/home.js';
import type { StartRequest } from '../node/cli/main.js';
import { serve, type Serving } from './serve.js';
import { checkAddressFree } from './http/host.js';
import { buildWeb, staleBuild } from './http/web.js';

/** How long the shutdown may take before the process exits anyway (the store survives a cut). */
const SHUTDOWN_LIMIT_MS = 30_000;

/**
 * `lendnet start`: builds the web app if it was never built (or changed since), then runs the
 * node, its index, the API and the web app until SIGTERM or SIGINT, and shuts down in order.
 * A second signal during the shutdown exits at once. Resolves with the exit code.
 */
export async function start(request: StartRequest): Promise<number> {
  const { home } = request;
  const log = pino({ level: home.config.logLevel });
  let signalled: (signal: NodeJS.Signals) => void = () => {};
  const signal = new Promise<NodeJS.Signals>((resolve) => (signalled = resolve));
  let signals = 0;
  const cancelStart = new AbortController();
  const onSignal = (received: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      log.info({ signal: received }, 'shutting down');
      cancelStart.abort();
      signalled(received);
    } else {
      log.warn({ signal: received }, 'second signal: exiting without finishing the shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  let token: string;
  try {
    token = await adminToken(home.dir);
  } catch (error) {
    if (!(error instanceof HomeError)) throw error;
    console.error(`lendnet: ${error.message}`);
    return 1;
  }
  await checkAddressFree(request.host, request.port);
  if (request.web && !request.dev) {
    const reason = await staleBuild();
    if (reason) {
      log.info({ reason }, `${reason}: building it first with next build (under a minute)`);
      await buildWeb({ cancel: cancelStart.signal });
      if (signals > 0) return 0;
      log.info('web app built');
    }
  }
  if (signals > 0) return 0;

  const databaseUrl = process.env.DATABASE_URL;
  const serving: Serving = await serve({
    home,
    host: request.host,
    port: request.port,
    web: request.web ? { dev: request.dev } : false,
    observer: request.observer,
    ...(databaseUrl ? { databaseUrl } : {}),
    adminToken: token,
    log,
  });
  void serving.failed.then(() => log.error('the node stopped making blocks; still serving reads until stopped (/healthz says degraded)'));
  await signal;
  const limit = setTimeout(() => {
    log.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'the shutdown took too long; exiting');
    process.exit(1);
  }, SHUTDOWN_LIMIT_MS);
  limit.unref();
  await serving.stop();
  clearTimeout(limit);
  log.info('stopped');
  const code = Number(process.exitCode ?? 0);
  // Next's dev server keeps file watchers after it is closed; nothing of ours is left to finish.
  setTimeout(() => process.exit(code), 2_000).unref();
  return code;
}
