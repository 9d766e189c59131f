import type { TxBodies, TxType } from '../../contracts/txs/registry';
import { formatAmount } from '../lib/amounts';
import { formatRate, formatTerm, formatTime } from '../lib/terms';
import { shortAccount } from './keys';

/**
 * What the page knows around a draft that its body does not carry, for the plain-words review
 * only (never signed): the loan's asset, the collateral a take locks, an estimate of a payoff.
 */
export interface DraftNotes {
  readonly asset?: string;
  readonly collateral?: { readonly asset: string; readonly amount: bigint };
  readonly payoff?: bigint;
}

/** A transaction the user is about to sign: its type and body, amounts in minor units (bigint). */
export type TxDraft = { [T in TxType]: { readonly type: T; readonly body: TxBodies[T]; readonly context?: DraftNotes } }[TxType];

/** What the page knows of an asset, from the API (chain.assets). */
export interface AssetInfo {
  readonly id: string;
  readonly name: string;
  readonly decimals: number;
}

/** An amount as people read it: "1,000.00 USD". Minor units when the asset's decimals are unknown. */
export function moneyText(amount: bigint, asset: string, assets: ReadonlyMap<string, AssetInfo>): string {
  const info = assets.get(asset);
  return info ? `${formatAmount(amount, info.decimals)} ${asset}` : `${amount.toString(10)} minor units of ${asset}`;
}

/** The transaction in plain words, as shown before it is signed. */
export function describeDraft(draft: TxDraft, signer: string, assets: ReadonlyMap<string, AssetInfo>): string {
  const money = (amount: bigint, asset: string) => {
    const name = assets.get(asset)?.name;
    return `${moneyText(amount, asset, assets)}${name ? ` (${name})` : ''}`;
  };
  const who = (account: string) => (account === signer ? 'yourself' : shortAccount(account));
  // Bodies of takes, fundings and payments name no asset: the page passes it along in the context.
  const loanMoney = (amount: bigint) => (draft.context?.asset ? money(amount, draft.context.asset) : `${amount.toString(10)} minor units`);
  switch (draft.type) {
    case 'faucet':
      return `Send ${money(draft.body.amount, draft.body.asset)} to you from the devnet faucet.`;
    case 'transfer':
      return `Send ${money(draft.body.amount, draft.body.asset)} from you to ${who(draft.body.to)}.`;
    case 'cancel-order':
      return `Cancel your order #${draft.body.orderId} and return what it holds in escrow to you.`;
    case 'take-offer': {
      const collateral = draft.context?.collateral;
      const locks = collateral ? `, locking ${money(collateral.amount, collateral.asset)} of yours as collateral until the loan is repaid` : ' with no collateral';
      return `Borrow ${loanMoney(draft.body.amount)} from lend offer #${draft.body.orderId} at its rate and terms${locks}. The loan is paid to you at once.`;
    }
    case 'fund-request':
      return `Lend ${loanMoney(draft.body.amount)} to borrow request #${draft.body.orderId} at its rate. The money waits in escrow with the request until it is fully funded (or the borrower accepts part), then it is lent.`;
    case 'repay':
      return `Pay ${loanMoney(draft.body.amount)} into loan #${draft.body.loanId}: late fees first, then interest, then principal.`;
    case 'prepay': {
      const payoff = draft.context?.payoff;
      const about = payoff !== undefined && draft.context?.asset ? ` About ${money(payoff, draft.context.asset)} now: the principal left and the interest earned so far; later interest is waived.` : ' Later interest is waived.';
      return `Pay off loan #${draft.body.loanId} in full now.${about}`;
    }
    case 'post-lend-offer': {
      const b = draft.body;
      const tickets = b.minTicket === b.maxTicket ? `in loans of exactly ${moneyText(b.maxTicket, b.asset, assets)}` : `in loans of ${moneyText(b.minTicket, b.asset, assets)} to ${moneyText(b.maxTicket, b.asset, assets)} each`;
      const collateral = b.collateral ? `borrowers must lock ${formatRate(b.collateral.ratioBps)} of each loan's value in ${b.collateral.asset}` : 'no collateral asked';
      return `Offer to lend ${money(b.amount, b.asset)} at ${formatRate(b.aprBps)} APR for ${formatTerm(b.term)}, ${termsText(b.schedule, b.installments)}, ${tickets}; ${collateral}. The ${moneyText(b.amount, b.asset, assets)} stays in escrow until it is lent, you cancel, or the offer expires on ${formatTime(b.expiresAt)}.`;
    }
    case 'post-borrow-request': {
      const b = draft.body;
      const collateral = b.collateral ? `locking ${money(b.collateral.amount, b.collateral.asset)} as collateral in escrow now` : 'with no collateral';
      const funding = b.partial ? 'It may be funded in part.' : 'It must be funded in full or not at all.';
      return `Ask to borrow ${money(b.amount, b.asset)} at up to ${formatRate(b.maxAprBps)} APR for ${formatTerm(b.term)}, ${termsText(b.schedule, b.installments)}, ${collateral}. ${funding} The request expires on ${formatTime(b.expiresAt)}.`;
    }
    default:
      return `A ${draft.type} transaction.`;
  }
}

/** A schedule in words: "repaid in 12 equal installments" or "interest in 3 installments, the principal with the last". */
function termsText(schedule: 'amortizing' | 'bullet', installments: number): string {
  if (schedule === 'amortizing') return installments === 1 ? 'repaid in one installment' : `repaid in ${installments} equal installments`;
  return installments === 1 ? 'repaid in one installment at the end' : `interest in ${installments} installments and the principal with the last`;
}

/** Refusals in words a borrower or lender can act on; others keep the node's own message. */
const PLAIN_REFUSALS: Partial<Record<string, string>> = {
  BAD_NONCE: 'Another transaction from this account was counted first. Try again: the wallet will number it afresh.',
  BAD_SIGNATURE: 'The node could not verify the signature. Lock and unlock your wallet, then try again.',
  WRONG_CHAIN: 'This transaction was signed for another network. Reload the page and try again.',
  INSUFFICIENT_FUNDS: 'This account does not hold enough for that.',
  FAUCET_DISABLED: 'This network has no faucet: test funds exist only on a devnet.',
  FAUCET_LIMIT: 'That is more than the faucet gives at once.',
  MEMPOOL_FULL: 'The node is busy. Try again after the next block.',
  ACCOUNT_QUEUE_FULL: 'This account already has many transactions waiting. Try again after the next block.',
  ALREADY_KNOWN: 'This transaction is already waiting for a block.',
  EXPIRY_IN_PAST: 'The expiry is already past by the time of the next block. Choose a later one.',
  NODE_STOPPING: 'The node is stopping. Check your balance before you try again.',
};

/** What a refusal's figures are read with: its details (docs/api.md §5), the draft's asset, the chain's assets. */
export interface RefusalContext {
  readonly details?: unknown;
  readonly asset?: string;
  readonly assets?: ReadonlyMap<string, AssetInfo>;
}

/** A field of a refusal's details that is an amount (a decimal string), as a bigint. */
function detailAmount(details: unknown, key: string): bigint | undefined {
  const value = typeof details === 'object' && details !== null ? (details as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && /^\d{1,78}$/.test(value) ? BigInt(value) : undefined;
}

/** Refusals whose figures say what to do: how much is held against how much is needed, what is left to pay. */
function refusalWithFigures(code: string, context: RefusalContext): string | undefined {
  const { details, assets = new Map<string, AssetInfo>() } = context;
  if (code === 'INSUFFICIENT_FUNDS') {
    const asset = typeof details === 'object' && details !== null ? (details as { asset?: unknown }).asset : undefined;
    const needed = detailAmount(details, 'needed');
    const available = detailAmount(details, 'available');
    if (typeof asset !== 'string' || needed === undefined || available === undefined) return undefined;
    return `This account holds ${moneyText(available, asset, assets)} it can spend, and this needs ${moneyText(needed, asset, assets)}. Nothing was changed.`;
  }
  if (code === 'OVERPAYMENT') {
    const owed = detailAmount(details, 'owed');
    if (owed === undefined || !context.asset) return undefined;
    return `That is more than the loan owes: ${moneyText(owed, context.asset, assets)} is left to pay in all. Nothing was changed.`;
  }
  return undefined;
}

/** The message to show for a refusal with this code, with its figures when the refusal carries them. */
export function refusalText(code: string, message: string, context: RefusalContext = {}): string {
  return refusalWithFigures(code, context) ?? PLAIN_REFUSALS[code] ?? (message.endsWith('.') ? message : `${message.charAt(0).toUpperCase()}${message.slice(1)}.`);
}
