/** Conservation of money: what was minted and not burned is held in balances or in escrow. */
import { amountOwed } from '../../loans/payments.js';
import { MAX_AMOUNT } from '../../money.js';
import type { MarketState } from '../../state/market-state.js';
import type { AssetRecord, Loan, Order } from '../../state/records.js';
import { canon, check } from './check.js';

type Hold = (asset: string, amount: bigint, what: string) => void;

function amountInRange(value: bigint, what: string): void {
  check(value >= 0n && value <= MAX_AMOUNT, () => `${what} is out of range: ${value}`);
}

/** An order's escrow: a lend offer's remaining principal, a request's commitments and collateral. */
function holdOrderEscrow(key: string, order: Order, hold: Hold): void {
  check(order.remaining > 0n && order.remaining <= order.amount, () => `${key} has remaining ${order.remaining} of ${order.amount}`);
  if (order.side === 'lend') return hold(order.asset, order.remaining, `${key}.remaining`);
  for (const c of order.commitments) hold(order.asset, c.amount, `${key} commitment`);
  if (order.collateral) hold(order.collateral.asset, order.collateral.remaining, `${key}.collateral.remaining`);
}

/** A loan's schedule is in range and its payments never exceed what it lent. */
function checkLoanRecord(key: string, loan: Loan): void {
  if (loan.status === 'active') {
    // `paidInstallments` is the first installment not fully paid: an active loan owes something on it.
    const current = loan.plan[loan.paidInstallments];
    check(
      current !== undefined && current.interest + current.principal > loan.paidInterest + loan.paidPrincipal,
      () => `${key} is active but its installment ${loan.paidInstallments} owes nothing (plan ${canon(loan.plan.map((p) => [p.interest, p.principal]))}, owed ${amountOwed(loan)})`,
    );
  }
  for (const [i, installment] of loan.plan.entries()) {
    check(installment.interest >= 0n && installment.principal >= 0n, () => `${key} installment ${i} is negative`);
  }
  const scheduled = loan.plan.reduce((sum, p) => sum + p.interest + p.principal, 0n);
  amountInRange(scheduled + loan.lateFeeOwed, `${key} schedule and late fees`);
  check(loan.totalPaid.principal <= loan.principal, () => `${key} was paid ${loan.totalPaid.principal} of principal ${loan.principal}`);
  if (loan.status === 'repaid') check(loan.totalPaid.principal === loan.principal, () => `${key} is repaid with ${loan.totalPaid.principal} of ${loan.principal} paid`);
}

/** minted − burned = Σ balances + Σ escrows per asset; every balance and escrow within range. */
export function checkSupply(state: MarketState): void {
  const held = new Map<string, bigint>();
  const hold: Hold = (asset, amount, what) => {
    amountInRange(amount, what);
    held.set(asset, (held.get(asset) ?? 0n) + amount);
  };
  const assets: { id: string; supply: bigint }[] = [];
  for (const [key, value] of state.entries()) {
    if (key.startsWith('balance/')) {
      const balance = value as bigint;
      check(balance > 0n, () => `${key} is stored as ${balance}; zero balances are deleted and none may be negative`);
      hold(key.slice(key.lastIndexOf('/') + 1), balance, key);
    } else if (key.startsWith('order/')) {
      holdOrderEscrow(key, value as Order, hold);
    } else if (key.startsWith('loan/')) {
      const loan = value as Loan;
      if (loan.status === 'active' && loan.collateral) hold(loan.collateral.asset, loan.collateral.amount, `${key}.collateral`);
      checkLoanRecord(key, loan);
    } else if (key.startsWith('asset/')) {
      const asset = value as AssetRecord;
      assets.push({ id: asset.id, supply: asset.minted - asset.burned });
    }
  }
  for (const { id, supply } of assets) {
    amountInRange(supply, `${id} supply`);
    check((held.get(id) ?? 0n) === supply, () => `${id}: minted − burned = ${supply} but balances + escrows = ${held.get(id) ?? 0n}`);
  }
}
