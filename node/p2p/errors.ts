/** How the host's calls fail. Tests and callers branch on `code`, never on the message. */

/** Codes a handler side sends back instead of a response: short, fixed, never the handler's own message. */
export type RemoteRequestErrorCode =
  /** The handler threw. */
  | 'HANDLER_FAILED'
  /** The request was larger than the handler side's `maxRequestBytes`. */
  | 'REQUEST_TOO_LARGE'
  /** The handler's answer was larger than the handler side's `maxResponseBytes`. */
  | 'RESPONSE_TOO_LARGE'
  /** The requester is banned or misbehaving. */
  | 'REFUSED'
  /** Too many requests of this protocol are being handled. */
  | 'BUSY';

export type P2pRequestErrorCode =
  | RemoteRequestErrorCode
  /** The host is not started, or was stopped during the call. */
  | 'STOPPED'
  /** No connection to the peer could be opened (unknown address, refused, banned). */
  | 'DIAL_FAILED'
  /** The peer does not serve this protocol (another chain, or no handler). */
  | 'UNSUPPORTED_PROTOCOL'
  /** The deadline passed. */
  | 'TIMEOUT'
  /** The stream failed before a response arrived. */
  | 'STREAM_FAILED'
  /** The response frame was not one this protocol defines. */
  | 'BAD_RESPONSE';

const RETRYABLE: ReadonlySet<P2pRequestErrorCode> = new Set(['BUSY', 'TIMEOUT', 'DIAL_FAILED', 'STREAM_FAILED']);

/** A request that got no response. `remote` tells whether the peer sent the code or this host found it. */
export class P2pRequestError extends Error {
  static override readonly name = 'P2pRequestError';
  /** Whether trying again later (or another peer) may succeed. */
  readonly retryable: boolean;

  constructor(
    readonly code: P2pRequestErrorCode,
    readonly protocol: string,
    readonly peerId: string,
    readonly remote: boolean,
    options?: { readonly cause?: unknown },
  ) {
    super(`${remote ? 'Peer answered' : 'Request failed:'} ${code} (${protocol} to ${peerId})`, options);
    this.name = 'P2pRequestError';
    this.retryable = RETRYABLE.has(code);
  }
}

export type GossipPublishErrorCode =
  /** The payload is larger than `limits.maxMessageBytes` for its kind. */
  | 'MESSAGE_TOO_LARGE'
  /** The host is not started. */
  | 'STOPPED'
  /** gossipsub refused the message (the cause says why). */
  | 'PUBLISH_FAILED';

/** A publish that sent nothing. */
export class GossipPublishError extends Error {
  static override readonly name = 'GossipPublishError';
  constructor(
    readonly code: GossipPublishErrorCode,
    readonly topic: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`Publish on ${topic} failed: ${code}`, options);
    this.name = 'GossipPublishError';
  }
}
