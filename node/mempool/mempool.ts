import type { RefusalDetails, SignedTransaction } from '../../contracts/index.js';

/** Why the mempool turns a transaction away, beside the market's own refusal codes. */
export type MempoolRefusalCode = 'MEMPOOL_FULL' | 'ACCOUNT_QUEUE_FULL' | 'ALREADY_KNOWN' | 'BAD_NONCE';

/** A transaction the mempool will not hold; like a market refusal, it carries a stable code. */
export class MempoolRefusal extends Error {
  override readonly name = 'MempoolRefusal';
  constructor(
    readonly code: MempoolRefusalCode,
    message: string,
    readonly details: RefusalDetails = {},
  ) {
    super(message);
  }
}

export interface MempoolLimits {
  /** Transactions held in all. */
  readonly maxTxs: number;
  /** Transactions held for one account. */
  readonly maxPerAccount: number;
}

/**
 * Transactions waiting for a block, in arrival order. An account's transactions are admitted
 * only in nonce order with no gap (the next one after its committed nonce and those already
 * waiting), so taking them in arrival order keeps every account's nonces in sequence. Bounded
 * in total and per account; signatures are checked before a transaction gets here.
 */
export class Mempool {
  private readonly waiting = new Map<string, SignedTransaction<unknown>>();
  private readonly perAccount = new Map<string, number>();

  constructor(
    private readonly limits: MempoolLimits,
    /** The nonce the account's next committed transaction must carry. */
    private readonly committedNonce: (account: string) => bigint,
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  has(id: string): boolean {
    return this.waiting.has(id);
  }

  /** Admits a transaction or throws a MempoolRefusal; on a refusal nothing changes. */
  add(signed: SignedTransaction<unknown>): void {
    const { signer, nonce } = signed.tx;
    // The same bytes twice are one transaction.
    if (this.waiting.has(signed.id)) throw new MempoolRefusal('ALREADY_KNOWN', 'this transaction is already waiting for a block', { id: signed.id });
    const queued = this.perAccount.get(signer) ?? 0;
    // Nonces run without gaps, so a future nonce would block the account's queue.
    const expected = this.committedNonce(signer) + BigInt(queued);
    if (nonce !== expected) {
      throw new MempoolRefusal('BAD_NONCE', `the account's next nonce is ${expected}, not ${nonce}`, { expected: expected.toString(), got: nonce.toString() });
    }
    if (queued >= this.limits.maxPerAccount) {
      throw new MempoolRefusal('ACCOUNT_QUEUE_FULL', `an account may have at most ${this.limits.maxPerAccount} transactions waiting`, { limit: this.limits.maxPerAccount });
    }
    if (this.waiting.size >= this.limits.maxTxs) {
      throw new MempoolRefusal('MEMPOOL_FULL', `the node holds ${this.limits.maxTxs} waiting transactions; try again after the next block`, { limit: this.limits.maxTxs });
    }
    this.waiting.set(signed.id, signed);
    this.perAccount.set(signer, queued + 1);
  }

  /** Up to `max` waiting transactions in arrival order, left in the pool. */
  peek(max: number): SignedTransaction<unknown>[] {
    const out: SignedTransaction<unknown>[] = [];
    for (const signed of this.waiting.values()) {
      if (out.length >= max) break;
      out.push(signed);
    }
    return out;
  }

  /**
   * Forgets transactions that a block included or refused, and any that the committed
   * nonces have made stale; an account's later transactions that no longer follow its
   * committed nonce are dropped too and returned, so their senders can be told.
   */
  settle(ids: Iterable<string>): SignedTransaction<unknown>[] {
    for (const id of ids) this.waiting.delete(id);
    const dropped: SignedTransaction<unknown>[] = [];
    const next = new Map<string, bigint>();
    this.perAccount.clear();
    for (const [id, signed] of this.waiting) {
      const { signer, nonce } = signed.tx;
      const expected = next.get(signer) ?? this.committedNonce(signer);
      if (nonce !== expected) {
        this.waiting.delete(id);
        dropped.push(signed);
        continue;
      }
      next.set(signer, expected + 1n);
      this.perAccount.set(signer, (this.perAccount.get(signer) ?? 0) + 1);
    }
    return dropped;
  }
}
