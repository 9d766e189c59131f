import type { Metadata } from 'next';
import { LendOfferForm } from './lend-form';

export const metadata: Metadata = { title: 'Post a lend offer · Lendnet' };

export default function LendPage() {
  return (
    <>
      <h1>Post a lend offer</h1>
      <p className="muted">
        The amount you offer is held in escrow from the moment the offer is posted, so borrowers see only money that is there. Borrowers take it in loans at your rate and terms; cancel it
        or let it expire to get back what is left.
      </p>
      <LendOfferForm />
    </>
  );
}
