import type { Metadata } from 'next';
import { FundRequest } from '../../fund-request';

export const metadata: Metadata = { title: 'Fund a borrow request · Lendnet' };

export default async function RequestPage({ params }: { readonly params: Promise<{ id: string }> }) {
  const { id } = await params;
  const orderId = /^\d{1,15}$/.test(id) ? Number(id) : 0;
  return (
    <>
      <h1>Borrow request #{id}</h1>
      <FundRequest orderId={orderId} />
    </>
  );
}
