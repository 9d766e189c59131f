import type { Metadata } from 'next';
import { AccountView } from './account-view';

interface AccountPageProps {
  readonly params: Promise<{ account: string }>;
}

export const metadata: Metadata = { title: 'Account · Explorer · Lendnet' };

export default async function AccountPage({ params }: AccountPageProps) {
  const { account } = await params;
  return <AccountView accountParam={decodeURIComponent(account)} />;
}
