import type { IncomingMessage, ServerResponse } from 'node:http';
import { getTRPCErrorShape, TRPCError } from '@trpc/server';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import type { LedgerNode } from '../../node/ledger/ledger-node.js';
import type { IndexDatabase } from '../db/database.js';
import type { Projector } from '../index/projector.js';
import { Submissions } from './live.js';
import { appRouter } from './router.js';
import type { ApiContext } from './trpc.js';

/** Where the API is served. */
export const API_PATH = '/api/trpc';

/** The largest request body the API reads. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Calls one batched request may carry. */
export const MAX_BATCH = 20;

/** Subscription streams open at once; more are refused until some close. */
export const MAX_STREAMS = 1_000;

// What a client may still send after a refused body before its connection is cut.
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

export interface ApiDeps {
  readonly node: LedgerNode;
  readonly db: IndexDatabase;
  readonly projector: Projector;
  /** The node's admin token for operator procedures; empty: closed to everyone. */
  readonly adminToken: string;
  readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** Subscription streams open at once (MAX_STREAMS unless given). */
  readonly maxStreams?: number;
  /** Writes a backup of the home (the operator procedure node.backup). */
  readonly backup?: ApiContext['backup'];
}

export interface ApiHandler {
  /** Answers one request whose path is under /api/trpc. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Ends open subscription streams and refuses further requests. */
  close(): void;
}

/** The context of one call, for callers in process (`createCaller`) as for HTTP requests. */
export function createApiContext(
  deps: ApiDeps,
  request: { readonly authorization?: string | undefined; readonly closing?: AbortSignal; readonly submissions?: Submissions } = {},
): ApiContext {
  return {
    node: deps.node,
    db: deps.db,
    projector: deps.projector,
    adminToken: deps.adminToken,
    authorization: request.authorization,
    closing: request.closing ?? new AbortController().signal,
    submissions: request.submissions ?? new Submissions(),
    backup: deps.backup,
  };
}

/** The tRPC API over node:http: size limit, coded errors, subscriptions over SSE. */
export function createApiHandler(deps: ApiDeps): ApiHandler {
  const closing = new AbortController();
  const streams = new Set<ServerResponse>();
  const submissions = new Submissions();
  const log = deps.log ?? (() => undefined);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseUrl(req.url);
    if (url === undefined) return refuse(req, res, new TRPCError({ code: 'BAD_REQUEST', message: 'the request URL cannot be read' }));
    if (closing.signal.aborted) return refuse(req, res, new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'the node is shutting down' }));
    if (url.pathname !== API_PATH && !url.pathname.startsWith(`${API_PATH}/`)) {
      return refuse(req, res, new TRPCError({ code: 'NOT_FOUND', message: `no API at ${url.pathname}` }));
    }
    // Refused before a byte of the body is parsed; chunked bodies are cut by maxBodySize.
    const declared = Number(req.headers['content-length'] ?? '0');
    if (!(declared <= MAX_BODY_BYTES)) {
      return refuse(req, res, new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: `request bodies are limited to ${MAX_BODY_BYTES} bytes` }));
    }
    const path = decodePath(url.pathname.slice(API_PATH.length + 1));
    if (path === undefined) return refuse(req, res, new TRPCError({ code: 'NOT_FOUND', message: 'no procedure at that path' }));
    // A subscription is answered as a stream whatever the request's accept header says.
    if (isSubscription(path)) {
      if (streams.size >= (deps.maxStreams ?? MAX_STREAMS)) return refuse(req, res, new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'this node serves no more subscriptions now; retry later' }));
      streams.add(res);
      res.once('close', () => streams.delete(res));
    }
    await nodeHTTPRequestHandler({
      router: appRouter,
      req,
      res,
      path,
      maxBodySize: MAX_BODY_BYTES,
      maxBatchSize: MAX_BATCH,
      createContext: ({ req: request }) => createApiContext(deps, { authorization: request.headers.authorization, closing: closing.signal, submissions }),
      onError: ({ error, path: procedure }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') log('error', 'API procedure failed', { procedure, error: String(error.cause ?? error) });
      },
    });
  }

  return {
    handle,
    close() {
      if (closing.signal.aborted) return;
      closing.abort();
      // Subscriptions end on the signal; a stream still open a moment later is cut.
      const stragglers = setTimeout(() => {
        for (const res of streams) res.destroy();
      }, 1000);
      stragglers.unref();
    },
  };
}

function parseUrl(raw: string | undefined): URL | undefined {
  try {
    return new URL(raw ?? '/', 'http://api.invalid');
  } catch {
    return undefined;
  }
}

// At run time tRPC keeps every procedure under its dotted path ("accounts.onEvents").
const procedures = appRouter._def.procedures as unknown as Readonly<Record<string, { readonly _def: { readonly type: string } } | undefined>>;

/** Whether a call path (a batch is comma-separated) names a subscription. */
function isSubscription(path: string): boolean {
  return path.split(',').some((name) => procedures[name]?._def.type === 'subscription');
}

function decodePath(raw: string): string | undefined {
  try {
    const path = decodeURIComponent(raw);
    return path.length <= 2000 ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Answers with a coded error without reading the body, shaped as every other API error. */
function refuse(req: IncomingMessage, res: ServerResponse, error: TRPCError): void {
  const shape = getTRPCErrorShape({ config: appRouter._def._config, error, type: 'unknown', path: undefined, input: undefined, ctx: undefined });
  const body = JSON.stringify({ error: shape });
  res.statusCode = shape.data.httpStatus;
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(body));
  if (error.code === 'PAYLOAD_TOO_LARGE') {
    // The client may still be sending: let it finish (up to a bound) so it reads the answer.
    res.setHeader('connection', 'close');
    let drained = 0;
    req.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > MAX_DRAIN_BYTES) req.destroy();
    });
  } else {
    req.resume();
  }
  res.end(body);
}
