import type { Metadata } from 'next';
import { Suspense } from 'react';
import { MarketView } from './market-view';

export const metadata: Metadata = { title: 'Market · Lendnet' };

export default function MarketPage() {
  return (
    <>
      <h1>Market</h1>
      <p className="muted">
        Open lend offers and borrow requests, with the money already in escrow. Filter them, share the view by its link, and post your own.
      </p>
      {/* The view reads its filters from the URL, which exists only in the browser. */}
      <Suspense fallback={<p className="muted progress">Reading the market…</p>}>
        <MarketView />
      </Suspense>
    </>
  );
}
