'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { amountOf, formatAmount } from '../lib/amounts';
import { useTRPC } from '../lib/trpc';
import { formatRate } from '../lib/terms';
import type { AssetInfo } from '../wallet/describe';
import { fraction, innerHeight, innerWidth, PLOT, shortRate, ticksUpTo } from './chart-scale';
import { money } from './format';
import { Legend } from './rate-chart';

interface Level {
  readonly rateBps: number;
  readonly orders: number;
  readonly remaining: string;
  readonly cumulative: string;
}

/**
 * Market depth: for each side, how much is on the book at a rate or better for a counterparty.
 * Lend offers climb to the right (dearer rates add to what a borrower can take), borrow requests
 * climb to the left.
 */
export function DepthChart({ asset, assets }: { readonly asset: string; readonly assets: ReadonlyMap<string, AssetInfo> }) {
  const trpc = useTRPC();
  const depth = useQuery({ ...trpc.market.depth.queryOptions({ asset, levels: 100 }), placeholderData: keepPreviousData });
  const lend: readonly Level[] = depth.data?.lend ?? [];
  const borrow: readonly Level[] = depth.data?.borrow ?? [];
  const decimals = assets.get(asset)?.decimals ?? 0;

  const rates = [...lend, ...borrow].map((l) => l.rateBps);
  const ticks = ticksUpTo(Math.max(100, ...rates));
  const rateMax = ticks[ticks.length - 1] ?? 100;
  const amountMax = [...lend, ...borrow].reduce((max, l) => (amountOf(l.cumulative) > max ? amountOf(l.cumulative) : max), 0n);
  const x = (bps: number) => PLOT.left + innerWidth(PLOT) * (bps / rateMax);
  const y = (amount: bigint) => PLOT.top + innerHeight(PLOT) * (1 - fraction(amount, amountMax));
  const right = PLOT.width - PLOT.right;

  /** A step line from the best rate outward: up at each level, then level to the next rate. */
  const stepPath = (levels: readonly Level[], towards: number) => {
    if (levels.length === 0) return '';
    const first = levels[0]!;
    let path = `M${x(first.rateBps)},${y(0n)}`;
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      path += ` V${y(amountOf(level.cumulative))}`;
      const next = levels[i + 1];
      path += ` H${next ? x(next.rateBps) : towards}`;
    }
    return path;
  };
  const area = (levels: readonly Level[], towards: number) => (levels.length === 0 ? '' : `${stepPath(levels, towards)} V${y(0n)} Z`);
  const amountTicks = [0n, amountMax / 2n, amountMax];

  return (
    <figure className="market-chart card" aria-labelledby="depth-chart-caption">
      <figcaption id="depth-chart-caption">
        <h2>Market depth</h2>
        <span className="muted small">
          How much {asset} is on the book at each APR or better: lend offers from the cheapest up, borrow requests from the dearest down.
        </span>
      </figcaption>
      <div className="actions">
        <Legend />
      </div>
      {depth.isPending ? (
        <p className="muted chart-placeholder">Reading the depth…</p>
      ) : depth.isError && !depth.data ? (
        <p className="error chart-placeholder">The depth could not be read: the node does not answer.</p>
      ) : amountMax === 0n ? (
        <p className="muted chart-placeholder">Nothing is on the book in {asset} yet.</p>
      ) : (
        <svg viewBox={`0 0 ${PLOT.width} ${PLOT.height}`} role="img" aria-label={`Depth chart for ${asset}; the table below gives the same figures.`} className="chart-svg">
          {amountTicks.map((t, i) => (
            <g key={i}>
              <line x1={PLOT.left} x2={right} y1={y(t)} y2={y(t)} className="chart-grid" />
              <text x={PLOT.left - 6} y={y(t) + 4} textAnchor="end" className="chart-tick">
                {formatAmount(t, decimals, 0).replace(/\.\d+$/, '')}
              </text>
            </g>
          ))}
          {ticks.map((t) => (
            <text key={t} x={x(t)} y={PLOT.height - PLOT.bottom + 16} textAnchor="middle" className="chart-tick">
              {shortRate(t)}
            </text>
          ))}
          <g className="chart-borrow">
            <path d={area(borrow, PLOT.left)} className="chart-area" />
            <path d={stepPath(borrow, PLOT.left)} className="chart-step" />
          </g>
          <g className="chart-lend">
            <path d={area(lend, right)} className="chart-area" />
            <path d={stepPath(lend, right)} className="chart-step" />
          </g>
          <line x1={PLOT.left} x2={right} y1={y(0n)} y2={y(0n)} className="chart-axis" />
          <line x1={PLOT.left} x2={PLOT.left} y1={PLOT.top} y2={y(0n)} className="chart-axis" />
          <text x={PLOT.left + innerWidth(PLOT) / 2} y={PLOT.height - 8} textAnchor="middle" className="chart-title">
            APR
          </text>
          <text transform={`translate(14 ${PLOT.top + innerHeight(PLOT) / 2}) rotate(-90)`} textAnchor="middle" className="chart-title">
            Cumulative {asset}
          </text>
        </svg>
      )}
      {lend.length + borrow.length > 0 && (
        <details className="chart-table">
          <summary>Market depth as a table</summary>
          <table className="balances">
            <caption className="sr-only">Depth by rate for {asset}</caption>
            <thead>
              <tr>
                <th scope="col">Side</th>
                <th scope="col" className="num">APR</th>
                <th scope="col" className="num">Orders</th>
                <th scope="col" className="num">At this rate</th>
                <th scope="col" className="num">This rate or better</th>
              </tr>
            </thead>
            <tbody>
              {[...lend.map((l) => ({ name: 'Lend offers', l })), ...borrow.map((l) => ({ name: 'Borrow requests', l }))].map(({ name, l }) => (
                <tr key={`${name}-${l.rateBps}`}>
                  <td>{name}</td>
                  <td className="num">{formatRate(l.rateBps)}</td>
                  <td className="num">{l.orders}</td>
                  <td className="num">{money(l.remaining, asset, assets)}</td>
                  <td className="num">{money(l.cumulative, asset, assets)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </figure>
  );
}
