import { buildPlan } from '../../contracts/loans/schedule';
import { MAX_AMOUNT } from '../../contracts/money';
import type { TxBodies } from '../../contracts/txs/registry';
import { formatAmount, parseAmount } from '../lib/amounts';
import { formatTerm, parseRate, parseTerm, type TermUnit } from '../lib/terms';
import type { AssetInfo, TxDraft } from '../wallet/describe';

/** The terms both kinds of order carry, as typed in the form. */
export interface TermsForm {
  readonly asset: string;
  readonly amount: string;
  readonly rate: string;
  readonly termCount: string;
  readonly termUnit: TermUnit;
  readonly schedule: 'amortizing' | 'bullet';
  readonly installments: string;
  readonly collateralOn: boolean;
  readonly collateralAsset: string;
  readonly expiresCount: string;
  readonly expiresUnit: 'hours' | 'days';
}

export interface LendForm extends TermsForm {
  readonly minTicket: string;
  readonly maxTicket: string;
  /** Collateral asked of borrowers, % of the loan's value. */
  readonly collateralRatio: string;
}

export interface BorrowForm extends TermsForm {
  readonly collateralAmount: string;
  readonly partial: boolean;
}

export type FormErrors<F> = Partial<Record<keyof F, string>>;

/** What the form is checked against: the assets, the clock in seconds and, if known, what the account holds. */
export interface DraftContext {
  readonly assets: ReadonlyMap<string, AssetInfo>;
  readonly now: number;
  readonly balances?: ReadonlyMap<string, bigint>;
}

interface CommonTerms {
  asset: string;
  amount: bigint;
  aprBps: number;
  term: number;
  schedule: 'amortizing' | 'bullet';
  installments: number;
  expiresAt: number;
}

/** The checks shared by offers and requests; each failure is a plain sentence under its field. */
function readTerms(form: TermsForm, ctx: DraftContext, errors: FormErrors<TermsForm>, rateWord: string): Partial<CommonTerms> {
  const out: Partial<CommonTerms> = { schedule: form.schedule };
  const asset = ctx.assets.get(form.asset);
  if (!asset) errors.asset = 'Choose the asset of the loan.';
  else out.asset = asset.id;

  const amount = parseAmount(form.amount, asset?.decimals ?? 0);
  if ('error' in amount) errors.amount = amount.error;
  else if (amount.amount === 0n) errors.amount = 'The amount must be more than zero.';
  else if (amount.amount > MAX_AMOUNT) errors.amount = 'That amount is larger than the chain can hold.';
  else out.amount = amount.amount;

  const rate = parseRate(form.rate);
  if ('error' in rate) errors.rate = rate.error.replace('a rate', rateWord);
  else if (rate.bps > 100_000) errors.rate = 'The APR can be at most 1,000 %.';
  else out.aprBps = rate.bps;

  const term = parseTerm(form.termCount, form.termUnit);
  if ('error' in term) errors.termCount = term.error;
  else if (term.seconds > 2 ** 32) errors.termCount = 'That term is longer than the chain allows.';
  else out.term = term.seconds;

  const text = form.installments.trim();
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > 1000) errors.installments = 'Enter a whole number of installments from 1 to 1,000.';
  else out.installments = Number(text);
  if (out.term !== undefined && out.installments !== undefined && out.term % out.installments !== 0) {
    errors.installments = `A term of ${formatTerm(out.term)} does not split into ${out.installments} equal periods. Choose a number that divides it evenly.`;
  }

  if (form.collateralOn && form.collateralAsset === form.asset) errors.collateralAsset = 'The collateral must be another asset than the loan.';
  if (form.collateralOn && !ctx.assets.has(form.collateralAsset)) errors.collateralAsset = 'Choose the collateral asset.';

  const expires = parseTerm(form.expiresCount, form.expiresUnit, 'how long the order stays open');
  if ('error' in expires) errors.expiresCount = expires.error;
  else out.expiresAt = ctx.now + expires.seconds;
  return out;
}

function complete(terms: Partial<CommonTerms>): terms is CommonTerms {
  return (['asset', 'amount', 'aprBps', 'term', 'installments', 'expiresAt'] as const).every((key) => terms[key] !== undefined);
}

function shortfall(ctx: DraftContext, asset: string, needed: bigint, what: string): string | undefined {
  const held = ctx.balances?.get(asset);
  if (held === undefined || held >= needed) return undefined;
  const decimals = ctx.assets.get(asset)?.decimals ?? 0;
  return `${what} needs ${formatAmount(needed, decimals)} ${asset} but you hold ${formatAmount(held, decimals)} ${asset}.`;
}

/** A lend offer's draft from its form, or the reasons it cannot be signed yet. */
export function lendOfferDraft(form: LendForm, ctx: DraftContext): { draft: TxDraft } | { errors: FormErrors<LendForm> } {
  const errors: FormErrors<LendForm> = {};
  const terms = readTerms(form, ctx, errors, 'an APR');
  const decimals = ctx.assets.get(form.asset)?.decimals ?? 0;
  const ticket = (key: 'minTicket' | 'maxTicket', fallback: bigint | undefined): bigint | undefined => {
    if (form[key].trim() === '') return fallback;
    const parsed = parseAmount(form[key], decimals);
    if ('error' in parsed) errors[key] = parsed.error;
    else if (parsed.amount === 0n) errors[key] = 'A loan must be more than zero.';
    else return parsed.amount;
    return undefined;
  };
  const minTicket = ticket('minTicket', 1n);
  const maxTicket = ticket('maxTicket', terms.amount);
  if (minTicket !== undefined && maxTicket !== undefined && minTicket > maxTicket) errors.maxTicket = 'The largest loan is below the smallest.';
  if (maxTicket !== undefined && terms.amount !== undefined && maxTicket > terms.amount) errors.maxTicket = 'The largest loan cannot be more than the amount offered.';
  if (terms.amount !== undefined && terms.asset) {
    const short = shortfall(ctx, terms.asset, terms.amount, 'The offer');
    if (short) errors.amount = short;
  }

  let ratioBps: number | undefined;
  if (form.collateralOn) {
    const ratio = parseRate(form.collateralRatio);
    if ('error' in ratio) errors.collateralRatio = 'Enter the collateral as a percentage of the loan, such as 150.';
    else if (ratio.bps < 1 || ratio.bps > 10_000_000) errors.collateralRatio = 'The collateral must be from 0.01 % to 100,000 % of the loan.';
    else ratioBps = ratio.bps;
  }
  if (Object.keys(errors).length > 0 || !complete(terms) || minTicket === undefined || maxTicket === undefined) return { errors };
  const body: TxBodies['post-lend-offer'] = {
    ...terms,
    minTicket,
    maxTicket,
    ...(ratioBps !== undefined ? { collateral: { asset: form.collateralAsset, ratioBps } } : {}),
  };
  return { draft: { type: 'post-lend-offer', body } };
}

/** A borrow request's draft from its form, or the reasons it cannot be signed yet. */
export function borrowRequestDraft(form: BorrowForm, ctx: DraftContext): { draft: TxDraft } | { errors: FormErrors<BorrowForm> } {
  const errors: FormErrors<BorrowForm> = {};
  const terms = readTerms(form, ctx, errors, 'the highest APR you accept');
  let collateral: { asset: string; amount: bigint } | undefined;
  if (form.collateralOn) {
    const parsed = parseAmount(form.collateralAmount, ctx.assets.get(form.collateralAsset)?.decimals ?? 0);
    if ('error' in parsed) errors.collateralAmount = parsed.error;
    else if (parsed.amount === 0n) errors.collateralAmount = 'The collateral must be more than zero.';
    else {
      collateral = { asset: form.collateralAsset, amount: parsed.amount };
      const short = shortfall(ctx, form.collateralAsset, parsed.amount, 'The collateral');
      if (short) errors.collateralAmount = short;
    }
  }
  if (Object.keys(errors).length > 0 || !complete(terms)) return { errors };
  const { aprBps, ...rest } = terms;
  const body: TxBodies['post-borrow-request'] = { ...rest, maxAprBps: aprBps, partial: form.partial, ...(collateral ? { collateral } : {}) };
  return { draft: { type: 'post-borrow-request', body } };
}

/** What a loan on these terms costs, from the chain's own schedule math (contracts/loans/schedule.ts). */
export interface PlanSummary {
  readonly installments: number;
  readonly firstPayment: bigint;
  readonly lastPayment: bigint;
  readonly interest: bigint;
  readonly total: bigint;
}

export function planSummary(principal: bigint, aprBps: number, term: number, installments: number, schedule: 'amortizing' | 'bullet'): PlanSummary | undefined {
  if (principal <= 0n || installments < 1 || term % installments !== 0) return undefined;
  const plan = buildPlan({ principal, aprBps, term, installments, schedule, startTime: 0 });
  const interest = plan.reduce((sum, i) => sum + i.interest, 0n);
  const first = plan[0]!;
  const last = plan[plan.length - 1]!;
  return { installments: plan.length, firstPayment: first.principal + first.interest, lastPayment: last.principal + last.interest, interest, total: principal + interest };
}

/** The term in seconds the form names, if it can be read: for the live preview. */
export function termSeconds(form: TermsForm): number | undefined {
  const term = parseTerm(form.termCount, form.termUnit);
  return 'seconds' in term ? term.seconds : undefined;
}
