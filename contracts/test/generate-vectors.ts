/**
 * Writes the contract vectors (`npm run vectors`): every case in vector-cases/ is run with
 * the real market rules and saved as `contracts/test/vectors/<topic>.json` for the one
 * runner (vectors.test.ts) and for anyone re-implementing the rules. Each case also states,
 * by hand, the figures it is about; the cases assert them before anything is written, so a
 * wrong rule fails here instead of becoming a vector.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { REFUSAL_CODES } from '../errors.js';
import { TX_DEFINITIONS } from '../txs/registry.js';
import { assetCases } from './vector-cases/assets.js';
import { latenessCases } from './vector-cases/lateness-default.js';
import { loanCases } from './vector-cases/loans.js';
import { matchingCases } from './vector-cases/matching.js';
import { orderCases } from './vector-cases/orders.js';
import { assetRefusals } from './vector-cases/refusals-assets.js';
import { decodingRefusals } from './vector-cases/refusals-decoding.js';
import { loanRefusals } from './vector-cases/refusals-loans.js';
import { orderRefusals } from './vector-cases/refusals-orders.js';
import { validatorCases } from './vector-cases/validators.js';
import { coverageOf, formatVectorJson, parseVectorFile, replayCase, type VectorCase } from './vector-format.js';

const TOPICS: readonly (readonly [string, () => VectorCase[]])[] = [
  ['assets', assetCases],
  ['orders', orderCases],
  ['matching', matchingCases],
  ['loans', loanCases],
  ['lateness-default', latenessCases],
  ['refusals-decoding', decodingRefusals],
  ['refusals-assets', assetRefusals],
  ['refusals-orders', orderRefusals],
  ['refusals-loans', loanRefusals],
  ['validators', validatorCases],
];

/** Re-reads a written file and replays it, so what is written is exactly what the runner checks. */
function verifyFile(file: string, text: string): void {
  for (const vector of parseVectorFile(text, file)) {
    const replay = replayCase(vector);
    const last = replay.outcomes.at(-1);
    if (vector.error) {
      if (!last || last.ok || last.code !== vector.error.code) throw new Error(`${file} ${vector.name}: replay did not refuse with ${vector.error.code}`);
      if (!isDeepStrictEqual(replay.after, replay.before)) throw new Error(`${file} ${vector.name}: replayed refusal changed the state`);
    } else if (vector.post) {
      const events = replay.outcomes.map((outcome) => (outcome.ok ? outcome.events : undefined));
      if (!isDeepStrictEqual(events, vector.post.events) || !isDeepStrictEqual(replay.after, vector.post.state)) {
        throw new Error(`${file} ${vector.name}: replay differs from the generated outcome`);
      }
    }
  }
}

function main(): void {
  const outDir = fileURLToPath(new URL('./vectors/', import.meta.url));
  const files = new Map<string, string>();
  const all: VectorCase[] = [];
  for (const [topic, build] of TOPICS) {
    const cases = build();
    all.push(...cases);
    const file = `${topic}.json`;
    const text = formatVectorJson(cases);
    verifyFile(file, text);
    files.set(file, text);
  }

  const { txTypes, refusalCodes } = coverageOf(all);
  const missingTypes = TX_DEFINITIONS.map((d) => d.type).filter((type) => !txTypes.has(type));
  const missingCodes = REFUSAL_CODES.filter((code) => !refusalCodes.has(code));
  if (missingTypes.length > 0 || missingCodes.length > 0) {
    throw new Error(`vectors do not cover: ${[...missingTypes.map((t) => `tx ${t}`), ...missingCodes.map((c) => `refusal ${c}`)].join(', ')}`);
  }

  mkdirSync(outDir, { recursive: true });
  for (const existing of readdirSync(outDir)) {
    // The runner replays every file here; one this generator no longer writes is left for a person to delete.
    if (existing.endsWith('.json') && !files.has(existing)) console.warn(`vectors/${existing} is not written by this generator: delete it if it is stale`);
  }
  for (const [file, text] of files) writeFileSync(new URL(`./vectors/${file}`, import.meta.url), text);
  console.log(`wrote ${all.length} cases in ${files.size} files to contracts/test/vectors`);
}

main();
