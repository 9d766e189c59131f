import { fromHex } from '../../contracts/codec/canonical.js';
import { signBytesOf, type SignedTransaction } from '../../contracts/tx/envelope.js';
import { rememberAcceptedSigner } from '../../contracts/tx/keys.js';
import { LruMap } from '../../contracts/lru-map.js';
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
  const verdicts = new LruMap<string, boolean>(maxEntries);
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
      if (verdict === undefined) misses += 1;
      else hits += 1;
      return verdict;
    },
    set(id, verdict) {
      if (verdicts.set(id, verdict)) evictions += 1;
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
const inFlightByCache = new WeakMap<SignatureCache, Map<string, InFlight>>();

/** A verification under way: the batch it is in, and its place among the batch's ids. */
interface InFlight {
  readonly batch: Promise<readonly boolean[]>;
  readonly index: number;
}

function signatureItem(signed: SignedTransaction<unknown>): SignatureItem | null {
  try {
    return {
      publicKey: fromHex(signed.tx.signer),
      message: signBytesOf(signed),
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
  const verdicts = new Array<boolean>(signedTxs.length);
  // Positions answered by another call's verification, and positions answered by this call's.
  const waiting: { readonly position: number; readonly other: InFlight }[] = [];
  const ownPositions: number[] = [];
  const ownIds: string[] = [];
  const ownSigners: string[] = [];
  const firstPosition = new Map<string, number>();
  const toPool: SignatureItem[] = [];
  const poolIndex: number[] = [];

  for (let position = 0; position < signedTxs.length; position++) {
    const signed = signedTxs[position]!;
    const known = cache.get(signed.id);
    if (known !== undefined) {
      verdicts[position] = known;
      continue;
    }
    const other = pending.get(signed.id);
    if (other !== undefined) {
      waiting.push({ position, other });
      continue;
    }
    ownPositions.push(position);
    if (firstPosition.has(signed.id)) continue;
    firstPosition.set(signed.id, ownIds.length);
    ownIds.push(signed.id);
    ownSigners.push(signed.tx.signer);
    const item = signatureItem(signed);
    poolIndex.push(item === null ? -1 : toPool.push(item) - 1);
  }

  if (ownIds.length > 0) {
    const forget = (): void => {
      for (const id of ownIds) if (pending.get(id)?.batch === batch) pending.delete(id);
    };
    const answered = toPool.length === 0 ? Promise.resolve<boolean[]>([]) : pool.verify(toPool);
    // One promise for the whole batch, which other calls that meet one of its ids wait on too.
    const batch = answered.then(
      (results) => {
        const byId = ownIds.map((id, i) => {
          const at = poolIndex[i]!;
          const value = at >= 0 && results[at] === true;
          cache.set(id, value);
          // The pool makes the rule's decisions, which accept only under acceptable keys.
          if (value) rememberAcceptedSigner(ownSigners[i]!);
          return value;
        });
        forget();
        return byId;
      },
      (error: unknown) => {
        forget();
        throw error;
      },
    );
    ownIds.forEach((id, index) => pending.set(id, { batch, index }));
    const byId = await batch;
    for (const position of ownPositions) verdicts[position] = byId[firstPosition.get(signedTxs[position]!.id)!]!;
  }
  // The call that started a verification reports its failure; callers waiting on it see it too.
  for (const { position, other } of waiting) verdicts[position] = (await other.batch)[other.index]!;
  return verdicts;
}
