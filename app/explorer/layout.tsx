import Link from 'next/link';
import type { ReactNode } from 'react';
import { SearchBox } from './search-box';

/** Every explorer page: the search box on top, then the page. */
export default function ExplorerLayout({ children }: { readonly children: ReactNode }) {
  return (
    <div className="explorer">
      <p className="explorer-crumb small">
        <Link href="/explorer">Explorer</Link>
        <span className="muted"> · blocks, transactions, accounts and validators of this chain</span>
      </p>
      <SearchBox />
      {children}
    </div>
  );
}
