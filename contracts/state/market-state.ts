import { refuse } from '../errors.js';
import type { MarketEvent } from '../events.js';
import { nextAttention } from '../loans/timing.js';
import type { NetworkParams } from '../params.js';
import { OrderBook } from './book.js';
import {
  type AccountRecord,
  type AssetRecord,
  type Counters,
  type CreditRecord,
  type Loan,
  type Order,
  stateKey,
  type StateValue,
} from './records.js';
import { TimerQueue } from './timers.js';
import type { ValidatorSetRecord } from '../validators/validator-set.js';

const NEW_ACCOUNT: AccountRecord = { nonce: 0n, openOrders: 0 };
const NO_CREDIT: CreditRecord = { loansTaken: 0, loansRepaid: 0, repaidOnTime: 0, latePayments: 0, defaults: 0 };

/**
 * The market's whole state: one map from key to immutable record. Writes inside a
 * transaction are journaled so a refusal restores exactly what was there; every write also
 * marks its key changed, so the node can persist and commit to just what a block changed.
 * The order book and the timers are derived from the records and follow every write,
 * including the writes that undo a refused transaction.
 */
export class MarketState {
  /** The records, or in a fork the records it wrote. */
  private readonly records = new Map<string, StateValue>();
  /** In a fork, the keys it deleted (records its base holds that it does not). */
  private readonly deleted = new Set<string>();
  private readonly changed = new Set<string>();
  private undo: Array<[string, StateValue | undefined]> | undefined;
  private touched = new Set<string>();
  private events: MarketEvent[] = [];
  /** Writes so far; a fork checks that the state it reads through has not moved on. */
  private version = 0;
  readonly book: OrderBook;
  readonly timers: TimerQueue;

  constructor(
    private readonly parent?: { readonly state: MarketState; readonly version: number },
    derived?: { readonly book: OrderBook; readonly timers: TimerQueue },
  ) {
    this.book = derived?.book ?? new OrderBook();
    this.timers = derived?.timers ?? new TimerQueue();
  }

  /**
   * A copy-on-write copy: it reads through to this state and keeps its own writes, so
   * transactions can be tried on it (a mempool's pending state, a proposal that may be
   * dropped) while this state stays as it is. Its order book and timers are copied. This
   * state must not change while the fork is in use; a fork read after it has throws.
   */
  fork(): MarketState {
    return new MarketState({ state: this, version: this.version }, { book: this.book.clone(), timers: this.timers.clone() });
  }

  /**
   * Takes in a fork's writes as if the transactions run on the fork had run here: every record
   * it wrote or deleted goes through the usual write path, so the book, the timers and the
   * changed keys follow. The fork must have been taken from this state, which must not have
   * changed since. Records and book end up exactly as running the transactions here would
   * leave them; the timers differ only by hints for intermediate values, which end of block
   * skips as stale anyway.
   */
  absorb(fork: MarketState): void {
    if (fork.parent?.state !== this || fork.parent.version !== this.version) throw new Error('absorb() takes a fork of this state, taken at its current version');
    if (this.undo) throw new Error('absorb() does not run inside atomically()');
    // A record the fork wrote back as it was (a refused transaction's writes, undone) is no change.
    for (const key of fork.deleted) if (this.get(key) !== undefined) this.write(key, undefined);
    for (const [key, value] of fork.records) if (this.get(key) !== value) this.write(key, value);
  }

  /** A state holding these records, with the book and timers derived from them. */
  static fromRecords(entries: Iterable<readonly [string, StateValue]>): MarketState {
    const state = new MarketState();
    for (const [key, value] of entries) state.records.set(key, value);
    for (const [key, value] of state.records) {
      if (key.startsWith('order/')) state.afterOrderWrite(undefined, value as Order);
      else if (key.startsWith('loan/')) state.afterLoanWrite(value as Loan);
    }
    return state;
  }

  // ---- transactions -------------------------------------------------------------------

  /** Runs `body` as one all-or-nothing change: on a throw, every write is undone. */
  atomically<T>(body: () => T): { result: T; events: MarketEvent[] } {
    if (this.undo) throw new Error('atomically() does not nest');
    this.undo = [];
    this.touched = new Set();
    this.events = [];
    try {
      const result = body();
      return { result, events: this.events };
    } catch (error) {
      const undo = this.undo;
      this.undo = undefined; // restore through write() without journaling
      for (let i = undo.length - 1; i >= 0; i--) {
        const [key, value] = undo[i] as [string, StateValue | undefined];
        this.write(key, value);
      }
      throw error;
    } finally {
      this.undo = undefined;
      this.events = [];
    }
  }

  emit(event: MarketEvent): void {
    this.events.push(event);
  }

  /** Keys written since the last call, with their current values (undefined: deleted). */
  takeChanges(): Map<string, StateValue | undefined> {
    const out = new Map<string, StateValue | undefined>();
    for (const key of [...this.changed].sort()) out.set(key, this.get(key));
    this.changed.clear();
    return out;
  }

  /** Every record, sorted by key. */
  entries(): Array<[string, StateValue]> {
    if (!this.parent) return [...this.records].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const all = new Map<string, StateValue>(this.parent.state.entries());
    for (const key of this.deleted) all.delete(key);
    for (const [key, value] of this.records) all.set(key, value);
    return [...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  get(key: string): StateValue | undefined {
    const value = this.records.get(key);
    if (value !== undefined || this.parent === undefined || (this.deleted.size > 0 && this.deleted.has(key))) return value;
    const { state, version } = this.parent;
    if (state.version !== version) throw new Error('this fork is stale: the state it was taken from has changed');
    return state.get(key);
  }

  private write(key: string, value: StateValue | undefined): void {
    const before = this.get(key);
    this.version += 1;
    if (this.undo && !this.touched.has(key)) {
      this.touched.add(key);
      this.undo.push([key, before]);
    }
    if (value !== undefined) {
      this.records.set(key, value);
      if (this.parent) this.deleted.delete(key);
    } else {
      this.records.delete(key);
      if (this.parent) this.deleted.add(key);
    }
    this.changed.add(key);
    if (key.startsWith('order/')) this.afterOrderWrite(before as Order | undefined, value as Order | undefined);
    else if (key.startsWith('loan/') && value !== undefined) this.afterLoanWrite(value as Loan);
  }

  private afterOrderWrite(before: Order | undefined, after: Order | undefined): void {
    this.book.update(before, after);
    if (after && (!before || before.expiresAt !== after.expiresAt)) this.timers.push({ time: after.expiresAt, kind: 'order', id: after.id });
  }

  private afterLoanWrite(loan: Loan): void {
    if (loan.status !== 'active' || this.get(stateKey.params()) === undefined) return;
    const time = nextAttention(loan, this.params());
    if (time !== undefined) this.timers.push({ time, kind: 'loan', id: loan.id });
  }

  // ---- typed records ------------------------------------------------------------------

  params(): NetworkParams {
    return this.get(stateKey.params()) as NetworkParams;
  }

  setParams(params: NetworkParams): void {
    this.write(stateKey.params(), params);
  }

  counters(): Counters {
    return (this.get(stateKey.counters()) as Counters | undefined) ?? { nextOrderId: 1, nextLoanId: 1 };
  }

  /** Takes the next order id. */
  nextOrderId(): number {
    const counters = this.counters();
    this.write(stateKey.counters(), { ...counters, nextOrderId: counters.nextOrderId + 1 });
    return counters.nextOrderId;
  }

  nextLoanId(): number {
    const counters = this.counters();
    this.write(stateKey.counters(), { ...counters, nextLoanId: counters.nextLoanId + 1 });
    return counters.nextLoanId;
  }

  asset(id: string): AssetRecord | undefined {
    return this.get(stateKey.asset(id)) as AssetRecord | undefined;
  }

  /** The asset, or an UNKNOWN_ASSET refusal. */
  requireAsset(id: string): AssetRecord {
    return this.asset(id) ?? refuse('UNKNOWN_ASSET', `asset ${id} is not declared on this chain`, { asset: id });
  }

  putAsset(asset: AssetRecord): void {
    this.write(stateKey.asset(asset.id), asset);
  }

  account(account: string): AccountRecord {
    return (this.get(stateKey.account(account)) as AccountRecord | undefined) ?? NEW_ACCOUNT;
  }

  putAccount(account: string, record: AccountRecord): void {
    const empty = record.nonce === 0n && record.openOrders === 0;
    this.write(stateKey.account(account), empty ? undefined : record);
  }

  balance(account: string, asset: string): bigint {
    return (this.get(stateKey.balance(account, asset)) as bigint | undefined) ?? 0n;
  }

  /** Adds `delta` (which may be negative) to a balance, refusing to take it below zero. */
  addBalance(account: string, asset: string, delta: bigint): void {
    if (delta === 0n) return;
    const balance = this.balance(account, asset) + delta;
    if (balance < 0n) {
      refuse('INSUFFICIENT_FUNDS', `the account holds ${balance - delta} ${asset} and needs ${-delta}`, {
        account,
        asset,
        needed: (-delta).toString(),
        available: (balance - delta).toString(),
      });
    }
    this.write(stateKey.balance(account, asset), balance === 0n ? undefined : balance);
    this.emit({ type: 'balance', account, asset, delta, balance });
  }

  order(id: number): Order | undefined {
    return this.get(stateKey.order(id)) as Order | undefined;
  }

  putOrder(order: Order): void {
    this.write(stateKey.order(order.id), order);
  }

  deleteOrder(id: number): void {
    this.write(stateKey.order(id), undefined);
  }

  loan(id: number): Loan | undefined {
    return this.get(stateKey.loan(id)) as Loan | undefined;
  }

  putLoan(loan: Loan): void {
    this.write(stateKey.loan(loan.id), loan);
  }

  credit(account: string): CreditRecord {
    return (this.get(stateKey.credit(account)) as CreditRecord | undefined) ?? NO_CREDIT;
  }

  updateCredit(account: string, change: (record: CreditRecord) => CreditRecord): void {
    const record = change(this.credit(account));
    this.write(stateKey.credit(account), record);
    this.emit({ type: 'creditChanged', account, record });
  }

  /** The validator set and its open proposals; undefined for a market run without a network (contracts' own tests). */
  validatorSet(): ValidatorSetRecord | undefined {
    return this.get(stateKey.validators()) as ValidatorSetRecord | undefined;
  }

  putValidatorSet(record: ValidatorSetRecord): void {
    this.write(stateKey.validators(), record);
  }
}
