import { createHash, timingSafeEqual } from 'node:crypto';
import { initTRPC, TRPCError } from '@trpc/server';
import type { LedgerNode } from '../../node/ledger/ledger-node.js';
import type { IndexDatabase } from '../db/database.js';
import type { Projector } from '../index/projector.js';
import { formatApiError } from './errors.js';
import type { Submissions } from './live.js';
import type { BackupSummary } from '../../node/home/backup.js';

/** What every procedure can reach: the node, its index, and who is asking. */
export interface ApiContext {
  readonly node: LedgerNode;
  readonly db: IndexDatabase;
  readonly projector: Projector;
  /** The node's admin token; empty: operator procedures are closed to everyone. */
  readonly adminToken: string;
  /** The request's `authorization` header, when it has one. */
  readonly authorization: string | undefined;
  /** Aborted when the API closes: subscriptions end on it. */
  readonly closing: AbortSignal;
  /** Transactions submitted here that wait for their block, and recent outcomes. */
  readonly submissions: Submissions;
  /** Writes a backup of the home at a path on this machine; absent where there is no store to copy. */
  readonly backup?: ((path: string) => Promise<BackupSummary>) | undefined;
}

const t = initTRPC.context<ApiContext>().create({
  errorFormatter: ({ shape, error, path }) => formatApiError({ shape, error, path }),
  sse: {
    // A ping event every 10 s keeps proxies from closing an idle stream; the client reconnects
    // (resuming after the last tracked id) if it hears nothing for longer.
    ping: { enabled: true, intervalMs: 10_000 },
    client: { reconnectAfterInactivityMs: 25_000 },
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;

/** Whether `authorization` is "Bearer <token>" with the admin token, compared in constant time. */
export function isAdmin(authorization: string | undefined, adminToken: string): boolean {
  if (adminToken === '' || authorization === undefined) return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) return false;
  // Digests have equal lengths, so the comparison says nothing about the token's length either.
  const given = createHash('sha256').update(match[1]!).digest();
  const expected = createHash('sha256').update(adminToken).digest();
  return timingSafeEqual(given, expected);
}

/** Operator procedures: the caller must present the node's admin token. */
export const adminProcedure = t.procedure.use(({ ctx, next }) => {
  if (!isAdmin(ctx.authorization, ctx.adminToken)) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'this operator procedure needs the node admin token (authorization: Bearer <token>)' });
  }
  return next();
});
