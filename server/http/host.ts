import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { type Health, healthStatusCode } from './health.js';
import type { NodeMetrics } from './metrics.js';
import { applyCorsHeaders, corsOriginSet, judgeOrigin } from './cross-origin.js';
import type { RateLimiter } from './rate-limit.js';
import { applySecurityHeaders } from './security-headers.js';
import type { WebApp } from './web.js';

/** Where the tRPC API is served. */
export const API_PREFIX = '/api/trpc';

/** How long requests in flight may take to finish once shutdown starts before they are cut. */
const DRAIN_MS = 5_000;

/** The tRPC API as the host sees it: a request handler, and the end of its open streams. */
export interface ApiEndpoint {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): void;
}

export interface HostOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The node's health; `stopping` is whether the host has begun to shut down. */
  readonly health: (stopping: boolean) => Health;
  readonly metrics: NodeMetrics;
  readonly api: ApiEndpoint;
  /** The Next.js app; absent with `--no-web`, when every other path is a 404. */
  readonly web?: WebApp;
  readonly log: Logger;
  /** The API's limit per client address; none when absent. */
  readonly rateLimit?: RateLimiter;
  /** Other web origins whose pages may call the API (config's `api.corsOrigins`); none by default. */
  readonly corsOrigins?: readonly string[];
}

export interface Host {
  /** The address it listens on, as `http://host:port`. */
  readonly url: string;
  readonly port: number;
  /**
   * Stops taking connections, ends the API's open streams, lets requests in flight finish (for
   * a few seconds at most), then closes the web app.
   */
  close(): Promise<void>;
}

/**
 * The routes of a node's HTTP server: `/healthz`, `/metrics`, the tRPC API under `/api/trpc`,
 * and the web app for every other path (`/api/…` excepted). While `stopping()`, `/healthz`
 * answers 503 and every other request is refused; every answer then closes its connection.
 */
export function hostRoutes(options: HostOptions, stopping: () => boolean): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { api, web } = options;
  const corsOrigins = corsOriginSet(options.corsOrigins);
  return async (req, res) => {
    const path = pathOf(req);
    const isApi = path === API_PREFIX || path.startsWith(`${API_PREFIX}/`);
    const isPage = web !== undefined && !isApi && !path.startsWith('/api/') && path !== '/healthz' && path !== '/metrics';
    applySecurityHeaders(res, isPage ? 'page' : 'data', web?.dev === true);
    if (stopping()) res.setHeader('connection', 'close');
    if (path === '/healthz') return answerHealth(req, res, options.health(stopping()));
    if (stopping()) return answerError(res, 503, 'STOPPING', 'the node is shutting down');
    if (path === '/metrics') return answerMetrics(req, res, options.metrics);
    if (isApi) {
      // Behind a reverse proxy every request comes from the proxy's address: limit there instead.
      const verdict = options.rateLimit?.take(req.socket.remoteAddress ?? 'unknown');
      if (verdict && !verdict.allowed) {
        res.setHeader('retry-after', String(verdict.retryAfterSeconds));
        return answerError(res, 429, 'RATE_LIMITED', `too many requests from this address; try again in ${verdict.retryAfterSeconds} s`, req);
      }
      // Other sites' pages: no CORS unless configured, no state-changing call (CSRF).
      const origin = judgeOrigin(req, corsOrigins);
      if (!origin.allowed) return answerError(res, 403, origin.code, origin.message, req);
      if (origin.corsOrigin !== undefined) applyCorsHeaders(res, origin.corsOrigin, origin.preflight);
      if (origin.preflight) return answerNoContent(req, res);
      return api.handle(req, res);
    }
    if (isPage) return web.handle(req, res);
    return answerError(res, 404, 'NOT_FOUND', `nothing is served at ${path}`);
  };
}

/** Starts the one HTTP server of a node's process (see `hostRoutes`). */
export async function startHost(options: HostOptions): Promise<Host> {
  const { api, web, log } = options;
  let stopping = false;
  const route = hostRoutes(options, () => stopping);
  /** Answers not finished yet: at shutdown, those not begun are told to close their connection. */
  const open = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    open.add(res);
    res.once('close', () => {
      open.delete(res);
      // A connection whose last answer ended during shutdown is idle now: close it rather than
      // wait for its keep-alive to lapse.
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
    route(req, res).catch((error: unknown) => {
      log.error({ err: error, method: req.method, path: pathOf(req) }, 'request failed');
      if (!res.headersSent) answerError(res, 500, 'INTERNAL', 'the request failed on the node');
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (stopping || !web || pathOf(req).startsWith('/api/')) {
      socket.destroy();
      return;
    }
    web.upgrade(req, socket, head).catch((error: unknown) => {
      log.warn({ err: error }, 'websocket upgrade failed');
      socket.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    close: () =>
      (closed ??= (async () => {
        stopping = true;
        for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
        api.close();
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const cut = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
        await done;
        clearTimeout(cut);
        await web?.close();
      })()),
  };
}

/**
 * Fails at once if the address is taken, before a node spends time starting (or building its
 * web app) only to find it cannot listen.
 */
export async function checkAddressFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new Error(`${host}:${port} is already in use; choose another port with --port or PORT`));
      else if (error.code === 'EACCES') reject(new Error(`no permission to listen on ${host}:${port}; choose a port above 1023`));
      else reject(error);
    });
    probe.listen(port, host, () => resolve());
  });
  await new Promise((resolve) => probe.close(resolve));
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://host.invalid').pathname;
  } catch {
    return '/';
  }
}

function answerHealth(req: IncomingMessage, res: ServerResponse, health: Health): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return answerError(res, 405, 'METHOD_NOT_ALLOWED', 'use GET');
  res.setHeader('cache-control', 'no-store');
  answerJson(res, healthStatusCode(health), health, req.method === 'HEAD');
}

async function answerMetrics(req: IncomingMessage, res: ServerResponse, metrics: NodeMetrics): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return answerError(res, 405, 'METHOD_NOT_ALLOWED', 'use GET');
  const text = await metrics.text();
  res.statusCode = 200;
  res.setHeader('content-type', metrics.contentType);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(req.method === 'HEAD' ? undefined : text);
}

/**
 * Errors outside the API have one shape: `{ error: { code, message } }`. Given the request, its
 * body (unread, as the request is refused) is drained so the client reads the answer.
 */
function answerError(res: ServerResponse, status: number, code: string, message: string, req?: IncomingMessage): void {
  req?.resume();
  answerJson(res, status, { error: { code, message } });
}

/** A preflight's answer: its headers say it all. */
function answerNoContent(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  res.statusCode = 204;
  res.setHeader('content-length', 0);
  res.end();
}

function answerJson(res: ServerResponse, status: number, body: unknown, headOnly = false): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(headOnly ? undefined : text);
}
