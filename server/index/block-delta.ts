import type { CreditRecord, Loan, LoanProgress, MarketEvent, Order } from '../../contracts/index.js';

/**
 * What one committed block changes in the index, folded from its events in order: the last
 * record of each order, loan, balance and credit record touched (absolute, so writing it twice
 * changes nothing), and the increments whose base lives in the database (commitments and
 * remaining of orders posted in an earlier block, what lenders received, assets minted).
 */
export interface BlockDelta {
  /** Every event with its place: position of its transaction (undefined: end of block) and the accounts it concerns. */
  readonly events: EventRow[];
  readonly balances: Map<string, { readonly account: string; readonly asset: string; readonly amount: bigint }>;
  /** Accounts seen in this block (first appearance recorded at this height if new). */
  readonly accountsSeen: Set<string>;
  readonly supply: Map<string, { minted: bigint; burned: bigint }>;
  readonly orders: Map<number, OrderChange>;
  readonly loans: Map<number, LoanChange>;
  readonly payments: PaymentRow[];
  readonly credit: Map<string, CreditRecord>;
  /** Installments reported late: loan id → installment numbers. */
  readonly late: Map<number, Set<number>>;
}

export interface EventRow {
  readonly seq: number;
  readonly txPosition: number | undefined;
  readonly event: MarketEvent;
  readonly loanId: number | undefined;
  readonly orderId: number | undefined;
  readonly accounts: readonly string[];
}

export interface OrderChange {
  /** The order as last posted or changed in this block, if it was. */
  record?: Order;
  /** Commitments made in this block to a request whose record is not in this block: lender → amount. */
  readonly committed: Map<string, bigint>;
  closed?: 'filled' | 'cancelled' | 'expired' | 'accepted';
  /** Whether it was posted in this block. */
  posted: boolean;
}

export interface LoanChange {
  /** The loan as originated in this block. */
  originated?: Loan;
  progress?: LoanProgress;
  /** What each lender received in this block: principal, interest, late fees, collateral. */
  readonly received: Map<string, { principal: bigint; interest: bigint; lateFees: bigint; collateral: bigint }>;
}

export interface PaymentRow {
  readonly seq: number;
  readonly txPosition: number;
  readonly event: Extract<MarketEvent, { type: 'repayment' }>;
}

/** The borrower of a loan not originated in this block, for the accounts its events concern. */
export type BorrowerOf = (loanId: number) => string | undefined;

export function emptyDelta(): BlockDelta {
  return {
    events: [],
    balances: new Map(),
    accountsSeen: new Set(),
    supply: new Map(),
    orders: new Map(),
    loans: new Map(),
    payments: [],
    credit: new Map(),
    late: new Map(),
  };
}

/** Loan ids that a block's events name without originating them: their borrowers are looked up. */
export function loansReferenced(events: Iterable<MarketEvent>): number[] {
  const originated = new Set<number>();
  const named = new Set<number>();
  for (const event of events) {
    if (event.type === 'loanOriginated') originated.add(event.loan.id);
    else if ('loanId' in event) named.add(event.loanId);
  }
  return [...named].filter((id) => !originated.has(id));
}

/** Folds a block's events, transaction by transaction then the end-of-block ones, into a delta. */
export function foldBlock(txEvents: readonly (readonly MarketEvent[])[], endEvents: readonly MarketEvent[], borrowerOf: BorrowerOf): BlockDelta {
  const delta = emptyDelta();
  const borrowers = new Map<number, string>();
  const borrower = (loanId: number) => borrowers.get(loanId) ?? borrowerOf(loanId);
  let seq = 0;
  const fold = (event: MarketEvent, txPosition: number | undefined) => {
    const row = foldEvent(delta, event, txPosition, seq, borrower);
    if (event.type === 'loanOriginated') borrowers.set(event.loan.id, event.loan.borrower);
    delta.events.push(row);
    seq += 1;
  };
  txEvents.forEach((events, position) => events.forEach((event) => fold(event, position)));
  endEvents.forEach((event) => fold(event, undefined));
  return delta;
}

function orderChange(delta: BlockDelta, id: number): OrderChange {
  let change = delta.orders.get(id);
  if (!change) delta.orders.set(id, (change = { committed: new Map(), posted: false }));
  return change;
}

function loanChange(delta: BlockDelta, id: number): LoanChange {
  let change = delta.loans.get(id);
  if (!change) delta.loans.set(id, (change = { received: new Map() }));
  return change;
}

function received(change: LoanChange, lender: string) {
  let entry = change.received.get(lender);
  if (!entry) change.received.set(lender, (entry = { principal: 0n, interest: 0n, lateFees: 0n, collateral: 0n }));
  return entry;
}

function foldEvent(delta: BlockDelta, event: MarketEvent, txPosition: number | undefined, seq: number, borrower: BorrowerOf): EventRow {
  const row = (accounts: readonly (string | undefined)[], ids: { loanId?: number; orderId?: number } = {}): EventRow => ({
    seq,
    txPosition,
    event,
    loanId: ids.loanId,
    orderId: ids.orderId,
    accounts: [...new Set(accounts.filter((a): a is string => a !== undefined))],
  });
  switch (event.type) {
    case 'balance':
      delta.balances.set(`${event.account}/${event.asset}`, { account: event.account, asset: event.asset, amount: event.balance });
      delta.accountsSeen.add(event.account);
      return row([event.account]);
    case 'minted':
    case 'faucetPaid':
    case 'burned': {
      // The devnet faucet issues new units, as minting does.
      const supply = delta.supply.get(event.asset) ?? { minted: 0n, burned: 0n };
      if (event.type === 'burned') supply.burned += event.amount;
      else supply.minted += event.amount;
      delta.supply.set(event.asset, supply);
      return row([event.type === 'burned' ? event.from : event.to]);
    }
    case 'transferred':
      return row([event.from, event.to]);
    case 'orderPosted':
    case 'orderChanged': {
      const change = orderChange(delta, event.order.id);
      change.record = event.order;
      change.committed.clear();
      if (event.type === 'orderPosted') change.posted = true;
      const lenders = event.order.side === 'borrow' ? event.order.commitments.map((c) => c.lender) : [];
      return row([event.order.owner, ...lenders], { orderId: event.order.id });
    }
    case 'committed': {
      const change = orderChange(delta, event.requestId);
      const record = change.record;
      if (record?.side === 'borrow') {
        const commitments = [...record.commitments];
        const at = commitments.findIndex((c) => c.lender === event.lender);
        if (at >= 0) commitments[at] = { lender: event.lender, amount: commitments[at]!.amount + event.amount };
        else commitments.push({ lender: event.lender, amount: event.amount });
        change.record = { ...record, remaining: record.remaining - event.amount, commitments };
      } else {
        change.committed.set(event.lender, (change.committed.get(event.lender) ?? 0n) + event.amount);
      }
      return row([event.lender, record?.owner], { orderId: event.requestId });
    }
    case 'orderClosed': {
      const change = orderChange(delta, event.orderId);
      change.closed = event.reason;
      return row([change.record?.owner], { orderId: event.orderId });
    }
    case 'loanOriginated': {
      const change = loanChange(delta, event.loan.id);
      change.originated = event.loan;
      return row([event.loan.borrower, ...event.loan.shares.map((s) => s.lender)], { loanId: event.loan.id, orderId: event.loan.orderId });
    }
    case 'repayment': {
      const change = loanChange(delta, event.loanId);
      change.progress = event.progress;
      for (const lender of event.lenders) {
        const entry = received(change, lender.lender);
        entry.principal += lender.principal;
        entry.interest += lender.interest;
        entry.lateFees += lender.lateFees;
      }
      if (txPosition !== undefined) delta.payments.push({ seq, txPosition, event });
      return row([event.payer, borrower(event.loanId), ...event.lenders.map((l) => l.lender)], { loanId: event.loanId });
    }
    case 'installmentLate': {
      loanChange(delta, event.loanId).progress = event.progress;
      const late = delta.late.get(event.loanId) ?? new Set<number>();
      late.add(event.installment);
      delta.late.set(event.loanId, late);
      return row([borrower(event.loanId)], { loanId: event.loanId });
    }
    case 'loanRepaid':
      loanChange(delta, event.loanId).progress = event.progress;
      return row([borrower(event.loanId)], { loanId: event.loanId });
    case 'loanDefaulted': {
      const change = loanChange(delta, event.loanId);
      change.progress = event.progress;
      for (const part of event.collateral) received(change, part.lender).collateral += part.amount;
      return row([borrower(event.loanId), event.declaredBy, ...event.collateral.map((c) => c.lender)], { loanId: event.loanId });
    }
    case 'creditChanged':
      delta.credit.set(event.account, event.record);
      return row([event.account]);
    case 'validatorChangeProposed':
      return row([event.proposal.proposer, event.proposal.account]);
    case 'validatorChangeApproved':
      return row([event.approver]);
    case 'validatorSetChanged':
      return row([event.account]);
  }
}
