/** The verifier pool's public face: what a call takes, what it answers and how it fails. */

/** One signature to verify. */
export interface SignatureItem {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

/** Options for {@link createVerifierPool}. */
export interface VerifierPoolOptions {
  /** Worker threads. Default: `os.availableParallelism()`. */
  readonly workers?: number;
  /** Items per message to a thread. Default 256. */
  readonly maxBatch?: number;
  /** Bytes per message to a thread before it is sent early. Default 1 MiB. */
  readonly maxBatchBytes?: number;
  /** Keys each thread's verifier remembers. Default 100 000. */
  readonly maxKeysPerWorker?: number;
  /** How many times a batch is sent before its calls reject because threads keep crashing. Default 3. */
  readonly maxAttempts?: number;
}

/** Counters since the pool was created. */
export interface VerifierPoolStats {
  readonly workers: number;
  /** Items passed to verify() / verifyOne(). */
  readonly itemsSubmitted: number;
  /** Items answered by a thread (each counted once, however often it was sent). */
  readonly itemsVerified: number;
  /** Items answered on the calling thread because of their shape. */
  readonly itemsRefusedByShape: number;
  /** Messages sent to threads. */
  readonly messagesSent: number;
  /** Threads replaced after exiting unexpectedly. */
  readonly restarts: number;
  /** Items sent again to a replacement thread. */
  readonly itemsResent: number;
  /** Items sent and not yet answered. */
  readonly inFlightItems: number;
}

/** A pool of verifier threads. */
export interface VerifierPool {
  /** The number of threads. */
  readonly size: number;
  /** Consensus verdicts (the same as `verifySignature`), in the order of `items`. */
  verify(items: readonly SignatureItem[]): Promise<boolean[]>;
  /** The verdict for one signature; batched with other calls made in the same run. */
  verifyOne(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** Resolves once every thread has loaded (for benchmarks and start-up; calls need not wait). */
  ready(): Promise<void>;
  stats(): VerifierPoolStats;
  /**
   * Terminates thread `index` as if it had crashed (fault drills and tests); the pool replaces
   * it and re-sends its unanswered batches. Resolves once the thread has exited.
   */
  killWorker(index: number): Promise<void>;
  /** Rejects unanswered calls with VerifierPoolClosedError, terminates the threads, resolves when they have exited. */
  close(): Promise<void>;
}

/** A call on a closed pool, or a call still unanswered when the pool was closed. */
export class VerifierPoolClosedError extends Error {
  static override readonly name = 'VerifierPoolClosedError';
  constructor(message = 'The verifier pool is closed') {
    super(message);
    this.name = 'VerifierPoolClosedError';
  }
}

/** A call whose items a verifier thread could not answer: it kept crashing, or could not start. */
export class VerifierWorkerCrashedError extends Error {
  static override readonly name = 'VerifierWorkerCrashedError';
  constructor(
    readonly worker: number,
    readonly exitCode: number,
    options?: { readonly cause?: unknown },
  ) {
    super(`Verifier thread ${worker} exited with code ${exitCode} and could not answer`, options);
    this.name = 'VerifierWorkerCrashedError';
  }
}
