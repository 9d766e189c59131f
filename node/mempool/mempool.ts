import {
  applyTransaction,
  type BlockContext,
  isRefusal,
  type MarketEvent,
  type MarketState,
  type Refusal,
  type RefusalDetails,
  type SignedTransaction,
} from '../../contracts/index.js';
import type { PendingBlock } from '../chain/execute.js';

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
  /** Each waiting transaction's events as it applied to the pending state. */
  private readonly events = new Map<string, readonly MarketEvent[]>();
  private pending: MarketState;
  /**
   * The context the waiting transactions are applied at: the next block's height and the best
   * guess at its time when the pending state was last started (at the last block, or when a
   * transaction arrived at an empty pool), so they are all applied at one context.
   */
  private context: BlockContext | undefined;

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
    if (this.waiting.size === 0 || this.context === undefined) this.context = this.base.context();
    // Throws the market's Refusal, leaving the pending state as it was.
    this.events.set(signed.id, applyTransaction(this.pending, this.context, signed.tx));
    this.waiting.set(signed.id, signed);
    this.perAccount.set(signer, queued + 1);
  }

  /**
   * The pending state as the next block, when that block would be exactly the waiting
   * transactions at `context`: all of them fit in `max`, and every one was applied at that
   * height and time on the current base. Otherwise undefined, and the block is built by
   * executing them again.
   */
  pendingBlock(context: BlockContext, max: number): PendingBlock | undefined {
    const at = this.context;
    if (this.waiting.size === 0 || this.waiting.size > max || !at || at.height !== context.height || at.time !== context.time) return undefined;
    const included = [...this.waiting.values()];
    return { fork: this.pending, included, txEvents: included.map((signed) => this.events.get(signed.id)!) };
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
    for (const id of ids) {
      this.waiting.delete(id);
      this.events.delete(id);
    }
    this.pending = this.base.state().fork();
    this.perAccount.clear();
    const context = this.base.context();
    this.context = context;
    const dropped: DroppedTransaction[] = [];
    for (const [id, signed] of this.waiting) {
      try {
        this.events.set(id, applyTransaction(this.pending, context, signed.tx));
      } catch (error) {
        if (!isRefusal(error)) throw error;
        this.waiting.delete(id);
        this.events.delete(id);
        dropped.push({ tx: signed, refusal: error });
        continue;
      }
      this.perAccount.set(signed.tx.signer, (this.perAccount.get(signed.tx.signer) ?? 0) + 1);
    }
    return dropped;
  }
}
