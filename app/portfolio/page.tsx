import type { Metadata } from 'next';
import { PortfolioView } from './portfolio-view';

export const metadata: Metadata = { title: 'Portfolio · Lendnet' };

export default function PortfolioPage() {
  return (
    <>
      <h1>Portfolio</h1>
      <p className="muted">Your loans as a borrower and your positions as a lender, for the account selected in your wallet, as the chain records them.</p>
      <PortfolioView />
    </>
  );
}
