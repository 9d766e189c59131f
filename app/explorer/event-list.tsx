'use client';

import type { ReactNode } from 'react';
import type { ChainEvent } from './api-types';
import { describeEvent } from './describe';
import { formatTime } from './format';
import { BlockLink, LoanLink, TableScroll, TxLink } from './ui';
import { useAssets } from './use-assets';

/** A column a page adds to the events: its heading and each event's cell. */
export interface EventColumn {
  readonly heading: string;
  readonly cell: (event: ChainEvent) => ReactNode;
}

/**
 * Events of the market in plain words, each with its block and, when a transaction caused it,
 * that transaction; with a link to the loan an event concerns unless the page is that loan's.
 */
export function EventList({
  events,
  label,
  showTx = true,
  linkLoans = true,
  extra,
  testId,
}: {
  readonly events: readonly ChainEvent[];
  readonly label: string;
  readonly showTx?: boolean;
  readonly linkLoans?: boolean;
  readonly extra?: EventColumn;
  /** Names the table `testId`s and each row `testId`-event, for the e2e tests. */
  readonly testId?: string;
}) {
  const assets = useAssets();
  return (
    <TableScroll label={`${label}, scrollable`}>
      <table className="data-table events-table" data-testid={testId ? `${testId}s` : undefined}>
        <caption className="sr-only">{label}</caption>
        <thead>
          <tr>
            <th scope="col">What happened</th>
            <th scope="col" className="num">
              Block
            </th>
            <th scope="col">Time</th>
            {showTx && <th scope="col">Transaction</th>}
            {extra && <th scope="col">{extra.heading}</th>}
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={`${event.height}:${event.seq}`} data-testid={testId} data-event-type={event.type}>
              <td className="wrap">
                {describeEvent(event.event, assets)}
                {linkLoans && event.loanId !== null && (
                  <>
                    {' '}
                    <span className="small">
                      (<LoanLink id={event.loanId} />)
                    </span>
                  </>
                )}
              </td>
              <td className="num">
                <BlockLink height={event.height} />
              </td>
              <td className="nowrap">{formatTime(event.time)}</td>
              {showTx && <td>{event.txId ? <TxLink id={event.txId} /> : <span className="muted">end of block</span>}</td>}
              {extra && <td>{extra.cell(event)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
