'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useLive } from './lib/live';
import { shortAccount } from './wallet/keys';
import { useWallet } from './wallet/wallet-context';

/** The app's sections, in header order. Market, Portfolio, Explorer and Node join here as they are built. */
const SECTIONS: readonly { readonly href: string; readonly label: string }[] = [
  { href: '/', label: 'Home' },
  { href: '/market', label: 'Market' },
  { href: '/portfolio', label: 'Portfolio' },
  { href: '/wallet', label: 'Wallet' },
  { href: '/explorer', label: 'Explorer' },
  { href: '/audit', label: 'Audit' },
  { href: '/node', label: 'Node' },
];

function isCurrent(pathname: string, href: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

/** Who is signing: no wallet, or the selected account, locked or unlocked. */
function WalletStatus() {
  const wallet = useWallet();
  const { state, selected } = wallet;
  if (state.status === 'loading') return <span className="wallet-status">…</span>;
  if (state.status === 'none' || state.status === 'damaged' || !selected) {
    return (
      <Link className="wallet-status" href="/wallet" data-testid="wallet-status">
        No account yet
      </Link>
    );
  }
  const unlocked = state.status === 'unlocked';
  return (
    <span className="wallet-status" data-testid="wallet-status" data-state={state.status}>
      <Link href="/wallet" title={selected.account}>
        <span className={unlocked ? 'badge badge-open' : 'badge'} aria-hidden="true">
          {unlocked ? '●' : '○'}
        </span>{' '}
        {unlocked ? 'Unlocked' : 'Locked'}: {selected.name} <code>{shortAccount(selected.account)}</code>
      </Link>
      {unlocked && (
        <button type="button" className="link-button" onClick={wallet.lock}>
          Lock
        </button>
      )}
    </span>
  );
}

/** Whether pages follow the chain live, and its last indexed block. */
function LiveStatus() {
  const live = useLive();
  return (
    <span className="live-status muted small" data-testid="live-status" data-connected={live.connected}>
      {live.connected ? `● Live${live.height !== undefined ? `, block ${live.height.toLocaleString('en-US')}` : ''}` : '○ Reconnecting…'}
    </span>
  );
}

export function SiteHeader() {
  const pathname = usePathname() ?? '/';
  return (
    <header className="site-header">
      <Link className="brand" href="/">
        Lendnet
      </Link>
      <nav aria-label="Main">
        <ul>
          {SECTIONS.map((section) => (
            <li key={section.href}>
              <Link href={section.href} aria-current={isCurrent(pathname, section.href) ? 'page' : undefined}>
                {section.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <LiveStatus />
      <WalletStatus />
    </header>
  );
}
