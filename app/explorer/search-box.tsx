'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import Link from 'next/link';
import type { FormEvent } from 'react';
import { useId, useState } from 'react';
import { useTRPC } from '../lib/trpc';
import type { ApiOutputs } from './api-types';
import { failureText } from './ui';

type SearchHit = ApiOutputs['chain']['search']['hits'][number];

/** The longest term chain.search takes (docs/api.md §6). */
const MAX_TERM = 100;

/** Where a hit lives: the explorer's pages, a loan's page, and the market's page of an order. */
function hitHref(hit: SearchHit): string {
  switch (hit.kind) {
    case 'block':
      return `/explorer/block/${hit.height}`;
    case 'tx':
      return `/explorer/tx/${hit.id}`;
    case 'account':
      return `/explorer/account/${hit.account}`;
    case 'loan':
      return `/loans/${hit.id}`;
    case 'order':
      return hit.side === 'lend' ? `/market/offer/${hit.id}` : `/market/request/${hit.id}`;
  }
}

function hitText(hit: SearchHit): string {
  switch (hit.kind) {
    case 'block':
      return `block ${hit.height}`;
    case 'tx':
      return `transaction in block ${hit.height}`;
    case 'account':
      return 'account';
    case 'order':
      return `${hit.side === 'lend' ? 'lend offer' : 'borrow request'} #${hit.id}`;
    case 'loan':
      return `loan #${hit.id}`;
  }
}

type Outcome =
  | { readonly kind: 'idle' }
  | { readonly kind: 'searching' }
  | { readonly kind: 'hits'; readonly hits: readonly SearchHit[] }
  | { readonly kind: 'message'; readonly text: string; readonly error: boolean };

/** One box for a block height, a transaction id or an account: it goes straight to the page found. */
export function SearchBox() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const hintId = useId();
  const [term, setTerm] = useState('');
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = term.trim();
    if (trimmed === '') {
      setOutcome({ kind: 'message', text: 'Type a block height, a transaction id or an account to search for.', error: true });
      return;
    }
    if (trimmed.length > MAX_TERM) {
      setOutcome({ kind: 'message', text: `Nothing found for that: no height, id or account is longer than ${MAX_TERM} characters.`, error: false });
      return;
    }
    setOutcome({ kind: 'searching' });
    try {
      const { hits } = await queryClient.fetchQuery({ ...trpc.chain.search.queryOptions({ term: trimmed }), staleTime: 0 });
      // A number may name a block, an order and a loan at once: the block comes first, and the
      // others are named with links under the box.
      const target = ['block', 'tx', 'account', 'loan', 'order'].map((kind) => hits.find((hit) => hit.kind === kind)).find((hit) => hit !== undefined);
      if (target) {
        setOutcome(hits.length > 1 ? { kind: 'hits', hits: hits.filter((hit) => hit !== target) } : { kind: 'idle' });
        router.push(hitHref(target));
        return;
      }
      setOutcome({ kind: 'message', text: `Nothing found for “${trimmed}”. Try a block height (such as 42), a transaction id or an account (64 hex characters).`, error: false });
    } catch (error) {
      setOutcome({ kind: 'message', text: `Could not search: ${failureText(error)}.`, error: true });
    }
  };

  return (
    <form className="explorer-search" role="search" onSubmit={(event) => void onSubmit(event)}>
      <label htmlFor={`${hintId}-term`}>Search the chain</label>
      <div className="inline-form">
        <input
          id={`${hintId}-term`}
          type="text"
          name="term"
          value={term}
          onChange={(event) => setTerm(event.target.value)}
          aria-describedby={hintId}
          autoComplete="off"
          spellCheck={false}
          placeholder="Block height, transaction id or account"
        />
        <button type="submit" disabled={outcome.kind === 'searching'}>
          Search
        </button>
      </div>
      <p id={hintId} className={outcome.kind === 'message' && outcome.error ? 'error small search-outcome' : 'muted small search-outcome'} aria-live="polite">
        {outcome.kind === 'searching' ? (
          'Searching…'
        ) : outcome.kind === 'message' ? (
          outcome.text
        ) : outcome.kind === 'hits' ? (
          <>
            Also found:{' '}
            {outcome.hits.map((hit, i) => (
              <span key={hitHref(hit)}>
                {i > 0 && ', '}
                <Link href={hitHref(hit)}>{hitText(hit)}</Link>
              </span>
            ))}
            .
          </>
        ) : (
          'A block height, a transaction id, an account, or a loan or order number.'
        )}
      </p>
    </form>
  );
}
