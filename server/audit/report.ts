import type { Loan, MarketEvent } from '../../contracts/index.js';
import { splitProRata } from '../../contracts/money.js';

/**
 * Auditors' reports: what the market's loans did over a period, for an account, or for one
 * loan, computed from the ledger's loan events alone. Pure: the command feeds it the events of
 * the verified chain, the API those of the index, and both get the same figures.
 */

/** The events a loan's life is made of. */
export type LoanEvent = Extract<MarketEvent, { type: 'loanOriginated' | 'repayment' | 'installmentLate' | 'loanRepaid' | 'loanDefaulted' }>;

export const LOAN_EVENT_TYPES: readonly LoanEvent['type'][] = ['loanOriginated', 'repayment', 'installmentLate', 'loanRepaid', 'loanDefaulted'];

/** A loan event where the ledger put it: its block, its place among the block's events, the block's time. */
export interface LedgerLoanEvent {
  readonly height: number;
  readonly seq: number;
  readonly time: number;
  readonly event: LoanEvent;
}

export const isLoanEvent = (event: MarketEvent): event is LoanEvent => (LOAN_EVENT_TYPES as readonly string[]).includes(event.type);

/** The loan events of one block, numbered as the index numbers them (every event of the block counts). */
export function loanEventsOfBlock(height: number, time: number, events: readonly MarketEvent[]): LedgerLoanEvent[] {
  const found: LedgerLoanEvent[] = [];
  events.forEach((event, seq) => {
    if (isLoanEvent(event)) found.push({ height, seq, time, event });
  });
  return found;
}

/** An amount per asset. */
export interface AssetAmount {
  readonly asset: string;
  readonly amount: bigint;
}

/** One asset's figures over a period or for an account's role. */
export interface AssetFigures {
  readonly asset: string;
  readonly originated: { readonly count: number; readonly principal: bigint };
  /** Repayments; `interestWaived` is the future interest that prepayments no longer owed. */
  readonly repayments: { readonly count: number; readonly principal: bigint; readonly interest: bigint; readonly lateFees: bigint; readonly interestWaived: bigint };
  /** Installments that became late, and the late fees they were charged. */
  readonly late: { readonly count: number; readonly fees: bigint };
  /** Loans that defaulted, the principal still outstanding when they did, and the collateral the lenders took. */
  readonly defaults: { readonly count: number; readonly principal: bigint; readonly collateral: readonly AssetAmount[] };
  readonly loansRepaid: number;
  /** Principal outstanding at the end: lent, less repaid, less written off at default. */
  readonly outstanding: bigint;
}

/** Figures as they are being added up. */
class AssetTally {
  originated = 0;
  originatedPrincipal = 0n;
  repayments = 0;
  principal = 0n;
  interest = 0n;
  lateFees = 0n;
  interestWaived = 0n;
  late = 0;
  lateFeesCharged = 0n;
  defaults = 0;
  defaultedPrincipal = 0n;
  readonly collateral = new Map<string, bigint>();
  loansRepaid = 0;

  figures(asset: string, outstanding: bigint): AssetFigures {
    return {
      asset,
      originated: { count: this.originated, principal: this.originatedPrincipal },
      repayments: { count: this.repayments, principal: this.principal, interest: this.interest, lateFees: this.lateFees, interestWaived: this.interestWaived },
      late: { count: this.late, fees: this.lateFeesCharged },
      defaults: {
        count: this.defaults,
        principal: this.defaultedPrincipal,
        collateral: [...this.collateral].sort(([a], [b]) => (a < b ? -1 : 1)).map(([asset, amount]) => ({ asset, amount })),
      },
      loansRepaid: this.loansRepaid,
      outstanding,
    };
  }
}

/** The lender's part of `total` split over the loan's shares by principal, as the ledger splits it. */
function lenderPart(loan: Loan, lender: string, total: bigint): bigint {
  if (total === 0n) return 0n;
  const parts = splitProRata(
    total,
    loan.shares.map((share) => share.principal),
  );
  return loan.shares.reduce((sum, share, i) => (share.lender === lender ? sum + parts[i]! : sum), 0n);
}

const sumOf = <T>(items: readonly T[], amount: (item: T) => bigint) => items.reduce((sum, item) => sum + amount(item), 0n);

/** Adds up loan events into tallies per asset, following each loan's outstanding principal. */
export class LoanBook {
  /** Loans by id, as originated. */
  readonly loans = new Map<number, Loan>();
  /** Principal repaid so far, by loan, of the part counted. */
  private readonly repaid = new Map<number, bigint>();
  /** Outstanding principal by asset, of the part counted. */
  readonly outstanding = new Map<string, bigint>();

  /**
   * Counts the whole of each loan (the market's, a borrower's figures), or, given `lender`,
   * that lender's shares, pro rata as the ledger splits payments (contracts/loans/payments.ts).
   */
  constructor(
    private readonly lender?: string,
    opening: ReadonlyMap<string, bigint> = new Map(),
  ) {
    for (const [asset, amount] of opening) this.outstanding.set(asset, amount);
  }

  /** Learns a loan's terms from its origination without counting it (a loan made before the period). */
  know(loan: Loan): void {
    this.loans.set(loan.id, loan);
  }

  private share(loan: Loan, total: bigint): bigint {
    return this.lender === undefined ? total : lenderPart(loan, this.lender, total);
  }

  /** The principal lent, of the part counted. */
  private lent(loan: Loan): bigint {
    return this.lender === undefined ? loan.principal : sumOf(loan.shares.filter((s) => s.lender === this.lender), (s) => s.principal);
  }

  private move(asset: string, delta: bigint): void {
    this.outstanding.set(asset, (this.outstanding.get(asset) ?? 0n) + delta);
  }

  /** Counts one event into `tally` (its loan's asset's) and moves the outstanding principal; returns the loan. */
  apply(entry: LedgerLoanEvent, tallyOf: (asset: string) => AssetTally): Loan {
    const { event } = entry;
    if (event.type === 'loanOriginated') {
      const { loan } = event;
      this.loans.set(loan.id, loan);
      const principal = this.lent(loan);
      const tally = tallyOf(loan.asset);
      tally.originated += 1;
      tally.originatedPrincipal += principal;
      this.move(loan.asset, principal);
      return loan;
    }
    const loan = this.loans.get(event.loanId);
    if (!loan) throw new Error(`loan ${event.loanId} has events but no origination in the ledger given`);
    const tally = tallyOf(loan.asset);
    switch (event.type) {
      case 'repayment': {
        const { lenders } = event;
        const mine = this.lender === undefined ? undefined : lenders.filter((l) => l.lender === this.lender);
        const principal = mine ? sumOf(mine, (l) => l.principal) : event.principal;
        tally.repayments += 1;
        tally.principal += principal;
        tally.interest += mine ? sumOf(mine, (l) => l.interest) : event.interest;
        tally.lateFees += mine ? sumOf(mine, (l) => l.lateFees) : event.lateFees;
        tally.interestWaived += this.share(loan, event.interestWaived);
        this.repaid.set(loan.id, (this.repaid.get(loan.id) ?? 0n) + principal);
        this.move(loan.asset, -principal);
        break;
      }
      case 'installmentLate':
        tally.late += 1;
        tally.lateFeesCharged += this.share(loan, event.fee);
        break;
      case 'loanRepaid':
        tally.loansRepaid += 1;
        break;
      case 'loanDefaulted': {
        // The whole loan's figure comes from the event itself, so a period needs no earlier repayments.
        const principal = this.lender === undefined ? loan.principal - event.progress.totalPaid.principal : this.lent(loan) - (this.repaid.get(loan.id) ?? 0n);
        const collateral = this.lender === undefined ? event.collateral : event.collateral.filter((c) => c.lender === this.lender);
        tally.defaults += 1;
        tally.defaultedPrincipal += principal;
        if (loan.collateral) {
          const asset = loan.collateral.asset;
          tally.collateral.set(asset, (tally.collateral.get(asset) ?? 0n) + sumOf(collateral, (c) => c.amount));
        }
        this.move(loan.asset, -principal);
        break;
      }
    }
    return loan;
  }
}

/** Principal outstanding by asset just before `time`: lent, less repaid, less written off at default. */
export function outstandingAt(events: readonly LedgerLoanEvent[], time: number): Map<string, bigint> {
  const book = new LoanBook();
  const scratch = new AssetTally();
  for (const entry of events) if (entry.time < time) book.apply(entry, () => scratch);
  return book.outstanding;
}

export type PeriodSplit = 'month' | 'day';

/** The most periods one report splits into. */
export const MAX_PERIODS = 1_000;

export interface PeriodRange {
  /** Block time in seconds, inclusive. */
  readonly from: number;
  /** Block time in seconds, exclusive. */
  readonly to: number;
  readonly by?: PeriodSplit | undefined;
}

export interface PeriodFigures {
  readonly from: number;
  readonly to: number;
  /** The calendar month (2025-03) or day (2025-03-14) in UTC, or "from..to" for an unsplit range. */
  readonly label: string;
  readonly assets: readonly AssetFigures[];
}

export interface PeriodReport {
  readonly kind: 'period';
  readonly from: number;
  readonly to: number;
  readonly by: PeriodSplit | null;
  readonly periods: readonly PeriodFigures[];
}

export class ReportRangeError extends Error {
  override readonly name = 'ReportRangeError';
}

/** The periods [from, to) splits into by calendar month or day in UTC; refuses more than MAX_PERIODS. */
export function periodsOf(range: PeriodRange): { from: number; to: number; label: string }[] {
  if (!(Number.isSafeInteger(range.from) && Number.isSafeInteger(range.to) && range.from < range.to)) throw new ReportRangeError(`the period must have from < to (got ${range.from}..${range.to})`);
  if (!range.by) return [{ from: range.from, to: range.to, label: `${range.from}..${range.to}` }];
  const periods: { from: number; to: number; label: string }[] = [];
  let start = range.from;
  while (start < range.to) {
    if (periods.length >= MAX_PERIODS) throw new ReportRangeError(`the range splits into more than ${MAX_PERIODS} periods by ${range.by}`);
    const date = new Date(start * 1000);
    const next = range.by === 'month' ? Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) : Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
    const end = Math.min(range.to, Math.floor(next / 1000));
    periods.push({ from: start, to: end, label: date.toISOString().slice(0, range.by === 'month' ? 7 : 10) });
    start = end;
  }
  return periods;
}

const byAsset = (a: AssetFigures, b: AssetFigures) => (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0);

/**
 * The market's figures per asset over [from, to), optionally per calendar month or day.
 * `events` must hold the loan events of the range in ledger order, and the origination of
 * every loan they name (earlier originations only teach the loan's terms); `opening` is the
 * principal outstanding by asset at `from` (see outstandingAt).
 */
export function periodReport(events: readonly LedgerLoanEvent[], range: PeriodRange, opening: ReadonlyMap<string, bigint>): PeriodReport {
  const book = new LoanBook(undefined, opening);
  const periods: PeriodFigures[] = [];
  let next = 0;
  for (const period of periodsOf(range)) {
    const before = new Map(book.outstanding);
    const tallies = new Map<string, AssetTally>();
    const tallyOf = (asset: string) => tallies.get(asset) ?? tallies.set(asset, new AssetTally()).get(asset)!;
    for (; next < events.length && events[next]!.time < period.to; next++) {
      const entry = events[next]!;
      if (entry.time < period.from) {
        if (entry.event.type === 'loanOriginated') book.know(entry.event.loan);
        continue;
      }
      book.apply(entry, tallyOf);
    }
    const assets = new Set([...tallies.keys(), ...[...book.outstanding].filter(([asset, end]) => end !== 0n || (before.get(asset) ?? 0n) !== 0n).map(([asset]) => asset)]);
    const figures = [...assets].map((asset) => (tallies.get(asset) ?? new AssetTally()).figures(asset, book.outstanding.get(asset) ?? 0n));
    periods.push({ ...period, assets: figures.sort(byAsset) });
  }
  return { kind: 'period', from: range.from, to: range.to, by: range.by ?? null, periods };
}

export type AccountRole = 'borrower' | 'lender';

export interface AccountFigures extends AssetFigures {
  readonly role: AccountRole;
}

export interface AccountReport {
  readonly kind: 'account';
  readonly account: string;
  /** How many loans the account took, and how many it holds a share of. */
  readonly loans: { readonly borrower: number; readonly lender: number };
  /** Per role and asset; a lender's figures are its shares' parts. */
  readonly rows: readonly AccountFigures[];
}

/**
 * An account's figures as borrower and as lender, per asset, over the whole chain. `events`
 * must hold every loan event of the loans the account borrowed or lent in, in ledger order.
 */
export function accountReport(events: readonly LedgerLoanEvent[], account: string): AccountReport {
  const roles = { borrower: new LoanBook(), lender: new LoanBook(account) };
  const tallies = { borrower: new Map<string, AssetTally>(), lender: new Map<string, AssetTally>() };
  const ids = { borrower: new Set<number>(), lender: new Set<number>() };
  for (const entry of events) {
    const loan = entry.event.type === 'loanOriginated' ? entry.event.loan : roles.borrower.loans.get(entry.event.loanId);
    const is = { borrower: loan?.borrower === account, lender: loan?.shares.some((s) => s.lender === account) ?? false };
    for (const role of ['borrower', 'lender'] as const) {
      const map = tallies[role];
      const tallyOf = (asset: string) => map.get(asset) ?? map.set(asset, new AssetTally()).get(asset)!;
      // Every loan's terms are learnt, so a later event always finds them; only the account's loans are counted.
      if (!is[role]) {
        if (entry.event.type === 'loanOriginated') roles[role].know(entry.event.loan);
        continue;
      }
      ids[role].add(roles[role].apply(entry, tallyOf).id);
    }
  }
  const rows: AccountFigures[] = [];
  for (const role of ['borrower', 'lender'] as const) {
    const book = roles[role];
    const assets = new Set([...tallies[role].keys()]);
    const figures = [...assets].map((asset) => ({ role, ...tallies[role].get(asset)!.figures(asset, book.outstanding.get(asset) ?? 0n) }));
    rows.push(...figures.sort(byAsset));
  }
  return { kind: 'account', account, loans: { borrower: ids.borrower.size, lender: ids.lender.size }, rows };
}
