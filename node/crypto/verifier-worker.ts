import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createFastVerifier } from './fast-verifier.js';

/**
 * The body of one verifier thread (see verifier-pool.ts). It holds its own fast verifier, so
 * its own key cache, and answers batches in the order they arrive.
 *
 * The wire format of a batch is one ArrayBuffer, transferred (not copied) by the pool:
 *   u32 count, u32 messageLength[count], then per item: public key (32 bytes),
 *   signature (64 bytes), message (messageLength bytes).
 * The pool only sends items whose key is 32 bytes and signature 64 bytes (every other shape
 * is refused by the rule without any arithmetic, and the pool answers those itself). The
 * answer is one Uint8Array of verdicts (1 accepted, 0 refused), transferred back.
 */

/** Bytes of a public key in a batch. */
export const BATCH_KEY_BYTES = 32;
/** Bytes of a signature in a batch. */
export const BATCH_SIGNATURE_BYTES = 64;

/** What the pool passes to a verifier thread as workerData. */
export interface VerifierWorkerData {
  /** The size of the thread's key cache. */
  readonly maxKeys: number;
}

/** A message from the pool to a verifier thread. */
export interface VerifyRequest {
  readonly type: 'verify';
  /** The batch id, echoed in the answer. */
  readonly id: number;
  /** The packed batch (format above). */
  readonly batch: ArrayBuffer;
}

/** A message from a verifier thread to the pool. */
export type VerifierWorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'verdicts'; readonly id: number; readonly verdicts: Uint8Array };

/**
 * Verifies a packed batch with `verify`, returning one byte per item. Throws a RangeError on
 * a batch whose lengths do not add up, which the thread treats as a protocol violation.
 */
export function verifyPackedBatch(
  batch: ArrayBuffer,
  verify: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean,
): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(batch);
  const view = new DataView(batch);
  const count = view.getUint32(0, true);
  const verdicts = new Uint8Array(count);
  let at = 4 + 4 * count;
  if (at > bytes.length) throw new RangeError('verifier batch: header longer than the batch');
  for (let i = 0; i < count; i += 1) {
    const messageLength = view.getUint32(4 + 4 * i, true);
    const end = at + BATCH_KEY_BYTES + BATCH_SIGNATURE_BYTES + messageLength;
    if (end > bytes.length) throw new RangeError('verifier batch: item runs past the end of the batch');
    const publicKey = bytes.subarray(at, at + BATCH_KEY_BYTES);
    const signature = bytes.subarray(at + BATCH_KEY_BYTES, at + BATCH_KEY_BYTES + BATCH_SIGNATURE_BYTES);
    const message = bytes.subarray(at + BATCH_KEY_BYTES + BATCH_SIGNATURE_BYTES, end);
    verdicts[i] = verify(publicKey, message, signature) ? 1 : 0;
    at = end;
  }
  if (at !== bytes.length) throw new RangeError('verifier batch: trailing bytes after the last item');
  return verdicts;
}

function isVerifyRequest(value: unknown): value is VerifyRequest {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Partial<VerifyRequest>;
  return message.type === 'verify' && typeof message.id === 'number' && message.batch instanceof ArrayBuffer;
}

function run(port: NonNullable<typeof parentPort>, data: VerifierWorkerData): void {
  const verifier = createFastVerifier({ maxKeys: data.maxKeys });
  const verify = verifier.verify.bind(verifier);
  port.on('message', (message: unknown) => {
    // Anything else is a bug in the pool: fail loudly, and the pool replaces this thread and
    // re-sends what it had not answered.
    if (!isVerifyRequest(message)) throw new TypeError('verifier thread: unexpected message');
    const verdicts = verifyPackedBatch(message.batch, verify);
    const answer: VerifierWorkerMessage = { type: 'verdicts', id: message.id, verdicts };
    port.postMessage(answer, [verdicts.buffer]);
  });
  const ready: VerifierWorkerMessage = { type: 'ready' };
  port.postMessage(ready);
}

function isWorkerData(value: unknown): value is VerifierWorkerData {
  return typeof value === 'object' && value !== null && typeof (value as Partial<VerifierWorkerData>).maxKeys === 'number';
}

// Importing this module elsewhere (tests, the main thread) only defines the helpers above.
if (!isMainThread && parentPort !== null && isWorkerData(workerData)) run(parentPort, workerData);
