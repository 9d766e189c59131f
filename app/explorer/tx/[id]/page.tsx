import type { Metadata } from 'next';
import { TxView } from './tx-view';

interface TxPageProps {
  readonly params: Promise<{ id: string }>;
}

export const metadata: Metadata = { title: 'Transaction · Explorer · Lendnet' };

export default async function TxPage({ params }: TxPageProps) {
  const { id } = await params;
  return <TxView idParam={decodeURIComponent(id)} />;
}
