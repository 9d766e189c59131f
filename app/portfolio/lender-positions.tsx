'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { TableScroll } from '../explorer/ui';
import { money } from '../market/format';
import { amountOf } from '../lib/amounts';
import { type ApiOutputs, useTRPC } from '../lib/trpc';
import { formatRate } from '../lib/terms';
import type { AssetInfo } from '../wallet/describe';
import { shortAccount } from '../wallet/keys';
import { PositionBars } from './position-bars';

/** The lender's side of accounts.portfolio: positions per asset and collateral received. */
type PortfolioSummary = Pick<ApiOutputs['accounts']['portfolio'], 'asLender' | 'collateralReceived'>;

const STATUS_WORDS = { active: 'Active', repaid: 'Repaid', defaulted: 'Defaulted' } as const;

/** A yield in basis points from the API (a decimal string, negative after losses) as a percentage. */
function yieldText(bps: string): string {
  return /^-?\d{1,15}$/.test(bps) ? formatRate(Number(bps)) : bps;
}

/** The account as lender: per asset, what it lent, received, has outstanding and lost, then each loan it holds a share of. */
export function LenderPositions({ account, assets, portfolio }: { readonly account: string; readonly assets: ReadonlyMap<string, AssetInfo>; readonly portfolio: PortfolioSummary | undefined }) {
  const trpc = useTRPC();
  const loans = useQuery(trpc.accounts.loans.queryOptions({ account, role: 'lender', limit: 50 }));
  const items = loans.data?.items ?? [];
  return (
    <section className="card stack" aria-labelledby="lender-title">
      <h2 id="lender-title">As lender</h2>
      {!portfolio ? (
        <p className="muted progress">Reading your positions…</p>
      ) : portfolio.asLender.length === 0 ? (
        <p className="muted">
          You have not lent yet. <Link href="/market/lend">Post a lend offer</Link> or fund a borrow request in the <Link href="/market">market</Link>.
        </p>
      ) : (
        <TableScroll label="Your positions as lender">
          <table className="data-table">
            <caption>Your positions as lender</caption>
            <thead>
              <tr>
                <th scope="col">Asset</th>
                <th scope="col" className="num">Principal lent</th>
                <th scope="col" className="num">Received</th>
                <th scope="col" className="num">Principal back</th>
                <th scope="col" className="num">Interest</th>
                <th scope="col" className="num">Late fees</th>
                <th scope="col" className="num">Outstanding</th>
                <th scope="col" className="num">Realised yield</th>
                <th scope="col">Defaults</th>
              </tr>
            </thead>
            <tbody>
              {portfolio.asLender.map((p) => {
                const back = amountOf(p.received) - amountOf(p.interestReceived) - amountOf(p.lateFeesReceived);
                const defaulted = items.filter((l) => l.asset === p.asset && l.status === 'defaulted').length;
                return (
                  <tr key={p.asset}>
                    <th scope="row">{p.asset}</th>
                    <td className="num">{money(p.lent, p.asset, assets)}</td>
                    <td className="num" data-label="Received">{money(p.received, p.asset, assets)}</td>
                    <td className="num">{money(back, p.asset, assets)}</td>
                    <td className="num">{money(p.interestReceived, p.asset, assets)}</td>
                    <td className="num">{money(p.lateFeesReceived, p.asset, assets)}</td>
                    <td className="num">{money(p.outstanding, p.asset, assets)}</td>
                    <td className="num">{yieldText(p.realisedYieldBps)}</td>
                    <td>{amountOf(p.principalLost) === 0n && defaulted === 0 ? 'None' : `${defaulted} loan${defaulted === 1 ? '' : 's'}, ${money(p.principalLost, p.asset, assets)} of principal lost`}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      )}
      {portfolio && <PositionBars positions={portfolio.asLender} assets={assets} />}
      {portfolio && portfolio.collateralReceived.length > 0 && (
        <p>Collateral received from defaults: {portfolio.collateralReceived.map((c) => money(c.amount, c.asset, assets)).join(', ')}.</p>
      )}
      {items.length > 0 && (
        <TableScroll label="Loans you hold a share of">
          <table className="data-table">
            <caption>Loans you hold a share of</caption>
            <thead>
              <tr>
                <th scope="col">Loan</th>
                <th scope="col">Borrower</th>
                <th scope="col" className="num">Your share</th>
                <th scope="col" className="num">Received</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {items.map((loan) => {
                const r = loan.share?.received;
                const received = r ? amountOf(r.principal) + amountOf(r.interest) + amountOf(r.lateFees) : 0n;
                return (
                  <tr key={loan.id}>
                    <td>
                      <Link href={`/loans/${loan.id}`}>#{loan.id}</Link>
                    </td>
                    <td>
                      <code title={loan.borrower}>{shortAccount(loan.borrower)}</code>
                    </td>
                    <td className="num">{money(loan.share?.principal ?? '0', loan.asset, assets)}</td>
                    <td className="num">{money(received, loan.asset, assets)}</td>
                    <td>{STATUS_WORDS[loan.status]}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
