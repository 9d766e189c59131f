'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../lib/trpc';
import type { BlockSummary } from './api-types';
import { formatTime, shortHex } from './format';
import { AccountLink, BlockLink, LoadError, Pager, TableScroll } from './ui';
import { useCursorPages } from './use-cursor-pages';

/** Blocks a page lists. The table always keeps this many rows, so new blocks never move the page. */
const PAGE_SIZE = 15;

function BlockRow({ block }: { readonly block: BlockSummary }) {
  return (
    <tr>
      <th scope="row" className="num">
        <BlockLink height={block.height} />
      </th>
      <td className="nowrap">{formatTime(block.time)}</td>
      <td className="num">{block.txCount}</td>
      <td>
        <AccountLink account={block.proposer} />
      </td>
      <td>
        <code title={block.hash}>{shortHex(block.hash)}</code>
      </td>
    </tr>
  );
}

/** A row that holds the place of one not read yet, so the table does not grow when it is. */
function PlaceholderRow({ index, text }: { readonly index: number; readonly text: string }) {
  return (
    <tr aria-hidden={index > 0 ? true : undefined} className="placeholder-row">
      <td colSpan={5} className="muted">
        {index === 0 ? text : '\u00a0'}
      </td>
    </tr>
  );
}

/**
 * The latest blocks, newest first, read again as each block is indexed while the first page is shown
 * and live updates are on. Older pages stay still: they are a fixed range of heights.
 */
export function LatestBlocks() {
  const trpc = useTRPC();
  const pages = useCursorPages();
  const [paused, setPaused] = useState(false);
  const live = pages.page === 1 && !paused;
  const blocks = useQuery({
    ...trpc.chain.blocks.queryOptions({ limit: PAGE_SIZE, cursor: pages.cursor }),
    placeholderData: keepPreviousData,
    meta: { live },
  });
  const rows = blocks.data?.items ?? [];
  const fill = Math.max(0, PAGE_SIZE - rows.length);
  const emptyText = blocks.isPending ? 'Reading blocks…' : blocks.isError ? 'No blocks to show.' : rows.length === 0 ? 'No blocks yet.' : '';

  return (
    <section aria-labelledby="latest-blocks-heading" className="card">
      <div className="section-head">
        <h2 id="latest-blocks-heading">Latest blocks</h2>
        <button type="button" aria-pressed={paused} onClick={() => setPaused((was) => !was)} disabled={pages.page !== 1}>
          {paused ? 'Resume live updates' : 'Pause live updates'}
        </button>
      </div>
      <p className="muted small">
        {pages.page === 1 ? (live ? 'Live: new blocks appear at the top every two seconds.' : 'Paused: the list stays as it is.') : 'An older page: it does not change.'}
      </p>
      {blocks.isError && <LoadError what="the latest blocks" error={blocks.error} retry={() => void blocks.refetch()} />}
      <TableScroll label="Latest blocks, scrollable">
        <table className="data-table">
          <caption className="sr-only">Latest blocks</caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                Height
              </th>
              <th scope="col">Time</th>
              <th scope="col" className="num">
                Txs
              </th>
              <th scope="col">Proposer</th>
              <th scope="col">Hash</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((block) => (
              <BlockRow key={block.height} block={block} />
            ))}
            {Array.from({ length: fill }, (_, index) => (
              <PlaceholderRow key={`fill-${index}`} index={rows.length === 0 ? index : index + 1} text={emptyText} />
            ))}
          </tbody>
        </table>
      </TableScroll>
      <Pager
        label="Pages of blocks"
        page={pages.page}
        hasOlder={!!blocks.data?.nextCursor}
        busy={blocks.isFetching && blocks.isPlaceholderData}
        onNewest={pages.newest}
        onNewer={pages.newer}
        onOlder={() => blocks.data?.nextCursor && pages.older(blocks.data.nextCursor)}
      />
    </section>
  );
}
