import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REFUSAL_CODES } from '../errors.js';
import { TX_DEFINITIONS } from '../txs/registry.js';
import { coverageOf, parseVectorFile, replayCase, type VectorCase } from './vector-format.js';

/**
 * The one runner of the contract vectors (written by `npm run vectors`): each case is
 * replayed from its genesis and pre blocks, and its steps must give exactly the recorded
 * state and events, or the recorded refusal with the state unchanged.
 */
const VECTOR_DIR = fileURLToPath(new URL('./vectors/', import.meta.url));

const files = readdirSync(VECTOR_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({ file, cases: parseVectorFile(readFileSync(`${VECTOR_DIR}${file}`, 'utf8'), file) }));

function checkCase(vector: VectorCase): void {
  const replay = replayCase(vector);
  if (vector.error) {
    const [outcome] = replay.outcomes;
    expect(outcome?.ok === false ? outcome.code : 'accepted').toBe(vector.error.code);
    expect(replay.after).toEqual(replay.before);
    return;
  }
  const post = vector.post as NonNullable<VectorCase['post']>;
  expect(replay.outcomes.map((outcome, i) => (outcome.ok ? `step ${i}: ok` : `step ${i}: refused ${outcome.code}`))).toEqual(vector.txs.map((_, i) => `step ${i}: ok`));
  replay.outcomes.forEach((outcome, i) => {
    if (outcome.ok) expect(outcome.events, `events of step ${i}`).toEqual(post.events[i]);
  });
  expect(replay.after).toEqual(post.state);
}

describe('contract vectors', () => {
  it('has vector files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const { file, cases } of files) {
    describe(file, () => {
      for (const vector of cases) it(vector.name, () => checkCase(vector));
    });
  }

  it('every transaction type succeeds in some case and every refusal code is produced by one', () => {
    const { txTypes, refusalCodes } = coverageOf(files.flatMap(({ cases }) => cases));
    expect(TX_DEFINITIONS.map((d) => d.type).filter((type) => !txTypes.has(type)), 'transaction types with no successful vector').toEqual([]);
    expect(REFUSAL_CODES.filter((code) => !refusalCodes.has(code)), 'refusal codes with no vector').toEqual([]);
  });
});
