import './polyfill.js';
import type { Libp2p, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import { P2pRequestError, type P2pRequestErrorCode, type RemoteRequestErrorCode } from './errors.js';
import type { P2pLogger, RequestCounters, RequestHandler, RequestOptions } from './host-api.js';

/**
 * Request/response over libp2p streams: protocol `/lendnet/<chainId>/<name>/1`, one stream per
 * request, one length-prefixed frame each way.
 *
 * - The request frame is the request's bytes. The response frame is a status byte and, when
 *   the status is OK, the response's bytes. Any other status is one of a few fixed codes
 *   (`RemoteRequestErrorCode`): what went wrong on the handler side never travels further.
 * - Both sides bound the frames they read (lpStream's `maxDataLength`), so an oversized frame
 *   is refused from its length prefix, before its bytes are buffered.
 * - The handler side refuses, with a code, requests from banned or misbehaving peers, requests
 *   beyond `maxConcurrentRequests` for the protocol, and requests larger than its limit; it waits
 *   `requestTimeoutMs` at most for the request frame.
 * - The requester writes and reads at once, so a refusal that arrives while its request is
 *   still being sent is read, not lost; one deadline covers dial, exchange and handler.
 */

const STATUS_OK = 0;
const STATUS_CODES: readonly RemoteRequestErrorCode[] = [
  'HANDLER_FAILED',
  'REQUEST_TOO_LARGE',
  'RESPONSE_TOO_LARGE',
  'REFUSED',
  'BUSY',
];

/** Frame status byte of a remote code: its index in STATUS_CODES, plus one. */
function statusOf(code: RemoteRequestErrorCode): number {
  return STATUS_CODES.indexOf(code) + 1;
}

function okFrame(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(payload.length + 1);
  frame[0] = STATUS_OK;
  frame.set(payload, 1);
  return frame;
}

export interface RequestResponseLimits {
  readonly maxRequestBytes: number;
  readonly maxResponseBytes: number;
  readonly maxConcurrentRequests: number;
  readonly requestTimeoutMs: number;
}

export interface RequestResponseInit {
  readonly node: Libp2p;
  readonly chainId: string;
  readonly limits: RequestResponseLimits;
  /** Whether requests from this peer are refused (banned, or its gossip score is graylisted). */
  readonly isRefused: (peerId: string) => boolean;
  readonly logger?: P2pLogger | undefined;
}

const PROTOCOL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export class RequestResponse {
  readonly counters: RequestCounters = { served: 0, refused: 0, sent: 0, failed: 0, bytesIn: 0, bytesOut: 0 };
  private readonly inFlight = new Map<string, number>();
  /** Aborted while the host is not running: requests fail with STOPPED. */
  private stopping = new AbortController();
  /** The signals of requests under way (made by `deadline`), aborted when the host stops. */
  private readonly deadlines = new Set<AbortController>();

  constructor(private readonly init: RequestResponseInit) {
    this.stopping.abort();
  }

  protocolOf(name: string): string {
    if (!PROTOCOL_NAME.test(name)) throw new RangeError(`Invalid protocol name: ${JSON.stringify(name)}`);
    return `/lendnet/${this.init.chainId}/${name}/1`;
  }

  /** Lets requests through. */
  start(): void {
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
  }

  /** Fails every outbound request in flight with STOPPED and aborts inbound ones. */
  stop(): void {
    this.stopping.abort();
    for (const controller of this.deadlines) controller.abort(new DOMException('the host is stopping', 'AbortError'));
    this.deadlines.clear();
  }

  async handle(name: string, handler: RequestHandler): Promise<void> {
    const protocol = this.protocolOf(name);
    const { maxConcurrentRequests } = this.init.limits;
    await this.init.node.handle(
      protocol,
      async (stream, connection) => {
        await this.serve(protocol, handler, stream, connection.remotePeer.toString());
      },
      // One stream more than the handler slots, so a peer over the limit hears BUSY, not a reset.
      { maxInboundStreams: maxConcurrentRequests + 1, force: true },
    );
  }

  async request(peerId: string, name: string, request: Uint8Array, options: RequestOptions = {}): Promise<Uint8Array> {
    const protocol = this.protocolOf(name);
    try {
      return await this.exchange(protocol, peerId, request, options);
    } catch (error) {
      this.counters.failed += 1;
      throw error;
    }
  }

  private async exchange(
    protocol: string,
    peerId: string,
    request: Uint8Array,
    options: RequestOptions,
  ): Promise<Uint8Array> {
    const fail = (code: P2pRequestErrorCode, remote = false, cause?: unknown): P2pRequestError =>
      new P2pRequestError(code, protocol, peerId, remote, { cause });
    const { limits } = this.init;
    const stopping = this.stopping.signal;
    if (stopping.aborted) throw fail('STOPPED');
    if (request.length > limits.maxRequestBytes) throw fail('REQUEST_TOO_LARGE');
    const maxResponseBytes = options.maxResponseBytes ?? limits.maxResponseBytes;
    const { signal, done } = this.deadline(options.timeoutMs ?? limits.requestTimeoutMs);
    try {
      return await this.exchangeUntil(signal, protocol, peerId, request, maxResponseBytes, fail);
    } finally {
      done();
    }
  }

  private async exchangeUntil(
    signal: AbortSignal,
    protocol: string,
    peerId: string,
    request: Uint8Array,
    maxResponseBytes: number,
    fail: (code: P2pRequestErrorCode, remote?: boolean, cause?: unknown) => P2pRequestError,
  ): Promise<Uint8Array> {
    const stopping = this.stopping.signal;
    const failure = (cause: unknown, otherwise: P2pRequestErrorCode): P2pRequestError => {
      if (stopping.aborted) return fail('STOPPED', false, cause);
      if (signal.aborted) return fail('TIMEOUT', false, cause);
      if (cause instanceof Error && cause.name === 'UnsupportedProtocolError') return fail('UNSUPPORTED_PROTOCOL', false, cause);
      if (cause instanceof Error && cause.name === 'InvalidDataLengthError') return fail('RESPONSE_TOO_LARGE', false, cause);
      return fail(otherwise, false, cause);
    };

    let stream: Stream;
    try {
      stream = await this.init.node.dialProtocol(peerIdFromString(peerId), protocol, { signal });
    } catch (error) {
      throw failure(error, 'DIAL_FAILED');
    }
    this.counters.sent += 1;
    this.counters.bytesOut += request.length;
    try {
      const frames = lpStream(stream, { maxDataLength: maxResponseBytes + 1 });
      // Errors of the sending half show in the read below (the stream fails or closes early).
      const sending = frames.write(request, { signal }).then(async () => stream.close({ signal }));
      sending.catch(() => undefined);
      const frame = (await frames.read({ signal })).subarray();
      this.counters.bytesIn += frame.length;
      const status = frame[0];
      if (status === STATUS_OK) return frame.subarray(1);
      const code = status === undefined ? undefined : STATUS_CODES[status - 1];
      throw code === undefined ? fail('BAD_RESPONSE', true) : fail(code, true);
    } catch (error) {
      if (error instanceof P2pRequestError) {
        stream.abort(error);
        throw error;
      }
      const wrapped = failure(error, 'STREAM_FAILED');
      stream.abort(wrapped);
      throw wrapped;
    }
  }

  private async serve(protocol: string, handler: RequestHandler, stream: Stream, from: string): Promise<void> {
    const { limits, logger } = this.init;
    const { signal, done } = this.deadline(limits.requestTimeoutMs);
    try {
      await this.serveUntil(signal, protocol, handler, stream, from);
    } finally {
      done();
    }
  }

  /**
   * A signal for one request: aborted after `ms`, or when the host stops. `done` (called when
   * the request ends) clears its timer, so nothing is left behind.
   */
  private deadline(ms: number): { readonly signal: AbortSignal; done(): void } {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('the request timed out', 'TimeoutError')), ms);
    timer.unref();
    this.deadlines.add(controller);
    return {
      signal: controller.signal,
      done: () => {
        clearTimeout(timer);
        this.deadlines.delete(controller);
      },
    };
  }

  private async serveUntil(signal: AbortSignal, protocol: string, handler: RequestHandler, stream: Stream, from: string): Promise<void> {
    const { limits, logger } = this.init;
    const frames = lpStream(stream, { maxDataLength: limits.maxRequestBytes });
    const answer = async (frame: Uint8Array): Promise<void> => {
      await frames.write(frame, { signal });
      await stream.close({ signal });
    };
    const refuse = async (code: RemoteRequestErrorCode): Promise<void> => {
      this.counters.refused += 1;
      await answer(Uint8Array.of(statusOf(code)));
    };

    const running = this.inFlight.get(protocol) ?? 0;
    try {
      // Rule: banned peers, and peers gossipsub has graylisted, get nothing from us.
      if (this.init.isRefused(from)) return await refuse('REFUSED');
      // Rule: at most maxConcurrentRequests handlers of one protocol run at once.
      if (running >= limits.maxConcurrentRequests) return await refuse('BUSY');
      this.inFlight.set(protocol, running + 1);
      try {
        let request: Uint8Array;
        try {
          request = (await frames.read({ signal })).subarray();
        } catch (error) {
          // Rule: a request larger than maxRequestBytes is refused from its length prefix.
          if (error instanceof Error && error.name === 'InvalidDataLengthError') return await refuse('REQUEST_TOO_LARGE');
          throw error;
        }
        this.counters.bytesIn += request.length;
        let response: Uint8Array;
        try {
          response = await handler(request, from);
        } catch (error) {
          logger?.warn({ err: error, protocol, from }, 'p2p: request handler failed');
          this.counters.served += 1;
          return await answer(Uint8Array.of(statusOf('HANDLER_FAILED')));
        }
        this.counters.served += 1;
        if (response.length > limits.maxResponseBytes) {
          logger?.warn({ protocol, from, bytes: response.length }, 'p2p: response over maxResponseBytes not sent');
          return await answer(Uint8Array.of(statusOf('RESPONSE_TOO_LARGE')));
        }
        this.counters.bytesOut += response.length;
        await answer(okFrame(response));
      } finally {
        this.inFlight.set(protocol, (this.inFlight.get(protocol) ?? 1) - 1);
      }
    } catch (error) {
      // The requester went away, timed out or sent garbage: nothing to answer.
      logger?.debug({ err: error, protocol, from }, 'p2p: inbound request stream failed');
      stream.abort(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
