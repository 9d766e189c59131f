import { refuse } from '../errors.js';
import type { MarketState } from '../state/market-state.js';
import type { Loan } from '../state/records.js';

export function requireLoan(state: MarketState, id: number): Loan {
  return state.loan(id) ?? refuse('LOAN_NOT_FOUND', `there is no loan ${id}`, { loanId: id });
}

export function requireActive(loan: Loan): Loan {
  if (loan.status !== 'active') refuse('LOAN_CLOSED', `loan ${loan.id} is ${loan.status}`, { loanId: loan.id, status: loan.status });
  return loan;
}
