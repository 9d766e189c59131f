import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRefusal } from '../errors.js';
import { parseVectorFile, replayPre, runStep } from '../test/vector-format.js';
import { MarketState } from './market-state.js';
import { decodeRecord, encodeRecord } from './record-codec.js';

const folder = join(import.meta.dirname, '..', 'test', 'vectors');
const cases = readdirSync(folder)
  .filter((file) => file.endsWith('.json'))
  .flatMap((file) => parseVectorFile(readFileSync(join(folder, file), 'utf8'), file));

/** The final state of every vector case: every kind of record in many shapes. */
function finalStates(): MarketState[] {
  return cases.map((vector) => {
    const state = replayPre(vector);
    for (const step of vector.txs) runStep(state, step);
    return state;
  });
}

describe('stored records', () => {
  it('every record of every vector state decodes back to itself', () => {
    let records = 0;
    const kinds = new Set<string>();
    for (const state of finalStates()) {
      for (const [key, value] of state.entries()) {
        const text = encodeRecord(value);
        expect(decodeRecord(key, text)).toEqual(value);
        expect(decodeRecord(key, new TextEncoder().encode(text))).toEqual(value);
        kinds.add(key.split('/')[0] as string);
        records += 1;
      }
    }
    expect(records).toBeGreaterThan(500);
    expect([...kinds].sort()).toEqual(['account', 'asset', 'balance', 'counters', 'credit', 'loan', 'order', 'params', 'validators']);
  });

  it('a state rebuilt from decoded records equals the original', () => {
    for (const state of finalStates().slice(0, 20)) {
      const rebuilt = MarketState.fromRecords(state.entries().map(([key, value]) => [key, decodeRecord(key, encodeRecord(value))] as const));
      expect(rebuilt.entries()).toEqual(state.entries());
    }
  });

  it('refuses a corrupted record with a code', () => {
    const codeOf = (key: string, text: string) => {
      try {
        decodeRecord(key, text);
        return undefined;
      } catch (error) {
        return isRefusal(error) ? error.code : 'THREW';
      }
    };
    expect(codeOf('balance/ab/USD', '"-5"')).toBe('BAD_FIELD');
    expect(codeOf('account/ab', '{"nonce":"1","openOrders":"0","x":"1"}')).toBe('UNKNOWN_FIELD');
    expect(codeOf('account/ab', '{"openOrders":"0","nonce":"1"}')).toBe('NON_CANONICAL');
    expect(codeOf('mystery/1', '"1"')).toBe('BAD_FIELD');
    expect(codeOf('credit/ab', '{"loansTaken":"1"')).toBe('MALFORMED');
  });
});
