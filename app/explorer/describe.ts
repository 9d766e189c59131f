import type { AssetInfo } from '../wallet/describe';
import type { ChainEvent } from './api-types';
import { money, rateText, shortHex, termText } from './format';

type Assets = ReadonlyMap<string, AssetInfo>;

/** One field of a transaction body read as the API sends it; bodies come as plain JSON. */
function field(body: unknown, key: string): unknown {
  return typeof body === 'object' && body !== null && key in body ? (body as Record<string, unknown>)[key] : undefined;
}

function text(body: unknown, key: string): string {
  const value = field(body, key);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '?';
}

function numberField(body: unknown, key: string): number {
  const value = field(body, key);
  return typeof value === 'number' ? value : 0;
}

/** The names people know the transaction types by. */
const TX_TYPE_NAMES: Partial<Record<string, string>> = {
  transfer: 'Transfer',
  mint: 'Mint',
  burn: 'Burn',
  faucet: 'Faucet payout',
  'post-lend-offer': 'Lend offer posted',
  'post-borrow-request': 'Borrow request posted',
  'cancel-order': 'Order cancelled',
  'take-offer': 'Lend offer taken',
  'fund-request': 'Borrow request funded',
  'accept-funding': 'Funding accepted',
  repay: 'Repayment',
  prepay: 'Prepayment',
  'declare-default': 'Default declared',
  'propose-validator-change': 'Validator change proposed',
  'approve-validator-change': 'Validator change approved',
};

/** A transaction type in words: "post-lend-offer" → "Lend offer posted". */
export function txTypeName(type: string): string {
  return TX_TYPE_NAMES[type] ?? type;
}

/** A committed transaction's body in plain words, or undefined where no short sentence fits. */
export function describeTxBody(type: string, signer: string, body: unknown, assets: Assets): string | undefined {
  const amount = (key = 'amount') => money(text(body, key), text(body, 'asset'), assets);
  const signerText = shortHex(signer);
  switch (type) {
    case 'transfer':
      return `${signerText} sent ${amount()} to ${shortHex(text(body, 'to'))}.`;
    case 'mint':
      return `The issuer created ${amount()} for ${shortHex(text(body, 'to'))}.`;
    case 'burn':
      return `${signerText} destroyed ${amount()}.`;
    case 'faucet':
      return `The devnet faucet paid ${amount()} to ${signerText}.`;
    case 'post-lend-offer':
      return `${signerText} offered to lend ${amount()} at ${rateText(numberField(body, 'aprBps'))} APR over ${termText(numberField(body, 'term'))} in ${numberField(body, 'installments')} installments.`;
    case 'post-borrow-request':
      return `${signerText} asked to borrow ${amount()} at up to ${rateText(numberField(body, 'maxAprBps'))} APR over ${termText(numberField(body, 'term'))} in ${numberField(body, 'installments')} installments.`;
    case 'cancel-order':
      return `${signerText} cancelled order #${text(body, 'orderId')}.`;
    case 'take-offer':
      return `${signerText} borrowed ${text(body, 'amount')} minor units from lend offer #${text(body, 'orderId')}.`;
    case 'fund-request':
      return `${signerText} lent ${text(body, 'amount')} minor units to borrow request #${text(body, 'orderId')}.`;
    case 'accept-funding':
      return `${signerText} accepted the funding of borrow request #${text(body, 'orderId')}, making it a loan.`;
    case 'repay':
      return `${signerText} paid ${text(body, 'amount')} minor units into loan #${text(body, 'loanId')}.`;
    case 'prepay':
      return `${signerText} paid off loan #${text(body, 'loanId')} in full.`;
    case 'declare-default':
      return `${signerText} declared loan #${text(body, 'loanId')} in default.`;
    case 'propose-validator-change':
      return numberField(body, 'power') === 0
        ? `${signerText} proposed removing validator ${shortHex(text(body, 'account'))}.`
        : `${signerText} proposed validator ${shortHex(text(body, 'account'))} with power ${text(body, 'power')}.`;
    case 'approve-validator-change':
      return `${signerText} approved validator proposal #${text(body, 'proposal')}.`;
    default:
      return undefined;
  }
}

const CLOSE_REASONS: Record<string, string> = { filled: 'filled', cancelled: 'cancelled', expired: 'expired', accepted: 'accepted as a loan' };

/** An event of the market in plain words. */
export function describeEvent(event: ChainEvent['event'], assets: Assets): string {
  switch (event.type) {
    case 'balance': {
      const up = !event.delta.startsWith('-');
      const delta = up ? event.delta : event.delta.slice(1);
      return `${shortHex(event.account)} ${up ? 'received' : 'spent'} ${money(delta, event.asset, assets)}; balance now ${money(event.balance, event.asset, assets)}.`;
    }
    case 'minted':
      return `${money(event.amount, event.asset, assets)} created for ${shortHex(event.to)}.`;
    case 'burned':
      return `${money(event.amount, event.asset, assets)} destroyed by ${shortHex(event.from)}.`;
    case 'transferred':
      return `${money(event.amount, event.asset, assets)} sent from ${shortHex(event.from)} to ${shortHex(event.to)}.`;
    case 'faucetPaid':
      return `The faucet paid ${money(event.amount, event.asset, assets)} to ${shortHex(event.to)}.`;
    case 'orderPosted': {
      const order = event.order;
      const rate = order.side === 'lend' ? order.aprBps : order.maxAprBps;
      return `Order #${order.id} posted: ${order.side === 'lend' ? 'lend offer' : 'borrow request'} of ${money(order.amount, order.asset, assets)} at ${rateText(rate)} APR.`;
    }
    case 'orderChanged':
      return `Order #${event.order.id} now has ${money(event.order.remaining, event.order.asset, assets)} left.`;
    case 'orderClosed':
      return `Order #${event.orderId} closed: ${CLOSE_REASONS[event.reason] ?? event.reason}.`;
    case 'committed':
      return `${shortHex(event.lender)} committed ${event.amount} minor units to borrow request #${event.requestId}.`;
    case 'loanOriginated':
      return `Loan #${event.loan.id} made: ${money(event.loan.principal, event.loan.asset, assets)} to ${shortHex(event.loan.borrower)} at ${rateText(event.loan.aprBps)} APR.`;
    case 'repayment':
      return `${shortHex(event.payer)} ${event.prepay ? 'prepaid' : 'paid'} loan #${event.loanId}: principal ${event.principal}, interest ${event.interest}, late fees ${event.lateFees} (minor units).`;
    case 'installmentLate':
      return `Installment ${event.installment + 1} of loan #${event.loanId} is late; a fee of ${event.fee} minor units is owed.`;
    case 'loanRepaid':
      return `Loan #${event.loanId} is repaid in full.`;
    case 'loanDefaulted':
      return `Loan #${event.loanId} defaulted${event.declaredBy ? `, declared by ${shortHex(event.declaredBy)}` : ''}.`;
    case 'creditChanged':
      return `Credit record of ${shortHex(event.account)}: ${event.record.loansTaken} loans taken, ${event.record.loansRepaid} repaid, ${event.record.defaults} defaults.`;
    case 'validatorChangeProposed':
      return `Validator proposal #${event.proposal.id}: ${event.proposal.power === 0 ? `remove ${shortHex(event.proposal.account)}` : `${shortHex(event.proposal.account)} with power ${event.proposal.power}`}.`;
    case 'validatorChangeApproved':
      return `${shortHex(event.approver)} approved validator proposal #${event.proposal} (${event.approvedPower} of ${event.totalPower} power).`;
    case 'validatorSetChanged':
      return `Validator proposal #${event.proposal} adopted: ${event.validators.length} validators commit blocks from height ${event.from}.`;
    default:
      return 'An event of the market.';
  }
}
