'use client';

import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo, type KeyboardEvent } from 'react';
import { bookInputOf, filtersQuery, readFilters, type BookFilters, type Side } from './book-filters';
import { DepthChart } from './depth-chart';
import { FilterForm } from './filter-form';
import { OrderBook } from './order-book';
import { RateChart } from './rate-chart';
import { defaultLoanAsset, useMarketAssets } from './use-market-assets';

const TABS: readonly { readonly side: Side; readonly label: string }[] = [
  { side: 'lend', label: 'Lend offers' },
  { side: 'borrow', label: 'Borrow requests' },
];

/** The market: the book of one side with its filters (kept in the URL), and the rate and depth charts. */
export function MarketView() {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const { assets, list, isPending, isError } = useMarketAssets();
  const urlFilters = useMemo(() => readFilters(search), [search]);
  const filters: BookFilters = useMemo(() => ({ ...urlFilters, asset: urlFilters.asset || defaultLoanAsset(list) }), [urlFilters, list]);
  const decimals = assets.get(filters.asset)?.decimals ?? 0;
  const { input, errors } = useMemo(() => bookInputOf(filters, decimals), [filters, decimals]);
  const urlErrors = Object.values(errors);

  const apply = useCallback(
    (next: BookFilters) => {
      const query = filtersQuery(next);
      router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
    },
    [router, pathname],
  );

  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const next = filters.side === 'lend' ? 'borrow' : 'lend';
    apply({ ...filters, side: next });
    document.getElementById(`tab-${next}`)?.focus();
  };

  if (isPending) return <p className="muted progress">Reading the market…</p>;
  if (isError) return <p className="error">The market could not be read: the node does not answer. Reload the page to try again.</p>;
  if (list.length === 0) return <p className="muted">This chain declares no assets, so there is no market yet.</p>;

  return (
    <div className="market">
      <div className="actions market-post">
        <Link className="button primary" href="/market/lend">
          Post a lend offer
        </Link>
        <Link className="button" href="/market/borrow">
          Post a borrow request
        </Link>
      </div>
      <div className="market-layout">
        <FilterForm key={filtersQuery(filters)} filters={filters} assets={list} onApply={apply} />
        <section className="market-main" aria-labelledby="book-title">
          <h2 id="book-title">Order book</h2>
          <div role="tablist" aria-label="Side of the book" className="market-tabs">
            {TABS.map((tab) => (
              <button
                key={tab.side}
                id={`tab-${tab.side}`}
                type="button"
                role="tab"
                aria-selected={filters.side === tab.side}
                aria-controls="book-panel"
                tabIndex={filters.side === tab.side ? 0 : -1}
                onClick={() => apply({ ...filters, side: tab.side })}
                onKeyDown={onTabKey}
              >
                {tab.label}
              </button>
            ))}
          </div>
          <div id="book-panel" role="tabpanel" aria-labelledby={`tab-${filters.side}`}>
            {urlErrors.length > 0 && (
              <p className="error" role="alert">
                This link&apos;s filters cannot be read: {urlErrors.join(' ')}
              </p>
            )}
            <OrderBook input={input} assets={assets} disabled={urlErrors.length > 0} />
          </div>
        </section>
      </div>
      <div className="market-charts">
        <RateChart asset={filters.asset} assets={assets} />
        <DepthChart asset={filters.asset} assets={assets} />
      </div>
    </div>
  );
}
