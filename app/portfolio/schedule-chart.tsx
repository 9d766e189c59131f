'use client';

import { fraction } from '../market/chart-scale';
import { money } from '../market/format';
import type { ScheduleRow } from '../market/schedule-table';
import type { AssetInfo } from '../wallet/describe';

const WIDTH = 640;
const HEIGHT = 140;
const TOP = 8;
const BOTTOM = 22;
const GAP = 4;

/**
 * A loan's installments as bars, oldest first: principal below, interest on top, coloured by
 * whether each is paid, due or late, so the way through the loan shows at a glance. The schedule
 * table beside it holds the same figures for those who read rather than look.
 */
export function ScheduleChart({ loanId, rows, asset, assets }: { readonly loanId: number; readonly rows: readonly ScheduleRow[]; readonly asset: string; readonly assets: ReadonlyMap<string, AssetInfo> }) {
  if (rows.length < 2) return null;
  const largest = rows.reduce((max, r) => (r.principal + r.interest > max ? r.principal + r.interest : max), 0n);
  const paid = rows.filter((r) => r.status === 'paid').length;
  const late = rows.filter((r) => r.status === 'late' || r.status === 'defaulted').length;
  const band = WIDTH / rows.length;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const height = (amount: bigint) => plotHeight * fraction(amount, largest);
  const label = `Installments of loan #${loanId}: ${paid} of ${rows.length} paid${late > 0 ? `, ${late} late` : ''}; the largest is ${money(largest, asset, assets)}.`;
  return (
    <figure className="schedule-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label} preserveAspectRatio="none">
        {rows.map((row, i) => {
          const x = i * band + GAP / 2;
          const principal = height(row.principal);
          const interest = height(row.interest);
          const base = HEIGHT - BOTTOM;
          const state = row.status ?? 'due';
          return (
            <g key={row.number} className={`bar-${state}`}>
              <rect x={x} y={base - principal} width={band - GAP} height={principal} className="bar-principal" />
              <rect x={x} y={base - principal - interest} width={band - GAP} height={interest} className="bar-interest" />
              {(rows.length <= 24 || i % Math.ceil(rows.length / 12) === 0) && (
                <text x={x + (band - GAP) / 2} y={HEIGHT - 6} textAnchor="middle" className="bar-label">
                  {row.number}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="chart-legend muted small" aria-hidden="true">
        <span className="bar-paid">■ Paid</span> <span className="bar-due">■ Due</span> <span className="bar-late">■ Late</span> · darker: principal, lighter: interest
      </figcaption>
    </figure>
  );
}
