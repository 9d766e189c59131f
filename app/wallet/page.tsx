import type { Metadata } from 'next';
import { WalletView } from './wallet-view';

export const metadata: Metadata = { title: 'Wallet · Lendnet' };

export default function WalletPage() {
  return (
    <>
      <h1>Wallet</h1>
      <WalletView />
    </>
  );
}
