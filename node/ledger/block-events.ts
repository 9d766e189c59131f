import type { MarketEvent } from '../../contracts/index.js';

/**
 * The events one committed block caused, stored with the block in the same atomic write, so
 * the index can be built, resumed after a crash and rebuilt from the store alone without
 * executing anything again.
 */
export interface BlockEvents {
  /** Events of each included transaction, in block order. */
  readonly txEvents: readonly (readonly MarketEvent[])[];
  /** Events of the end-of-block rules (lateness, defaults, expiries). */
  readonly endEvents: readonly MarketEvent[];
}

/** Node-data key of a block's events. */
export function blockEventsKey(height: number): string {
  return `events/${height.toString().padStart(12, '0')}`;
}

/** A bigint in stored JSON: an object with this one key and its decimal digits. */
const BIGINT_TAG = '$bigint';

/** Stored form of a block's events: JSON with every bigint as `{"$bigint": "digits"}`. */
export function encodeBlockEvents(events: BlockEvents): Uint8Array {
  const json = JSON.stringify({ tx: events.txEvents, end: events.endEvents }, (_key, value: unknown) =>
    typeof value === 'bigint' ? { [BIGINT_TAG]: value.toString(10) } : value,
  );
  return new TextEncoder().encode(json);
}

export class BlockEventsCorruptError extends Error {
  override readonly name = 'BlockEventsCorruptError';
}

export function decodeBlockEvents(bytes: Uint8Array): BlockEvents {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes), (_key, value: unknown) => {
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const keys = Object.keys(value);
        if (keys.length === 1 && keys[0] === BIGINT_TAG) {
          const digits = (value as Record<string, unknown>)[BIGINT_TAG];
          if (typeof digits !== 'string' || !/^-?\d+$/.test(digits)) throw new BlockEventsCorruptError(`a stored amount is not an integer: ${String(digits)}`);
          return BigInt(digits);
        }
      }
      return value;
    });
  } catch (error) {
    if (error instanceof BlockEventsCorruptError) throw error;
    throw new BlockEventsCorruptError(`stored block events do not parse: ${(error as Error).message}`);
  }
  const record = parsed as { tx?: unknown; end?: unknown };
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(record.tx) || !Array.isArray(record.end) || !record.tx.every(Array.isArray)) {
    throw new BlockEventsCorruptError('stored block events are not {tx: [[...]], end: [...]}');
  }
  return { txEvents: record.tx as MarketEvent[][], endEvents: record.end as MarketEvent[] };
}
