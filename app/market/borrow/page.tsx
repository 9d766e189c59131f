import type { Metadata } from 'next';
import { BorrowRequestForm } from './borrow-form';

export const metadata: Metadata = { title: 'Post a borrow request · Lendnet' };

export default function BorrowPage() {
  return (
    <>
      <h1>Post a borrow request</h1>
      <p className="muted">
        Ask for an amount at the highest rate you accept. Any collateral you offer is held in escrow while the request is open; lenders fund it at your rate, and an offer already on the
        book at or below it is matched at once.
      </p>
      <BorrowRequestForm />
    </>
  );
}
