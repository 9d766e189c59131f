'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTRPC } from '../../../lib/trpc';
import { txTypeName } from '../../describe';
import { EventList } from '../../event-list';
import { formatTime } from '../../format';
import { BlockLink, LoadError, Pager, TableScroll, TxLink } from '../../ui';
import { useCursorPages } from '../../use-cursor-pages';

/** Rows a page of transactions or events lists. */
const PAGE_SIZE = 10;

/** The transactions an account signed, newest first, a page at a time. */
export function AccountTxs({ account }: { readonly account: string }) {
  const trpc = useTRPC();
  const pages = useCursorPages();
  const txs = useQuery({
    ...trpc.accounts.txs.queryOptions({ account, limit: PAGE_SIZE, cursor: pages.cursor }),
    placeholderData: keepPreviousData,
    meta: { live: pages.page === 1 },
  });
  return (
    <section className="card" aria-labelledby="account-txs-heading">
      <h2 id="account-txs-heading">Transactions signed</h2>
      {txs.isPending && <p className="muted">Reading transactions…</p>}
      {txs.isError && <LoadError what="the transactions" error={txs.error} retry={() => void txs.refetch()} />}
      {txs.data && txs.data.items.length === 0 && <p className="muted">{pages.page === 1 ? 'This account has signed no transactions.' : 'No older transactions.'}</p>}
      {txs.data && txs.data.items.length > 0 && (
        <TableScroll label="Transactions signed, scrollable">
          <table className="data-table">
            <caption className="sr-only">Transactions signed by the account</caption>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Type</th>
                <th scope="col" className="num">
                  Nonce
                </th>
                <th scope="col" className="num">
                  Block
                </th>
                <th scope="col">Time</th>
              </tr>
            </thead>
            <tbody>
              {txs.data.items.map((tx) => (
                <tr key={tx.id}>
                  <th scope="row">
                    <TxLink id={tx.id} />
                  </th>
                  <td>{txTypeName(tx.type)}</td>
                  <td className="num">{tx.nonce}</td>
                  <td className="num">
                    <BlockLink height={tx.height} />
                  </td>
                  <td className="nowrap">{formatTime(tx.time)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {(pages.page > 1 || !!txs.data?.nextCursor) && (
        <Pager
          label="Pages of transactions"
          page={pages.page}
          hasOlder={!!txs.data?.nextCursor}
          busy={txs.isFetching && txs.isPlaceholderData}
          onNewest={pages.newest}
          onNewer={pages.newer}
          onOlder={() => txs.data?.nextCursor && pages.older(txs.data.nextCursor)}
        />
      )}
    </section>
  );
}

/** The events that concern an account, newest first, a page at a time. */
export function AccountEvents({ account }: { readonly account: string }) {
  const trpc = useTRPC();
  const pages = useCursorPages();
  const events = useQuery({
    ...trpc.accounts.history.queryOptions({ account, limit: PAGE_SIZE, cursor: pages.cursor }),
    placeholderData: keepPreviousData,
    meta: { live: pages.page === 1 },
  });
  return (
    <section className="card" aria-labelledby="account-events-heading">
      <h2 id="account-events-heading">Events</h2>
      {events.isPending && <p className="muted">Reading events…</p>}
      {events.isError && <LoadError what="the events" error={events.error} retry={() => void events.refetch()} />}
      {events.data && events.data.items.length === 0 && <p className="muted">{pages.page === 1 ? 'Nothing has happened to this account yet.' : 'No older events.'}</p>}
      {events.data && events.data.items.length > 0 && <EventList events={events.data.items} label="Events of the account" />}
      {(pages.page > 1 || !!events.data?.nextCursor) && (
        <Pager
          label="Pages of events"
          page={pages.page}
          hasOlder={!!events.data?.nextCursor}
          busy={events.isFetching && events.isPlaceholderData}
          onNewest={pages.newest}
          onNewer={pages.newer}
          onOlder={() => events.data?.nextCursor && pages.older(events.data.nextCursor)}
        />
      )}
    </section>
  );
}
