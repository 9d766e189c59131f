import { TRPCError, type TRPC_ERROR_CODE_KEY, type TRPCDefaultErrorShape } from '@trpc/server';
import { z } from 'zod';
import type { RefusalDetails } from '../../contracts/index.js';

/**
 * The stable code every API error carries in `data.code`: a ledger refusal's own code
 * (INSUFFICIENT_FUNDS, BAD_SIGNATURE, …) or one of these for everything else.
 */
export const API_ERROR_CODES = [
  'BAD_INPUT',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'PAYLOAD_TOO_LARGE',
  'METHOD_NOT_SUPPORTED',
  'UNSUPPORTED_MEDIA_TYPE',
  'CONFLICT',
  'TOO_MANY_REQUESTS',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** A transaction the node refused, carried as a tRPC error's cause. */
export class LedgerRefusal extends Error {
  override readonly name = 'LedgerRefusal';
  constructor(
    readonly code: string,
    message: string,
    readonly details: RefusalDetails = {},
    readonly txId?: string,
  ) {
    super(message);
  }
}

// Refusals that are not the sender's fault in the transaction itself map to their own statuses.
const REFUSAL_STATUS: Readonly<Record<string, TRPC_ERROR_CODE_KEY>> = {
  TX_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  ALREADY_KNOWN: 'CONFLICT',
  MEMPOOL_FULL: 'TOO_MANY_REQUESTS',
  ACCOUNT_QUEUE_FULL: 'TOO_MANY_REQUESTS',
  NODE_STOPPING: 'SERVICE_UNAVAILABLE',
};

/** The tRPC error for a node's refusal: a client error whose `data.code` is the refusal code. */
export function refusalError(refusal: { readonly code: string; readonly message: string; readonly id?: string }, details?: RefusalDetails): TRPCError {
  return new TRPCError({
    code: REFUSAL_STATUS[refusal.code] ?? 'BAD_REQUEST',
    message: refusal.message,
    cause: new LedgerRefusal(refusal.code, refusal.message, details, refusal.id),
  });
}

export function notFound(what: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `${what} was not found` });
}

export function badInput(message: string): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message });
}

const CODE_OF: Readonly<Partial<Record<TRPC_ERROR_CODE_KEY, ApiErrorCode>>> = {
  PARSE_ERROR: 'BAD_INPUT',
  BAD_REQUEST: 'BAD_INPUT',
  UNPROCESSABLE_CONTENT: 'BAD_INPUT',
  PRECONDITION_FAILED: 'BAD_INPUT',
  PRECONDITION_REQUIRED: 'BAD_INPUT',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  CONFLICT: 'CONFLICT',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  PAYMENT_REQUIRED: 'UNAUTHORIZED',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'UNAUTHORIZED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  METHOD_NOT_SUPPORTED: 'METHOD_NOT_SUPPORTED',
  SERVICE_UNAVAILABLE: 'UNAVAILABLE',
  TIMEOUT: 'UNAVAILABLE',
  CLIENT_CLOSED_REQUEST: 'UNAVAILABLE',
};

/** `data` of every error the API answers with. */
export interface ApiErrorData {
  readonly code: string;
  readonly httpStatus: number;
  readonly path?: string;
  /** Input problems in plain words, one per field. */
  readonly issues?: readonly string[];
  /** Figures that explain a refusal (amounts as decimal strings). */
  readonly details?: RefusalDetails;
  readonly txId?: string;
  readonly stack?: string;
}

export interface ApiErrorShape {
  readonly message: string;
  readonly code: TRPCDefaultErrorShape['code'];
  readonly data: ApiErrorData;
}

/** Zod issues as short sentences: "amountMin: must be a whole number of minor units written in decimal digits". */
export function summariseIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, 20).map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : 'input'}: ${issue.message}`);
}

const SHOW_STACKS = process.env.NODE_ENV === 'development';

/** The one error formatter: every error gets a stable `data.code`; internals never leak. */
export function formatApiError(opts: { readonly shape: TRPCDefaultErrorShape; readonly error: TRPCError; readonly path?: string | undefined }): ApiErrorShape {
  const { shape, error } = opts;
  const { cause } = error;
  const base = { httpStatus: shape.data.httpStatus, ...(opts.path !== undefined ? { path: opts.path } : {}) };
  const stack = SHOW_STACKS && error.stack !== undefined ? { stack: error.stack } : {};
  if (cause instanceof LedgerRefusal) {
    const data = { ...base, code: cause.code, details: cause.details, ...(cause.txId !== undefined ? { txId: cause.txId } : {}) };
    return { message: error.message, code: shape.code, data };
  }
  if (cause instanceof z.ZodError) {
    const issues = summariseIssues(cause);
    return { message: `bad input: ${issues.join('; ')}`, code: shape.code, data: { ...base, code: 'BAD_INPUT', issues, ...stack } };
  }
  const code = CODE_OF[error.code] ?? 'INTERNAL';
  if (code === 'INTERNAL') return { message: 'internal error', code: shape.code, data: { ...base, code, ...stack } };
  const message = error.code === 'PARSE_ERROR' ? `the request could not be read: ${error.message}` : error.message;
  return { message, code: shape.code, data: { ...base, code, ...stack } };
}
