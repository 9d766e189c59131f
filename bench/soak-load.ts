import { performance } from 'node:perf_hooks';
import { benchSigners, type BenchSigner, signBench } from './workload.js';

/** Calls in one tRPC batch at most (docs/api.md §6). */
const BATCH = 20;
const TICK_MS = 10;
/** Offered load the generator may owe at once; beyond it the debt is written off as shortfall, not sent in a burst. */
const MAX_DEBT_SECONDS = 0.25;
const REQUEST_TIMEOUT_MS = 120_000;

/** What the load generator saw since it was last asked (or started). */
export interface LoadWindow {
  /** Transactions sent (each in a tx.submit call). */
  readonly sent: number;
  /** Answered committed. */
  readonly committed: number;
  /** Coded refusals (MEMPOOL_FULL, ACCOUNT_QUEUE_FULL, …), by code. */
  readonly refusals: ReadonlyMap<string, number>;
  /** Calls whose outcome is unknown (HTTP failure, timeout, an answer without a code), by kind. */
  readonly failures: ReadonlyMap<string, number>;
  /** Offered transactions not sent, by why: every account was waiting for an answer, or this process fell behind its own schedule. */
  readonly shortfall: { readonly noIdleAccount: number; readonly generatorBehind: number };
  /** Submit-to-answer times of committed transactions, ms, sorted. */
  readonly latencies: readonly number[];
}

interface Account {
  readonly key: BenchSigner;
  readonly index: number;
  nonce: bigint;
}

interface BatchEntry {
  readonly result?: { readonly data?: { readonly status?: string } };
  readonly error?: { readonly data?: { readonly code?: string } };
}

/**
 * An open-loop load generator over the node's HTTP API: at the offered rate it signs the next
 * transaction of an idle account and sends it with tx.submit (wait: true), in tRPC batches of up
 * to 20 calls. Each account has one transaction awaiting its answer at most, so its nonces
 * arrive in order; the workload is a faucet payout at nonce 0 and then transfers of 1 to
 * another of the accounts, so once every account is funded the state stops growing. A refused
 * transaction's nonce is used again; an account whose outcome is unknown is retired.
 */
export class SoakLoad {
  private readonly idle: Account[] = [];
  private readonly keys: readonly BenchSigner[];
  private rate = 0;
  private rateSince = performance.now();
  private sentAtRate = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private window = SoakLoad.emptyWindow();
  readonly accounts: number;
  retired = 0;

  constructor(
    private readonly origin: string,
    private readonly chainId: string,
    accounts: number,
  ) {
    this.accounts = accounts;
    this.keys = benchSigners(accounts);
    this.keys.forEach((key, index) => this.idle.push({ key, index, nonce: 0n }));
  }

  private static emptyWindow() {
    return { sent: 0, committed: 0, refusals: new Map<string, number>(), failures: new Map<string, number>(), shortfall: { noIdleAccount: 0, generatorBehind: 0 }, latencies: [] as number[] };
  }

  /** Offers `perSecond` transactions a second from now on (0 pauses). */
  setRate(perSecond: number): void {
    this.rate = perSecond;
    this.rateSince = performance.now();
    this.sentAtRate = 0;
    this.timer ??= setInterval(() => this.pump(), TICK_MS);
  }

  /** Transactions awaiting their answer. */
  get pending(): number {
    return this.inFlight;
  }

  /** The figures since the last call, and a fresh window. */
  take(): LoadWindow {
    const window = this.window;
    this.window = SoakLoad.emptyWindow();
    window.latencies.sort((a, b) => a - b);
    return window;
  }

  /** Stops offering load and waits, at most `ms`, for the calls sent to be answered. */
  async settle(ms: number): Promise<void> {
    this.setRate(0);
    const deadline = performance.now() + ms;
    while (this.inFlight > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** Stops the generator's timer, so the process can exit. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    if (this.rate <= 0) return;
    const due = Math.floor(((performance.now() - this.rateSince) / 1000) * this.rate) - this.sentAtRate;
    const debtLimit = Math.max(1, Math.ceil(this.rate * MAX_DEBT_SECONDS));
    let owed = due;
    if (owed > debtLimit) {
      if (this.idle.length === 0) this.window.shortfall.noIdleAccount += owed - debtLimit;
      else this.window.shortfall.generatorBehind += owed - debtLimit;
      this.sentAtRate += owed - debtLimit;
      owed = debtLimit;
    }
    const count = Math.min(owed, this.idle.length);
    if (count <= 0) return;
    const accounts = this.idle.splice(0, count);
    this.sentAtRate += count;
    for (let i = 0; i < accounts.length; i += BATCH) void this.send(accounts.slice(i, i + BATCH));
  }

  private wireOf(account: Account): string {
    const { key, index, nonce } = account;
    if (nonce === 0n) return signBench(this.chainId, key, 'faucet', 0n, { asset: 'USD', amount: 1_000_000n }).wire;
    // Another account than the sender's own, a different one at each nonce.
    const to = this.keys[(index + 1 + Number((nonce * 7n) % BigInt(this.accounts - 1))) % this.accounts]!;
    return signBench(this.chainId, key, 'transfer', nonce, { asset: 'USD', to: to.account, amount: 1n }).wire;
  }

  private async send(accounts: Account[]): Promise<void> {
    const body: Record<string, { wire: string; wait: boolean }> = {};
    accounts.forEach((account, i) => (body[String(i)] = { wire: this.wireOf(account), wait: true }));
    const path = accounts.map(() => 'tx.submit').join(',');
    this.inFlight += accounts.length;
    this.window.sent += accounts.length;
    const sent = performance.now();
    let entries: readonly BatchEntry[] | undefined;
    let failure = '';
    try {
      const response = await fetch(`${this.origin}/api/trpc/${path}?batch=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const parsed: unknown = await response.json();
      if (Array.isArray(parsed) && parsed.length === accounts.length) entries = parsed as BatchEntry[];
      else failure = `HTTP ${response.status} without a batch answer`;
    } catch (error) {
      failure = error instanceof Error ? error.name : 'error';
    }
    const took = performance.now() - sent;
    accounts.forEach((account, i) => this.answer(account, entries?.[i], failure, took));
    this.inFlight -= accounts.length;
  }

  private answer(account: Account, entry: BatchEntry | undefined, failure: string, took: number): void {
    const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
    if (entry?.result?.data?.status === 'committed') {
      account.nonce += 1n;
      this.window.committed += 1;
      this.window.latencies.push(took);
      this.idle.push(account);
      return;
    }
    const code = entry?.error?.data?.code;
    // Refused: nothing of it was kept, so the same nonce goes again. Unless the nonce itself is
    // the problem: an account out of step with the chain is retired, as is one whose last
    // transaction may or may not have committed.
    if (code !== undefined) count(this.window.refusals, code);
    else count(this.window.failures, failure || 'answer without a code');
    if (code !== undefined && code !== 'BAD_NONCE' && code !== 'ALREADY_KNOWN') this.idle.push(account);
    else this.retired += 1;
  }
}
