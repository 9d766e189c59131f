'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMarketAssets } from '../market/use-market-assets';
import { useTRPC } from '../lib/trpc';
import { shortAccount } from '../wallet/keys';
import { useWallet } from '../wallet/wallet-context';
import { BorrowerLoans } from './borrower-loans';
import { LenderPositions } from './lender-positions';

/** The selected account's portfolio: as borrower, its loans with their schedules and payments; as lender, its positions. */
export function PortfolioView() {
  const wallet = useWallet();
  const trpc = useTRPC();
  const { assets } = useMarketAssets();
  const account = wallet.selected?.account;
  const portfolio = useQuery({ ...trpc.accounts.portfolio.queryOptions({ account: account ?? '0'.repeat(64) }), enabled: account !== undefined });

  if (wallet.state.status === 'loading') return <p className="muted progress">Opening your wallet…</p>;
  if (!account || !wallet.selected) {
    return (
      <p className="warn" role="status">
        You need a wallet to have a portfolio. <Link href="/wallet">Create one</Link>, then borrow or lend in the <Link href="/market">market</Link>.
      </p>
    );
  }
  return (
    <div className="stack portfolio">
      <p className="muted">
        Account {wallet.selected.name} <code title={account}>{shortAccount(account)}</code>
      </p>
      {portfolio.isError && <p className="error">The node does not answer, so the portfolio may be out of date. Trying again every few seconds.</p>}
      <BorrowerLoans account={account} assets={assets} nextPayment={portfolio.data?.nextPayment ?? null} />
      <LenderPositions account={account} assets={assets} portfolio={portfolio.data} />
    </div>
  );
}
