import type { Metadata } from 'next';
import { LoanView } from '../loan-view';

interface LoanPageProps {
  readonly params: Promise<{ id: string }>;
}

export const metadata: Metadata = { title: 'Loan · Lendnet' };

export default async function LoanPage({ params }: LoanPageProps) {
  const { id } = await params;
  return <LoanView idParam={decodeURIComponent(id)} />;
}
