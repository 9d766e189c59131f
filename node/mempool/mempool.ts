import {
  applyTransaction,
  type BlockContext,
  isRefusal,
  type MarketState,
  type Refusal,
  type RefusalDetails,
  type SignedTransaction,
} from '../../contracts/index.js';

/** Why the mempool turns a transaction away, beside the market's own refusal codes. */
export type MempoolRefusalCode = 'MEMPOOL_FULL' | 'ACCOUNT_QUEUE_FULL' | 'ALREADY_KNOWN';

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

/** Where the mempool's pending state starts, and the block its transactions are tried for. */
export interface MempoolBase {
  /** The state the next block will be built on: the committed state, or the proposal being committed. */
  readonly state: () => MarketState;
  /** The next block's height and a best guess at its time. */
  readonly context: () => BlockContext;
}

/** A transaction the mempool let go because it no longer applies, with the market's reason. */
export interface DroppedTransaction {
  readonly tx: SignedTransaction<unknown>;
  readonly refusal: Refusal;
}

/**
 * Transactions waiting for a block, in arrival order, and the pending state: the next block's
 * base with every waiting transaction applied in that order. A transaction is admitted only
 * if the market's rules accept it on the pending state (nonce, funds, collateral, the order
 * or loan it names), so the mempool holds what the next block would include, and a sender
 * hears at once that a transfer overdraws or a nonce does not follow. Taking transactions in
 * arrival order keeps each account's nonces in sequence. Bounded in total and per account;
 * signatures are checked before a transaction gets here.
 */
export class Mempool {
  private readonly waiting = new Map<string, SignedTransaction<unknown>>();
  private readonly perAccount = new Map<string, number>();
  private pending: MarketState;

  constructor(
    private readonly limits: MempoolLimits,
    private readonly base: MempoolBase,
  ) {
    this.pending = base.state().fork();
  }

  get size(): number {
    return this.waiting.size;
  }

  has(id: string): boolean {
    return this.waiting.has(id);
  }

  /**
   * Admits a transaction, or throws a MempoolRefusal (pool limits) or the market's Refusal
   * (the rules on the pending state); on a refusal nothing changes.
   */
  add(signed: SignedTransaction<unknown>): void {
    const { signer } = signed.tx;
    // The same bytes twice are one transaction.
    if (this.waiting.has(signed.id)) throw new MempoolRefusal('ALREADY_KNOWN', 'this transaction is already waiting for a block', { id: signed.id });
    const queued = this.perAccount.get(signer) ?? 0;
    if (queued >= this.limits.maxPerAccount) {
      throw new MempoolRefusal('ACCOUNT_QUEUE_FULL', `an account may have at most ${this.limits.maxPerAccount} transactions waiting`, { limit: this.limits.maxPerAccount });
    }
    if (this.waiting.size >= this.limits.maxTxs) {
      throw new MempoolRefusal('MEMPOOL_FULL', `the node holds ${this.limits.maxTxs} waiting transactions; try again after the next block`, { limit: this.limits.maxTxs });
    }
    // Throws the market's Refusal, leaving the pending state as it was.
    applyTransaction(this.pending, this.base.context(), signed.tx);
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
   * Forgets transactions that a block included or refused, then rebuilds the pending state on
   * the new base by trying the rest again in arrival order. Those that no longer apply (a
   * nonce that no longer follows, funds a block spent, an order another account filled) are
   * dropped and returned with the reason, so their senders can be told.
   */
  settle(ids: Iterable<string>): DroppedTransaction[] {
    for (const id of ids) this.waiting.delete(id);
    this.pending = this.base.state().fork();
    this.perAccount.clear();
    const context = this.base.context();
    const dropped: DroppedTransaction[] = [];
    for (const [id, signed] of this.waiting) {
      try {
        applyTransaction(this.pending, context, signed.tx);
      } catch (error) {
        if (!isRefusal(error)) throw error;
        this.waiting.delete(id);
        dropped.push({ tx: signed, refusal: error });
        continue;
      }
      this.perAccount.set(signed.tx.signer, (this.perAccount.get(signed.tx.signer) ?? 0) + 1);
    }
    return dropped;
  }
}
