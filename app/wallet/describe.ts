import type { TxBodies, TxType } from '../../contracts/txs/registry';
import { formatAmount } from '../lib/amounts';
import { shortAccount } from './keys';

/** A transaction the user is about to sign: its type and body, amounts in minor units (bigint). */
export type TxDraft = { [T in TxType]: { readonly type: T; readonly body: TxBodies[T] } }[TxType];

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
  switch (draft.type) {
    case 'faucet':
      return `Send ${money(draft.body.amount, draft.body.asset)} to you from the devnet faucet.`;
    case 'transfer':
      return `Send ${money(draft.body.amount, draft.body.asset)} from you to ${who(draft.body.to)}.`;
    case 'cancel-order':
      return `Cancel your order #${draft.body.orderId} and return what it holds in escrow to you.`;
    case 'take-offer':
      return `Borrow ${draft.body.amount.toString(10)} minor units from lend offer #${draft.body.orderId}.`;
    case 'fund-request':
      return `Lend ${draft.body.amount.toString(10)} minor units to borrow request #${draft.body.orderId}.`;
    case 'repay':
      return `Pay ${draft.body.amount.toString(10)} minor units into loan #${draft.body.loanId}.`;
    case 'prepay':
      return `Pay off loan #${draft.body.loanId} in full now.`;
    default:
      return `A ${draft.type} transaction.`;
  }
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
  NODE_STOPPING: 'The node is stopping. Check your balance before you try again.',
};

/** The message to show for a refusal with this code. */
export function refusalText(code: string, message: string): string {
  return PLAIN_REFUSALS[code] ?? (message.endsWith('.') ? message : `${message.charAt(0).toUpperCase()}${message.slice(1)}.`);
}
