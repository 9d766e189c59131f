import type { Metadata } from 'next';
import { TakeOffer } from '../../take-offer';

export const metadata: Metadata = { title: 'Borrow from a lend offer · Lendnet' };

export default async function OfferPage({ params }: { readonly params: Promise<{ id: string }> }) {
  const { id } = await params;
  const orderId = /^\d{1,15}$/.test(id) ? Number(id) : 0;
  return (
    <>
      <h1>Lend offer #{id}</h1>
      <TakeOffer orderId={orderId} />
    </>
  );
}
