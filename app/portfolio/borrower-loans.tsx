'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect } from 'react';
import { money, scheduleText } from '../market/format';
import { ScheduleTable } from '../market/schedule-table';
import { amountOf } from '../lib/amounts';
import { useTRPC } from '../lib/trpc';
import { formatRate, formatTerm, formatTime } from '../lib/terms';
import type { AssetInfo } from '../wallet/describe';
import { TransactionPanel } from '../wallet/transaction-panel';
import { useTransaction } from '../wallet/use-transaction';
import { useWallet } from '../wallet/wallet-context';
import { nextInstallment, payoffEstimate, totalOwed } from './loan-math';
import { PayAmount } from './pay-amount';
import { ScheduleChart } from './schedule-chart';

const STATUS_WORDS = { active: 'Active', repaid: 'Repaid', defaulted: 'Defaulted' } as const;

type NextPayment = { readonly loanId: number; readonly asset: string; readonly due: number; readonly amount: string } | null;

/** The account as borrower: the next payment across its loans, then each loan with its schedule and payments. */
export function BorrowerLoans({ account, assets, nextPayment }: { readonly account: string; readonly assets: ReadonlyMap<string, AssetInfo>; readonly nextPayment: NextPayment }) {
  const trpc = useTRPC();
  const loans = useQuery(trpc.accounts.loans.queryOptions({ account, role: 'borrower', limit: 50 }));
  const items = loans.data?.items ?? [];
  return (
    <section className="card stack" aria-labelledby="borrower-title">
      <h2 id="borrower-title">As borrower</h2>
      {nextPayment && (
        <p data-testid="next-payment">
          Your next payment: <strong>{money(nextPayment.amount, nextPayment.asset, assets)}</strong> on loan #{nextPayment.loanId}, due {formatTime(nextPayment.due)}.
        </p>
      )}
      {loans.isPending ? (
        <p className="muted progress">Reading your loans…</p>
      ) : loans.isError && items.length === 0 ? (
        <p className="error">Your loans could not be read: the node does not answer. Trying again every few seconds.</p>
      ) : items.length === 0 ? (
        <p className="muted">
          You have no loans. <Link href="/market">Borrow from a lend offer</Link> or <Link href="/market/borrow">post a borrow request</Link>.
        </p>
      ) : (
        items.map((loan) => <LoanCard key={loan.id} loanId={loan.id} account={account} assets={assets} />)
      )}
    </section>
  );
}

function LoanCard({ loanId, account, assets }: { readonly loanId: number; readonly account: string; readonly assets: ReadonlyMap<string, AssetInfo> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const wallet = useWallet();
  const controls = useTransaction();
  const detail = useQuery(trpc.loans.byId.queryOptions({ id: loanId }));
  const committed = controls.flow.step === 'committed';
  // A payment changes the loan: read it again at once rather than at the next tick.
  useEffect(() => {
    if (committed) void queryClient.invalidateQueries({ queryKey: trpc.loans.pathKey() });
  }, [committed, queryClient, trpc]);

  const title = `Loan #${loanId}`;
  if (!detail.data) {
    return (
      <article className="loan-card" aria-label={title}>
        <h3>{title}</h3>
        <p className={detail.isError ? 'error' : 'muted progress'}>{detail.isError ? 'This loan could not be read. Trying again every few seconds.' : 'Reading the loan…'}</p>
      </article>
    );
  }
  const loan = detail.data;
  const next = nextInstallment(loan);
  const payoff = payoffEstimate(loan, Math.floor(Date.now() / 1000));
  const unlocked = wallet.state.status === 'unlocked' && wallet.selected?.account === account;
  // The chain numbers installments from 0; people count them from 1.
  const rows = loan.plan.map((i) => ({ number: i.number + 1, due: i.due, principal: amountOf(i.principal), interest: amountOf(i.interest), status: i.status, next: next !== undefined && i.number === next.index }));
  return (
    <article className="loan-card stack" aria-label={title}>
      <h3>
        {title} <span className={`badge loan-${loan.status}`}>{STATUS_WORDS[loan.status]}</span>
      </h3>
      <p>
        {money(loan.principal, loan.asset, assets)} at {formatRate(loan.aprBps)} APR for {formatTerm(loan.term)}, {scheduleText(loan.schedule, loan.installments).toLowerCase()}
        {loan.collateral && <>; {money(loan.collateral.amount, loan.collateral.asset, assets)} locked as collateral</>}.
      </p>
      <p>
        Paid so far: {money(amountOf(loan.totalPaid.principal) + amountOf(loan.totalPaid.interest) + amountOf(loan.totalPaid.lateFees), loan.asset, assets)}; principal still owed:{' '}
        {money(loan.outstandingPrincipal, loan.asset, assets)}.
        {amountOf(loan.lateFeeOwed) > 0n && <span className="warn"> Late fees owed: {money(loan.lateFeeOwed, loan.asset, assets)}.</span>}
      </p>
      {next ? (
        <p className="loan-next">
          Next payment: <strong>{money(next.amount, loan.asset, assets)}</strong>, due {formatTime(next.due)}.
        </p>
      ) : (
        <p className="muted">{loan.status === 'repaid' ? 'Repaid in full; the collateral is back with you.' : loan.status === 'defaulted' ? 'This loan defaulted: its collateral went to the lenders.' : 'Nothing left to pay.'}</p>
      )}
      <ScheduleChart loanId={loanId} rows={rows} asset={loan.asset} assets={assets} />
      <ScheduleTable caption={`Schedule of loan #${loanId}`} rows={rows} asset={loan.asset} assets={assets} />
      <p className="small">
        <Link href={`/loans/${loanId}`}>Loan #{loanId}: its file, its lenders and every event, verified in your browser</Link>
      </p>
      {next && (
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={controls.busy || !unlocked}
            onClick={() => controls.prepare({ type: 'repay', body: { loanId, amount: next.amount }, context: { asset: loan.asset } })}
          >
            Repay next installment ({money(next.amount, loan.asset, assets)})
          </button>
          <button type="button" disabled={controls.busy || !unlocked} onClick={() => controls.prepare({ type: 'prepay', body: { loanId }, context: { asset: loan.asset, payoff } })}>
            Prepay the rest (about {money(payoff, loan.asset, assets)})
          </button>
          {!unlocked && (
            <small className="muted">
              <Link href="/wallet">Unlock your wallet</Link> to pay.
            </small>
          )}
        </div>
      )}
      {next && (
        <PayAmount
          loanId={loanId}
          asset={assets.get(loan.asset)}
          owed={totalOwed(loan)}
          disabled={controls.busy || !unlocked}
          onPay={(amount) => controls.prepare({ type: 'repay', body: { loanId, amount }, context: { asset: loan.asset } })}
        />
      )}
      <TransactionPanel controls={controls} title={`Pay loan #${loanId}`} />
    </article>
  );
}
