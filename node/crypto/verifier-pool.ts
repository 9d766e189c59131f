import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import {
  BATCH_KEY_BYTES,
  BATCH_SIGNATURE_BYTES,
  type VerifierWorkerMessage,
  type VerifyRequest,
} from './verifier-worker.js';
import {
  type SignatureItem,
  type VerifierPool,
  VerifierPoolClosedError,
  type VerifierPoolOptions,
  type VerifierPoolStats,
  VerifierWorkerCrashedError,
} from './verifier-pool-api.js';
import { packBatch, spawnThread } from './verifier-thread.js';

export * from './verifier-pool-api.js';

/**
 * Signature verification on every core: a pool of worker threads, each running the node's
 * fast verifier (fast-verifier.ts: the consensus rule's decisions, OpenSSL first, ZIP-215
 * fallback) with its own key cache.
 *
 * - Batching. Items are queued per thread and sent when a thread's queue holds `maxBatch`
 *   items (or `maxBatchBytes`), or else at the end of the current synchronous run (a
 *   microtask), so calls made together share messages. A batch travels as one ArrayBuffer
 *   that is transferred, not copied, and the answer is one transferred byte per item.
 * - Routing. An item goes to the thread chosen by a (per-pool seeded) hash of its public key,
 *   so one signer's signatures meet the same key cache. A batch dominated by one signer is
 *   therefore verified by one thread; the mix of many accounts spreads evenly.
 * - Shapes the rule refuses without arithmetic (not bytes, a key that is not 32 bytes, a
 *   signature that is not 64 bytes) are answered `false` on the calling thread.
 * - Crashes. A thread that exits unexpectedly is replaced at once and the batches it had
 *   not answered are sent to the replacement. A batch is sent at most `maxAttempts` times;
 *   after that, and when a thread fails to start three times in a row, the calls waiting on
 *   it reject with {@link VerifierWorkerCrashedError}. Answers never mix: each answer is
 *   matched to its batch by id and to the thread that was sent it.
 * - close() rejects every call not yet answered with {@link VerifierPoolClosedError} (it
 *   does not wait for them), then terminates the threads; it resolves once they have exited.
 * - An idle pool does not keep the process alive: threads are unref'ed while nothing is
 *   waiting on them.
 *
 * Threads load TypeScript through tsx: when this module runs as .ts (tsx, vitest), each
 * thread starts from a tiny evaluated bootstrap that calls `register()` from `tsx/esm/api`
 * (the same way bin/lendnet.js starts the node) and then imports verifier-worker.ts.
 * Node 20 ignores `--import tsx` in a worker's execArgv for the worker's own entry module, so
 * that route does not work. When compiled to .js, the thread runs verifier-worker.js directly.
 */

const DEFAULT_MAX_BATCH = 256;
const DEFAULT_MAX_BATCH_BYTES = 1 << 20;
const DEFAULT_MAX_KEYS = 100_000;
const DEFAULT_MAX_ATTEMPTS = 3;
const MAX_FAILED_STARTS = 3;
const ITEM_FIXED_BYTES = BATCH_KEY_BYTES + BATCH_SIGNATURE_BYTES;

interface Call {
  readonly verdicts: boolean[];
  remaining: number;
  settled: boolean;
  readonly resolve: (verdicts: boolean[]) => void;
  readonly reject: (error: Error) => void;
}

interface Entry {
  readonly call: Call;
  readonly index: number;
  readonly item: SignatureItem;
}

interface Batch {
  readonly entries: readonly Entry[];
  attempts: number;
}

interface Slot {
  readonly index: number;
  worker: Worker | null;
  isReady: boolean;
  refed: boolean;
  outgoing: Entry[];
  outgoingBytes: number;
  readonly inFlight: Map<number, Batch>;
  inFlightItems: number;
  failedStarts: number;
  lastError: unknown;
  broken: VerifierWorkerCrashedError | null;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

function hasVerifiableShape(item: SignatureItem): boolean {
  return (
    item.publicKey instanceof Uint8Array &&
    item.publicKey.length === BATCH_KEY_BYTES &&
    item.signature instanceof Uint8Array &&
    item.signature.length === BATCH_SIGNATURE_BYTES &&
    item.message instanceof Uint8Array
  );
}

/** Starts a pool of verifier threads. The threads load in the background; calls made meanwhile wait for them. */
export function createVerifierPool(options: VerifierPoolOptions = {}): VerifierPool {
  const workerCount = positiveInteger(options.workers ?? availableParallelism(), 'workers');
  const maxBatch = positiveInteger(options.maxBatch ?? DEFAULT_MAX_BATCH, 'maxBatch');
  const maxBatchBytes = positiveInteger(options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES, 'maxBatchBytes');
  const maxKeys = positiveInteger(options.maxKeysPerWorker ?? DEFAULT_MAX_KEYS, 'maxKeysPerWorker');
  const maxAttempts = positiveInteger(options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, 'maxAttempts');
  const seed = (Math.random() * 0x1_0000_0000) >>> 0;

  let closed = false;
  let closing: Promise<void> | undefined;
  let flushScheduled = false;
  let nextBatchId = 1;
  const readyWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const counters = { itemsSubmitted: 0, itemsVerified: 0, itemsRefusedByShape: 0, messagesSent: 0, restarts: 0, itemsResent: 0 };

  const slots: Slot[] = [];
  for (let index = 0; index < workerCount; index += 1) {
    const slot: Slot = {
      index,
      worker: null,
      isReady: false,
      refed: true,
      outgoing: [],
      outgoingBytes: 0,
      inFlight: new Map(),
      inFlightItems: 0,
      failedStarts: 0,
      lastError: undefined,
      broken: null,
    };
    slots.push(slot);
    spawn(slot);
  }

  function route(publicKey: Uint8Array): Slot {
    let hash = seed;
    for (let i = 0; i < BATCH_KEY_BYTES; i += 4) {
      const word = publicKey[i]! | (publicKey[i + 1]! << 8) | (publicKey[i + 2]! << 16) | (publicKey[i + 3]! << 24);
      hash = Math.imul(hash ^ word, 0x9e3779b1);
      hash ^= hash >>> 15;
    }
    return slots[(hash >>> 0) % workerCount]!;
  }

  /** Holds the event loop open only while something waits on this thread. */
  function updateRef(slot: Slot): void {
    const worker = slot.worker;
    if (worker === null) return;
    const wanted = slot.inFlightItems > 0 || (!slot.isReady && readyWaiters.length > 0);
    if (wanted === slot.refed) return;
    slot.refed = wanted;
    if (wanted) worker.ref();
    else worker.unref();
  }

  function spawn(slot: Slot): void {
    const worker = spawnThread(maxKeys);
    slot.worker = worker;
    slot.isReady = false;
    slot.refed = true;
    slot.lastError = undefined;
    worker.on('message', (message: VerifierWorkerMessage) => {
      if (slot.worker === worker) onMessage(slot, message);
    });
    worker.on('error', (error: unknown) => {
      if (slot.worker === worker) slot.lastError = error;
    });
    worker.on('exit', (code: number) => {
      if (slot.worker === worker) onExit(slot, code);
    });
    updateRef(slot);
  }

  function settleReady(): void {
    if (readyWaiters.length === 0) return;
    let failure: Error | null = closed ? new VerifierPoolClosedError() : null;
    for (const slot of slots) if (failure === null && slot.broken !== null) failure = slot.broken;
    if (failure === null && !slots.every((slot) => slot.isReady)) return;
    for (const waiter of readyWaiters.splice(0)) {
      if (failure === null) waiter.resolve();
      else waiter.reject(failure);
    }
    for (const slot of slots) updateRef(slot);
  }

  function fail(entries: Iterable<Entry>, error: Error): void {
    for (const { call } of entries) {
      if (call.settled) continue;
      call.settled = true;
      call.reject(error);
    }
  }

  function onMessage(slot: Slot, message: VerifierWorkerMessage): void {
    if (message.type === 'ready') {
      slot.isReady = true;
      slot.failedStarts = 0;
      settleReady();
      updateRef(slot);
      return;
    }
    const batch = slot.inFlight.get(message.id);
    if (batch === undefined) return;
    slot.inFlight.delete(message.id);
    slot.inFlightItems -= batch.entries.length;
    counters.itemsVerified += batch.entries.length;
    const { verdicts } = message;
    batch.entries.forEach(({ call, index }, i) => {
      if (call.settled) return;
      call.verdicts[index] = verdicts[i] === 1;
      call.remaining -= 1;
      if (call.remaining === 0) {
        call.settled = true;
        call.resolve(call.verdicts);
      }
    });
    updateRef(slot);
  }

  function onExit(slot: Slot, exitCode: number): void {
    slot.worker = null;
    const lost = [...slot.inFlight.values()];
    slot.inFlight.clear();
    slot.inFlightItems = 0;
    if (closed) return;
    counters.restarts += 1;
    if (!slot.isReady) slot.failedStarts += 1;
    const error = new VerifierWorkerCrashedError(slot.index, exitCode, { cause: slot.lastError });
    if (slot.failedStarts >= MAX_FAILED_STARTS) {
      slot.broken = error;
      for (const batch of lost) fail(batch.entries, error);
      fail(slot.outgoing.splice(0), error);
      slot.outgoingBytes = 0;
      settleReady();
      return;
    }
    spawn(slot);
    for (const batch of lost) {
      batch.attempts += 1;
      if (batch.attempts >= maxAttempts) {
        fail(batch.entries, error);
        continue;
      }
      // Entries of calls that already failed need no answer.
      const live = batch.entries.filter((entry) => !entry.call.settled);
      if (live.length === 0) continue;
      counters.itemsResent += live.length;
      send(slot, { entries: live, attempts: batch.attempts });
    }
  }

  function send(slot: Slot, batch: Batch): void {
    const worker = slot.worker;
    if (worker === null) {
      fail(batch.entries, slot.broken ?? new VerifierPoolClosedError());
      return;
    }
    const id = nextBatchId;
    nextBatchId += 1;
    const buffer = packBatch(batch.entries.map((entry) => entry.item));
    slot.inFlight.set(id, batch);
    slot.inFlightItems += batch.entries.length;
    counters.messagesSent += 1;
    const request: VerifyRequest = { type: 'verify', id, batch: buffer };
    worker.postMessage(request, [buffer]);
    updateRef(slot);
  }

  function flushSlot(slot: Slot): void {
    if (slot.outgoing.length === 0) return;
    const entries = slot.outgoing;
    slot.outgoing = [];
    slot.outgoingBytes = 0;
    send(slot, { entries, attempts: 0 });
  }

  function flushAll(): void {
    flushScheduled = false;
    for (const slot of slots) flushSlot(slot);
  }

  function verify(items: readonly SignatureItem[]): Promise<boolean[]> {
    if (closed) return Promise.reject(new VerifierPoolClosedError());
    return new Promise<boolean[]>((resolve, reject) => {
      const call: Call = { verdicts: new Array<boolean>(items.length).fill(false), remaining: 0, settled: false, resolve, reject };
      counters.itemsSubmitted += items.length;
      for (let index = 0; index < items.length; index += 1) {
        const item = items[index]!;
        if (!hasVerifiableShape(item)) {
          counters.itemsRefusedByShape += 1;
          continue;
        }
        const slot = route(item.publicKey);
        if (slot.broken !== null) {
          call.settled = true;
          reject(slot.broken);
          return;
        }
        slot.outgoing.push({ call, index, item });
        slot.outgoingBytes += ITEM_FIXED_BYTES + item.message.length;
        call.remaining += 1;
        if (slot.outgoing.length >= maxBatch || slot.outgoingBytes >= maxBatchBytes) flushSlot(slot);
      }
      if (call.remaining === 0) {
        call.settled = true;
        resolve(call.verdicts);
        return;
      }
      if (!flushScheduled) {
        flushScheduled = true;
        queueMicrotask(flushAll);
      }
    });
  }

  return {
    size: workerCount,
    verify,
    async verifyOne(publicKey, message, signature) {
      const [verdict] = await verify([{ publicKey, message, signature }]);
      return verdict === true;
    },
    ready() {
      if (closed) return Promise.reject(new VerifierPoolClosedError());
      return new Promise<void>((resolve, reject) => {
        readyWaiters.push({ resolve, reject });
        for (const slot of slots) updateRef(slot);
        settleReady();
      });
    },
    stats() {
      let inFlightItems = 0;
      for (const slot of slots) inFlightItems += slot.inFlightItems;
      return { workers: workerCount, ...counters, inFlightItems };
    },
    async killWorker(index) {
      const slot = slots[index];
      if (slot === undefined) throw new RangeError(`there is no verifier thread ${index}`);
      const worker = slot.worker;
      if (worker === null) return;
      await worker.terminate();
    },
    close() {
      if (closing !== undefined) return closing;
      closed = true;
      const error = new VerifierPoolClosedError();
      for (const slot of slots) {
        for (const batch of slot.inFlight.values()) fail(batch.entries, error);
        fail(slot.outgoing.splice(0), error);
        slot.outgoingBytes = 0;
      }
      settleReady();
      const exits = slots.map(async (slot) => {
        const worker = slot.worker;
        if (worker !== null) await worker.terminate();
      });
      closing = Promise.all(exits).then(() => undefined);
      return closing;
    },
  };
}
