'use client';

import { formatTime } from '../lib/terms';
import { TableScroll } from '../explorer/ui';
import type { AssetInfo } from '../wallet/describe';
import { money } from './format';

/** One installment on screen: due time, parts in minor units, and where the chain has it, its status. */
export interface ScheduleRow {
  readonly number: number;
  readonly due: number;
  readonly principal: bigint;
  readonly interest: bigint;
  readonly status?: 'due' | 'paid' | 'late' | 'defaulted' | 'waived';
  /** The installment the next payment goes to. */
  readonly next?: boolean;
}

const STATUS_WORDS = { due: 'Due', paid: 'Paid', late: 'Late', defaulted: 'Defaulted', waived: 'Waived' } as const;

/** A loan's installments as a table: each due date, principal, interest and payment, with paid and late marks. */
export function ScheduleTable({ caption, rows, asset, assets }: { readonly caption: string; readonly rows: readonly ScheduleRow[]; readonly asset: string; readonly assets: ReadonlyMap<string, AssetInfo> }) {
  const withStatus = rows.some((r) => r.status !== undefined);
  return (
    <TableScroll label={caption}>
      <table className="data-table schedule-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Due</th>
            <th scope="col" className="num">
              Principal
            </th>
            <th scope="col" className="num">
              Interest
            </th>
            <th scope="col" className="num">
              Payment
            </th>
            {withStatus && <th scope="col">Status</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.number} className={row.status ? `installment-${row.status}` : undefined} aria-current={row.next ? 'step' : undefined}>
              <td>{row.number}</td>
              <td>{formatTime(row.due)}</td>
              <td className="num">{money(row.principal, asset, assets)}</td>
              <td className="num">{money(row.interest, asset, assets)}</td>
              <td className="num">{money(row.principal + row.interest, asset, assets)}</td>
              {withStatus && (
                <td>
                  <span className={`badge installment-badge-${row.status ?? 'due'}`}>{STATUS_WORDS[row.status ?? 'due']}</span>
                  {row.next && <small className="muted"> next</small>}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
