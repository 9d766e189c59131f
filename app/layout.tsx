import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Lendnet',
  description: 'A peer-to-peer lending marketplace on its own permissioned blockchain',
};

export default function RootLayout({ children }: { readonly children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <a className="brand" href="/">
            Lendnet
          </a>
          <span className="tagline">peer-to-peer lending, on a ledger anyone can verify</span>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
