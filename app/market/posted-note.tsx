'use client';

import Link from 'next/link';
import type { TransactionControls } from '../wallet/use-transaction';

/** A short alert when the form cannot be signed yet; each reason is also under its own field. */
export function ErrorSummary({ errors }: { readonly errors: Readonly<Record<string, string | undefined>> }) {
  const count = Object.values(errors).filter(Boolean).length;
  if (count === 0) return null;
  return (
    <p className="error" role="alert">
      {count === 1 ? 'One field needs' : `${count} fields need`} a change before you can sign; see the notes under {count === 1 ? 'it' : 'them'}.
    </p>
  );
}

/** After the order's block: where to see it, and a way to post another. */
export function PostedNote({ controls, side, asset, onAgain }: { readonly controls: TransactionControls; readonly side: 'lend' | 'borrow'; readonly asset: string; readonly onAgain: () => void }) {
  if (controls.flow.step !== 'committed') return null;
  const query = new URLSearchParams({ side, asset, sort: 'newest' });
  return (
    <p className="ok" role="status">
      Your {side === 'lend' ? 'offer' : 'request'} is on the book, unless it was matched at once.{' '}
      <Link href={`/market?${query.toString()}`}>See it in the market</Link>{' '}
      <button
        type="button"
        className="link-button"
        onClick={() => {
          controls.reset();
          onAgain();
        }}
      >
        Post another
      </button>
    </p>
  );
}
