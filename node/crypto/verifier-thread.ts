import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SignatureItem } from './verifier-pool-api.js';
import { BATCH_KEY_BYTES, BATCH_SIGNATURE_BYTES, type VerifierWorkerData } from './verifier-worker.js';

/** How the pool starts its threads and packs their work: the thread side of the messaging. */

const ITEM_FIXED_BYTES = BATCH_KEY_BYTES + BATCH_SIGNATURE_BYTES;

let bootstrapCache: { readonly code: string } | { readonly file: URL } | undefined;

/** How a thread starts: the compiled .js worker, or an evaluated bootstrap that registers tsx first. */
function workerEntry(): { readonly code: string } | { readonly file: URL } {
  if (bootstrapCache !== undefined) return bootstrapCache;
  if (import.meta.url.endsWith('.js')) {
    bootstrapCache = { file: new URL('./verifier-worker.js', import.meta.url) };
    return bootstrapCache;
  }
  const worker = new URL('./verifier-worker.ts', import.meta.url).href;
  const tsxApi = resolveTsxApi();
  const code =
    `import(${JSON.stringify(tsxApi)})` +
    `.then((api) => { api.register(); return import(${JSON.stringify(worker)}); });`;
  bootstrapCache = { code };
  return bootstrapCache;
}

/** The ESM build of `tsx/esm/api`, as a file URL the bootstrap can import from anywhere. */
function resolveTsxApi(): string {
  try {
    const resolved = import.meta.resolve('tsx/esm/api');
    if (resolved.startsWith('file:') && resolved.endsWith('.mjs')) return resolved;
  } catch {
    // Not every loader provides import.meta.resolve; fall through.
  }
  // The package's exports map "./esm/api" (import) to this file.
  const packageJson = createRequire(import.meta.url).resolve('tsx/package.json');
  return new URL('dist/esm/api/index.mjs', pathToFileURL(packageJson)).href;
}

/** Starts one verifier thread with its own key cache of `maxKeys`. */
export function spawnThread(maxKeys: number): Worker {
  const workerData: VerifierWorkerData = { maxKeys };
  const entry = workerEntry();
  // execArgv: [] so a thread does not inherit the parent's loader flags (tsx's --import), which
  // do nothing useful in a worker on Node 20.
  if ('file' in entry) return new Worker(entry.file, { workerData, execArgv: [] });
  return new Worker(entry.code, { eval: true, workerData, execArgv: [] });
}

/** One batch as one transferable buffer: count, message lengths, then key ‖ signature ‖ message per item. */
export function packBatch(items: readonly SignatureItem[]): ArrayBuffer {
  let total = 4 + 4 * items.length;
  for (const item of items) total += ITEM_FIXED_BYTES + item.message.length;
  const buffer = new ArrayBuffer(total);
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  view.setUint32(0, items.length, true);
  let at = 4 + 4 * items.length;
  items.forEach((item, i) => {
    view.setUint32(4 + 4 * i, item.message.length, true);
    bytes.set(item.publicKey, at);
    bytes.set(item.signature, at + BATCH_KEY_BYTES);
    bytes.set(item.message, at + ITEM_FIXED_BYTES);
    at += ITEM_FIXED_BYTES + item.message.length;
  });
  return buffer;
}
