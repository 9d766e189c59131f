/** The assertion every invariant uses, and the canonical text that compares states and events. */
import { encodeCanonical, type CanonicalValue } from '../../codec/canonical.js';

/** Throws with the message when the invariant does not hold; fast-check then shrinks the run. */
export function check(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new Error(message());
}

export function canon(value: unknown): string {
  return encodeCanonical(value as CanonicalValue);
}
