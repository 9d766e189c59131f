import { LruMap } from '../../contracts/lru-map.js';

/**
 * The API's limit per client address: a token bucket per IP. Each address may make `burst`
 * requests at once and then `perMinute` a minute, refilled continuously. A request over the
 * limit is answered 429 with the seconds until the next one would be taken (Retry-After), and
 * never reaches the API, so a flood from one address costs the node a map lookup per request.
 *
 * Loopback addresses are not limited unless asked: a reverse proxy on the node's machine sends
 * every client's requests from there, so a limit would throttle all clients together (put the
 * limit in the proxy instead), and the devnet's own browser tabs come from there too.
 *
 * The table of addresses is bounded: past `maxAddresses`, the address seen longest ago is
 * forgotten first (its bucket would have refilled long since, or it is a flood of made-up
 * source addresses, which a bound is all that stops).
 */

export interface RateLimitSettings {
  /** Requests a minute an address may make, sustained; 0 turns the limit off. */
  readonly perMinute: number;
  /** Requests an address may make at once, on top of an idle period. */
  readonly burst: number;
  /** Addresses remembered at most. */
  readonly maxAddresses?: number;
  /** Whether 127.0.0.0/8 and ::1 go unlimited; by default they do. */
  readonly exemptLoopback?: boolean;
}

/** Generous enough for the web app's pages (a handful of reads a block each), tight enough to stop a flood. */
export const DEFAULT_RATE_LIMIT: RateLimitSettings = { perMinute: 3_000, burst: 600 };

const DEFAULT_MAX_ADDRESSES = 100_000;

/** Whether a request may go on, and if not, how long until it could. */
export type RateVerdict = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface RateLimiter {
  /** Takes one request from `address`'s allowance at `nowMs`. */
  take(address: string, nowMs?: number): RateVerdict;
  /** Addresses currently remembered. */
  readonly size: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(settings: RateLimitSettings): RateLimiter {
  const { perMinute, burst } = settings;
  if (!Number.isSafeInteger(perMinute) || perMinute < 0) throw new RangeError('perMinute must be a whole number, 0 or more');
  if (!Number.isSafeInteger(burst) || burst < 1) throw new RangeError('burst must be a whole number, 1 or more');
  const maxAddresses = settings.maxAddresses ?? DEFAULT_MAX_ADDRESSES;
  const perMs = perMinute / 60_000;
  const exemptLoopback = settings.exemptLoopback ?? true;
  // Least recently seen first: the address seen longest ago is the one forgotten.
  const buckets = new LruMap<string, Bucket>(maxAddresses);
  return {
    take(address, nowMs = performance.now()) {
      if (perMinute === 0 || (exemptLoopback && isLoopback(address))) return { allowed: true };
      const bucket = buckets.get(address) ?? { tokens: burst, at: nowMs };
      bucket.tokens = Math.min(burst, bucket.tokens + Math.max(0, nowMs - bucket.at) * perMs);
      bucket.at = nowMs;
      buckets.set(address, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    },
    get size() {
      return buckets.size;
    },
  };
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
