'use client';

import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC, useTRPCClient } from '../lib/trpc';
import { formatRate, formatTerm, formatTime } from '../lib/terms';
import { shortAccount } from '../wallet/keys';
import { useWallet } from '../wallet/wallet-context';
import type { AssetInfo } from '../wallet/describe';
import { defaultDirection, type BookEntry, type BookInput } from './book-filters';
import { creditText, money, scheduleText } from './format';

const PAGE_SIZE = 20;

const SORT_WORDS = {
  rate: { asc: 'lowest rate first', desc: 'highest rate first' },
  amount: { asc: 'smallest first', desc: 'largest first' },
  term: { asc: 'shortest term first', desc: 'longest term first' },
  newest: { asc: 'oldest first', desc: 'newest first' },
} as const;

function collateralText(order: BookEntry, assets: ReadonlyMap<string, AssetInfo>): string {
  const c = order.collateral;
  if (!c) return 'None';
  if (c.ratioBps !== null) return `${formatRate(c.ratioBps)} of the loan, in ${c.asset}`;
  return `${money(c.remaining ?? c.amount ?? '0', c.asset, assets)} escrowed`;
}

/** What one borrower may take: "Up to 100.00 USD" when any amount from one minor unit will do. */
function ticketText(ticket: { readonly min: string; readonly max: string }, asset: string, assets: ReadonlyMap<string, AssetInfo>): string {
  if (ticket.min === '1') return `Up to ${money(ticket.max, asset, assets)}`;
  if (ticket.min === ticket.max) return `Exactly ${money(ticket.max, asset, assets)}`;
  return `${money(ticket.min, asset, assets)} – ${money(ticket.max, asset, assets)}`;
}

function BookRow({ order, assets, mine }: { readonly order: BookEntry; readonly assets: ReadonlyMap<string, AssetInfo>; readonly mine: boolean }) {
  const partlyTaken = order.remaining !== order.amount;
  return (
    <tr data-order={order.id}>
      <td data-label="Order">
        <Link href={`/market/${order.side === 'lend' ? 'offer' : 'request'}/${order.id}`} aria-label={`${mine ? 'View' : order.side === 'lend' ? 'Borrow from' : 'Fund'} order #${order.id}`}>
          #{order.id}
        </Link>
        {mine && <span className="badge badge-open market-you"> yours</span>}
      </td>
      <td data-label="Remaining" className="num">
        {money(order.remaining, order.asset, assets)}
        {partlyTaken && <small className="muted"> of {money(order.amount, order.asset, assets)}</small>}
      </td>
      <td data-label={order.side === 'lend' ? 'APR' : 'Max APR'} className="num market-rate">
        {formatRate(order.rateBps)}
      </td>
      <td data-label="Term">{formatTerm(order.term)}</td>
      <td data-label="Schedule">{scheduleText(order.schedule, order.installments)}</td>
      <td data-label={order.side === 'lend' ? 'Per borrower' : 'Funding'}>
        {order.ticket ? ticketText(order.ticket, order.asset, assets) : order.partial ? 'Partial allowed' : 'All or nothing'}
      </td>
      <td data-label="Collateral">{collateralText(order, assets)}</td>
      <td data-label={order.side === 'lend' ? 'Lender' : 'Borrower'}>
        <code title={order.owner}>{shortAccount(order.owner)}</code>
        <br />
        <small className={order.ownerCredit.defaults > 0 ? 'warn' : 'muted'}>{creditText(order.ownerCredit)}</small>
      </td>
      <td data-label="Expires">
        <small>{formatTime(order.expiresAt)}</small>
      </td>
    </tr>
  );
}

/** One side of the book, as filtered: read live, paged with "More", rows kept in place while it refreshes. */
export function OrderBook({ input, assets, disabled }: { readonly input: Omit<BookInput, 'cursor'>; readonly assets: ReadonlyMap<string, AssetInfo>; readonly disabled: boolean }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const wallet = useWallet();
  const book = useInfiniteQuery({
    queryKey: [...trpc.market.book.pathKey(), 'pages', input],
    queryFn: ({ pageParam, signal }) => client.market.book.query({ ...input, limit: PAGE_SIZE, cursor: pageParam }, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    enabled: !disabled,
    placeholderData: keepPreviousData,
  });
  const orders = book.data?.pages.flatMap((page) => page.items) ?? [];
  const side = input.side;
  const noun = side === 'lend' ? 'lend offers' : 'borrow requests';
  const sort = input.sort ?? 'rate';
  const direction = input.sortDirection ?? defaultDirection(sort, side);
  const caption = `Open ${noun}${input.asset ? ` in ${input.asset}` : ''}, ${SORT_WORDS[sort][direction]}`;
  const columns = 9;

  return (
    <div className="market-book" aria-busy={book.isFetching && !book.isRefetching}>
      <div className="market-book-scroll">
        <table className="market-table">
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col" className="num">
                Remaining
              </th>
              <th scope="col" className="num">
                {side === 'lend' ? 'APR' : 'Max APR'}
              </th>
              <th scope="col">Term</th>
              <th scope="col">Schedule</th>
              <th scope="col">{side === 'lend' ? 'Per borrower' : 'Funding'}</th>
              <th scope="col">Collateral</th>
              <th scope="col">{side === 'lend' ? 'Lender' : 'Borrower'}</th>
              <th scope="col">Expires</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((order) => (
              <BookRow key={order.id} order={order} assets={assets} mine={order.owner === wallet.selected?.account} />
            ))}
            {orders.length === 0 && (
              <tr className="market-empty">
                <td colSpan={columns}>
                  {disabled
                    ? 'Correct the filters to see the book.'
                    : book.isPending
                      ? 'Reading the book…'
                      : book.isError
                        ? 'The book could not be read: the node does not answer. Trying again every few seconds.'
                        : `No open ${noun} match these filters.`}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div className="market-book-foot">
        <p className="muted small" data-testid="book-status">
          {orders.length > 0 && `${orders.length} shown${book.hasNextPage ? ', more below' : ''}. `}
          {book.isError && orders.length > 0 ? 'The node stopped answering; showing the last book read.' : 'Updates as each block is indexed.'}
        </p>
        {book.hasNextPage && (
          <button type="button" onClick={() => void book.fetchNextPage()} disabled={book.isFetchingNextPage}>
            {book.isFetchingNextPage ? 'Loading more…' : `More ${noun}`}
          </button>
        )}
      </div>
    </div>
  );
}
