'use client';

import type { ChainEvent } from './api-types';
import { describeEvent } from './describe';
import { formatTime } from './format';
import { BlockLink, TableScroll, TxLink } from './ui';
import { useAssets } from './use-assets';

/** Events of the market in plain words, each with its block and, when a transaction caused it, that transaction. */
export function EventList({ events, label, showTx = true }: { readonly events: readonly ChainEvent[]; readonly label: string; readonly showTx?: boolean }) {
  const assets = useAssets();
  return (
    <TableScroll label={`${label}, scrollable`}>
      <table className="data-table events-table">
        <caption className="sr-only">{label}</caption>
        <thead>
          <tr>
            <th scope="col">What happened</th>
            <th scope="col" className="num">
              Block
            </th>
            <th scope="col">Time</th>
            {showTx && <th scope="col">Transaction</th>}
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={`${event.height}:${event.seq}`}>
              <td className="wrap">{describeEvent(event.event, assets)}</td>
              <td className="num">
                <BlockLink height={event.height} />
              </td>
              <td className="nowrap">{formatTime(event.time)}</td>
              {showTx && <td>{event.txId ? <TxLink id={event.txId} /> : <span className="muted">end of block</span>}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
