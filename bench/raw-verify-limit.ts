import { Worker } from 'node:worker_threads';

/** Signatures for the raw-limit threads: signer keys as SPKI DER, items naming their signer. */
export interface RawVerifyLoad {
  readonly spki: readonly Uint8Array[];
  readonly items: readonly { readonly signer: number; readonly message: Uint8Array; readonly signature: Uint8Array }[];
}

// The raw-limit thread: plain JavaScript, evaluated, so it needs no TypeScript loader.
const RAW_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const keys = workerData.spki.map((der) => createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }));
const items = workerData.items.map((item) => ({ key: keys[item.signer], message: item.message, signature: item.signature }));
parentPort.postMessage('ready');
parentPort.once('message', (ms) => {
  const limit = BigInt(ms) * 1000000n;
  const started = process.hrtime.bigint();
  let elapsed = 0n;
  let operations = 0;
  let next = 0;
  while (elapsed < limit) {
    for (let j = 0; j < 100; j += 1) {
      const item = items[next];
      next = next + 1 === items.length ? 0 : next + 1;
      if (!verify(null, item.message, item.key, item.signature)) throw new Error('raw thread: a valid signature failed');
    }
    operations += 100;
    elapsed = process.hrtime.bigint() - started;
  }
  parentPort.postMessage({ operations, ns: Number(elapsed) });
});
`;

/**
 * The machine's raw verification limit: `threads` threads started together, each running
 * plain `crypto.verify` with KeyObjects in hand for `ms`; the sum of their rates (signatures/s).
 */
export async function rawVerifyLimit(load: RawVerifyLoad, threads: number, ms: number): Promise<number> {
  const workers = Array.from({ length: threads }, () => new Worker(RAW_THREAD, { eval: true, workerData: load, execArgv: [] }));
  try {
    const settled = (worker: Worker, expect: (value: unknown) => boolean): Promise<unknown> =>
      new Promise((resolve, reject) => {
        const onMessage = (value: unknown): void => {
          if (!expect(value)) return;
          worker.off('message', onMessage);
          resolve(value);
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
      });
    await Promise.all(workers.map((worker) => settled(worker, (value) => value === 'ready')));
    const results = workers.map((worker) => settled(worker, (value) => typeof value === 'object' && value !== null));
    for (const worker of workers) worker.postMessage(ms);
    const rates = ((await Promise.all(results)) as { operations: number; ns: number }[]).map((result) => (result.operations * 1e9) / result.ns);
    return rates.reduce((sum, rate) => sum + rate, 0);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
