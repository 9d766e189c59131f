import { fromHex } from '../../contracts/codec/canonical.js';
import type { CanonicalValue } from '../../contracts/codec/canonical.js';
import { signBytes, type SignedTransaction, type Transaction } from '../../contracts/tx/envelope.js';
import type { SignatureItem, VerifierPool } from './verifier-pool.js';

/**
 * Each signature verified once per node: signature verdicts remembered by transaction id.
 *
 * A transaction id is SHA-256 of the whole signed envelope (chain id, signer, nonce, body and
 * the signature itself), so the verdict is a function of the id, and both verdicts are kept:
 * an invalid transaction gossiped again costs a map lookup, not a verification. The id must be
 * one the node computed (decodeTransaction / signTransaction), never one a peer claims.
 */

/** Options for {@link createSignatureCache}. */
export interface SignatureCacheOptions {
  /** Verdicts kept; the least recently used goes first. Default 200 000. */
  readonly maxEntries?: number;
}

/** Counters since the cache was created. */
export interface SignatureCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
}

/** A bounded map from transaction id to signature verdict, least recently used evicted first. */
export interface SignatureCache {
  readonly maxEntries: number;
  readonly size: number;
  /** The remembered verdict, or undefined; a hit makes the entry the most recently used. */
  get(id: string): boolean | undefined;
  /** Remembers a verdict, evicting the least recently used entry when full. */
  set(id: string, verdict: boolean): void;
  delete(id: string): boolean;
  clear(): void;
  stats(): SignatureCacheStats;
}

const DEFAULT_MAX_ENTRIES = 200_000;

/** Creates an empty cache. */
export function createSignatureCache(options: SignatureCacheOptions = {}): SignatureCache {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  // A Map iterates in insertion order; re-inserting on a hit keeps the oldest-used first.
  const verdicts = new Map<string, boolean>();
  let hits = 0;
  let misses = 0;
  let evictions = 0;

  return {
    maxEntries,
    get size() {
      return verdicts.size;
    },
    get(id) {
      const verdict = verdicts.get(id);
      if (verdict === undefined) {
        misses += 1;
        return undefined;
      }
      hits += 1;
      verdicts.delete(id);
      verdicts.set(id, verdict);
      return verdict;
    },
    set(id, verdict) {
      if (verdicts.has(id)) verdicts.delete(id);
      else if (verdicts.size >= maxEntries) {
        const oldest = verdicts.keys().next();
        if (oldest.done !== true) {
          verdicts.delete(oldest.value);
          evictions += 1;
        }
      }
      verdicts.set(id, verdict);
    },
    delete(id) {
      return verdicts.delete(id);
    },
    clear() {
      verdicts.clear();
    },
    stats() {
      return { hits, misses, evictions };
    },
  };
}

// Verifications under way per cache, so a transaction arriving twice at once (from two
// peers) is still verified once: the second call waits for the first one's verdict.
const inFlightByCache = new WeakMap<SignatureCache, Map<string, Promise<boolean>>>();

function signatureItem(signed: SignedTransaction<unknown>): SignatureItem | null {
  try {
    return {
      publicKey: fromHex(signed.tx.signer),
      message: signBytes(signed.tx as Transaction<CanonicalValue>),
      signature: fromHex(signed.signature),
    };
  } catch {
    // Not hex, or a body that does not encode: no valid signature can cover it.
    return null;
  }
}

/**
 * Signature verdicts for signed transactions, in order: remembered verdicts from the cache,
 * verdicts under way in another call awaited, and the rest (each distinct id once) sent to the
 * pool in one call and then remembered. If the pool rejects, nothing is remembered and the
 * call rejects with the pool's error.
 */
export async function verifyTransactions(
  pool: Pick<VerifierPool, 'verify'>,
  cache: SignatureCache,
  signedTxs: readonly SignedTransaction<unknown>[],
): Promise<boolean[]> {
  let inFlight = inFlightByCache.get(cache);
  if (inFlight === undefined) {
    inFlight = new Map();
    inFlightByCache.set(cache, inFlight);
  }
  const pending = inFlight;
  const verdicts: (boolean | Promise<boolean>)[] = new Array<boolean | Promise<boolean>>(signedTxs.length);
  const fresh = new Map<string, { readonly item: SignatureItem | null; readonly positions: number[] }>();

  signedTxs.forEach((signed, position) => {
    const known = cache.get(signed.id);
    if (known !== undefined) {
      verdicts[position] = known;
      return;
    }
    const waiting = pending.get(signed.id);
    if (waiting !== undefined) {
      verdicts[position] = waiting;
      return;
    }
    const seen = fresh.get(signed.id);
    if (seen !== undefined) seen.positions.push(position);
    else fresh.set(signed.id, { item: signatureItem(signed), positions: [position] });
  });

  if (fresh.size > 0) {
    const ids = [...fresh.keys()];
    const toPool: SignatureItem[] = [];
    const poolIndex: number[] = [];
    for (const id of ids) {
      const { item } = fresh.get(id)!;
      poolIndex.push(item === null ? -1 : toPool.push(item) - 1);
    }
    const answered = toPool.length === 0 ? Promise.resolve<boolean[]>([]) : pool.verify(toPool);
    ids.forEach((id, i) => {
      const at = poolIndex[i]!;
      const verdict = answered.then((results) => {
        const value = at >= 0 && results[at] === true;
        cache.set(id, value);
        return value;
      });
      const settled = verdict.finally(() => {
        if (pending.get(id) === verdict) pending.delete(id);
      });
      // The call that started the verification reports its failure; later callers see it too.
      settled.catch(() => undefined);
      pending.set(id, verdict);
      for (const position of fresh.get(id)!.positions) verdicts[position] = verdict;
    });
  }
  return Promise.all(verdicts);
}
