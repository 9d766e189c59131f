'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { formatTime } from '../explorer/format';
import { AccountLink, BlockLink, Fact, Facts, isNotFound, LoadError, TableScroll, TxLink } from '../explorer/ui';
import { useAssets } from '../explorer/use-assets';
import { amountOf } from '../lib/amounts';
import { useTRPC } from '../lib/trpc';
import { formatRate, formatTerm } from '../lib/terms';
import { money, scheduleText } from '../market/format';
import { ScheduleTable } from '../market/schedule-table';
import type { AssetInfo } from '../wallet/describe';
import type { LoanFile } from './compare';
import { LoanEvents } from './loan-events';
import { LoanFilePanel } from './loan-file-panel';
import { useLoanVerification } from './use-loan-verification';
import { VerificationSummary } from './verification-summary';

const STATUS_WORDS = { active: 'Active', repaid: 'Repaid', defaulted: 'Defaulted' } as const;

/** A share of the principal as a percentage with two decimals, in integers: 1/3 → "33.33 %". */
export function shareText(part: bigint, whole: bigint): string {
  if (whole <= 0n) return '—';
  const hundredths = (part * 10_000n) / whole;
  return `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, '0')} %`;
}

function Terms({ loan, assets }: { readonly loan: LoanFile; readonly assets: ReadonlyMap<string, AssetInfo> }) {
  const paid = amountOf(loan.totalPaid.principal) + amountOf(loan.totalPaid.interest) + amountOf(loan.totalPaid.lateFees);
  return (
    <section className="card" aria-labelledby="loan-terms-heading">
      <h2 id="loan-terms-heading">Terms and progress</h2>
      <Facts label="Loan terms">
        <Fact label="Borrower">
          <AccountLink account={loan.borrower} full />
        </Fact>
        <Fact label="Principal">{money(loan.principal, loan.asset, assets)}</Fact>
        <Fact label="APR">{formatRate(loan.aprBps)}</Fact>
        <Fact label="Term">{formatTerm(loan.term)}</Fact>
        <Fact label="Schedule">{scheduleText(loan.schedule, loan.installments)}</Fact>
        <Fact label="Collateral">{loan.collateral ? money(loan.collateral.amount, loan.collateral.asset, assets) : 'None'}</Fact>
        <Fact label="Started">{formatTime(loan.startTime)}</Fact>
        <Fact label="Made from">
          order #{loan.orderId}{loan.originTx && <> by <TxLink id={loan.originTx} /></>} in block <BlockLink height={loan.originHeight} />
        </Fact>
        <Fact label="Paid">
          {money(paid, loan.asset, assets)} ({money(loan.totalPaid.principal, loan.asset, assets)} principal, {money(loan.totalPaid.interest, loan.asset, assets)} interest,{' '}
          {money(loan.totalPaid.lateFees, loan.asset, assets)} late fees)
        </Fact>
        <Fact label="Principal outstanding">{money(loan.outstandingPrincipal, loan.asset, assets)}</Fact>
        <Fact label="Installments paid">
          {loan.paidInstallments} of {loan.installments}
          {loan.lateInstallments > 0 && `; ${loan.lateInstallments} became late`}
        </Fact>
        {amountOf(loan.lateFeeOwed) > 0n && <Fact label="Late fees owed">{money(loan.lateFeeOwed, loan.asset, assets)}</Fact>}
        <Fact label={loan.closedAt === null ? 'Next due' : 'Closed'}>{formatTime(loan.closedAt ?? loan.nextDue ?? loan.startTime)}</Fact>
      </Facts>
    </section>
  );
}

function Lenders({ loan, assets }: { readonly loan: LoanFile; readonly assets: ReadonlyMap<string, AssetInfo> }) {
  const principal = amountOf(loan.principal);
  return (
    <section className="card" aria-labelledby="loan-lenders-heading">
      <h2 id="loan-lenders-heading">Lenders</h2>
      <TableScroll label="Lenders of the loan, scrollable">
        <table className="data-table" data-testid="loan-lenders">
          <caption className="sr-only">Lenders of loan #{loan.id} and what each received</caption>
          <thead>
            <tr>
              <th scope="col">Lender</th>
              <th scope="col" className="num">Lent</th>
              <th scope="col" className="num">Share</th>
              <th scope="col" className="num">Principal back</th>
              <th scope="col" className="num">Interest</th>
              <th scope="col" className="num">Late fees</th>
              <th scope="col" className="num">Collateral</th>
            </tr>
          </thead>
          <tbody>
            {loan.shares.map((share) => (
              <tr key={share.lender}>
                <td>
                  <AccountLink account={share.lender} />
                </td>
                <td className="num">{money(share.principal, loan.asset, assets)}</td>
                <td className="num">{shareText(amountOf(share.principal), principal)}</td>
                <td className="num">{money(share.received.principal, loan.asset, assets)}</td>
                <td className="num">{money(share.received.interest, loan.asset, assets)}</td>
                <td className="num">{money(share.received.lateFees, loan.asset, assets)}</td>
                <td className="num">{loan.collateral ? money(share.received.collateral, loan.collateral.asset, assets) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}

function Payments({ loan, assets }: { readonly loan: LoanFile; readonly assets: ReadonlyMap<string, AssetInfo> }) {
  return (
    <section className="card" aria-labelledby="loan-payments-heading">
      <h2 id="loan-payments-heading">Payments</h2>
      {loan.payments.length === 0 ? (
        <p className="muted">No payments yet.</p>
      ) : (
        <TableScroll label="Payments of the loan, scrollable">
          <table className="data-table">
            <caption className="sr-only">Payments into loan #{loan.id}</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Kind</th>
                <th scope="col" className="num">Principal</th>
                <th scope="col" className="num">Interest</th>
                <th scope="col" className="num">Late fees</th>
                <th scope="col">Transaction</th>
              </tr>
            </thead>
            <tbody>
              {loan.payments.map((payment) => (
                <tr key={`${payment.height}:${payment.seq}`}>
                  <td className="nowrap">{formatTime(payment.time)}</td>
                  <td>{payment.prepay ? 'Prepayment' : 'Repayment'}</td>
                  <td className="num">{money(payment.principal, loan.asset, assets)}</td>
                  <td className="num">{money(payment.interest, loan.asset, assets)}</td>
                  <td className="num">{money(payment.lateFees, loan.asset, assets)}</td>
                  <td>
                    <TxLink id={payment.txId} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

function LoanFileView({ loan }: { readonly loan: LoanFile }) {
  const assets = useAssets();
  const verification = useLoanVerification(loan);
  // The chain numbers installments from 0; people count them from 1.
  const rows = loan.plan.map((i) => ({ number: i.number + 1, due: i.due, principal: amountOf(i.principal), interest: amountOf(i.interest), status: i.status }));
  return (
    <>
      <h1>
        Loan #{loan.id}{' '}
        <span className={`badge loan-${loan.status}`} data-testid="loan-status">
          {STATUS_WORDS[loan.status]}
        </span>
      </h1>
      <VerificationSummary loan={loan} verification={verification} />
      <Terms loan={loan} assets={assets} />
      <section className="card" aria-labelledby="loan-schedule-heading">
        <h2 id="loan-schedule-heading">Schedule</h2>
        <ScheduleTable caption={`Schedule of loan #${loan.id}`} rows={rows} asset={loan.asset} assets={assets} />
      </section>
      <Lenders loan={loan} assets={assets} />
      <Payments loan={loan} assets={assets} />
      <section className="card" aria-labelledby="loan-events-heading">
        <h2 id="loan-events-heading">Events</h2>
        <p className="muted small">Each event is checked in this browser: its transaction&apos;s signature and inclusion proof, and its block&apos;s commit certificate. Open a mark to see the checks.</p>
        <LoanEvents loan={loan} verifications={verification.events} />
      </section>
      <LoanFilePanel loanId={loan.id} />
    </>
  );
}

/** A positive integer id from the URL, or undefined. */
function loanIdOf(text: string): number | undefined {
  if (!/^[1-9]\d{0,15}$/.test(text)) return undefined;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : undefined;
}

/** One loan's file: terms, schedule, lenders, payments and events, verified in the browser. */
export function LoanView({ idParam }: { readonly idParam: string }) {
  const id = loanIdOf(idParam);
  const trpc = useTRPC();
  const loan = useQuery({
    ...trpc.loans.byId.queryOptions({ id: id ?? 1 }),
    enabled: id !== undefined,
  });
  if (id === undefined) {
    return (
      <>
        <h1>Not a loan id</h1>
        <p>“{idParam}” is not a loan id: loans are numbered from 1.</p>
      </>
    );
  }
  if (loan.data) return <LoanFileView loan={loan.data} />;
  return (
    <>
      <h1>Loan #{id}</h1>
      {loan.isPending && <p className="muted progress">Reading the loan…</p>}
      {loan.isError &&
        (isNotFound(loan.error) ? (
          <p role="status">
            There is no loan #{id} in the index yet. Loans appear here once the block that made them is indexed; see the <Link href="/market">market</Link> or your{' '}
            <Link href="/portfolio">portfolio</Link>.
          </p>
        ) : (
          <LoadError what="the loan" error={loan.error} retry={() => void loan.refetch()} />
        ))}
    </>
  );
}
