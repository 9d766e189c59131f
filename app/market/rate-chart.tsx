'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { type ApiOutputs, useTRPC } from '../lib/trpc';
import { formatRate, formatTerm } from '../lib/terms';
import type { AssetInfo } from '../wallet/describe';
import { innerHeight, innerWidth, PLOT, shortRate, shortTerm, ticksUpTo } from './chart-scale';
import { money } from './format';

type Bucket = ApiOutputs['market']['ratesByTerm'][number];

const BUCKETS = [
  { seconds: 86_400, label: 'day' },
  { seconds: 7 * 86_400, label: 'week' },
  { seconds: 30 * 86_400, label: '30 days' },
  { seconds: 90 * 86_400, label: '90 days' },
  { seconds: 365 * 86_400, label: 'year' },
] as const;

const SIDES = [
  { side: 'lend', name: 'Lend offers', className: 'chart-lend' },
  { side: 'borrow', name: 'Borrow requests', className: 'chart-borrow' },
] as const;

/** APR against term: for each term bucket, the lowest, mean and highest rate of each side, drawn as a bar with a dot. */
export function RateChart({ asset, assets }: { readonly asset: string; readonly assets: ReadonlyMap<string, AssetInfo> }) {
  const trpc = useTRPC();
  const [bucketSeconds, setBucketSeconds] = useState<number>(30 * 86_400);
  const options = { placeholderData: keepPreviousData } as const;
  const lend = useQuery({ ...trpc.market.ratesByTerm.queryOptions({ side: 'lend', asset, bucketSeconds }), ...options });
  const borrow = useQuery({ ...trpc.market.ratesByTerm.queryOptions({ side: 'borrow', asset, bucketSeconds }), ...options });
  const series = { lend: lend.data ?? [], borrow: borrow.data ?? [] };
  const terms = [...new Set([...series.lend, ...series.borrow].map((b) => b.termFrom))].sort((a, b) => a - b);
  const top = Math.max(100, ...[...series.lend, ...series.borrow].map((b) => b.maxRateBps));
  const ticks = ticksUpTo(top);
  const yMax = ticks[ticks.length - 1] ?? 100;
  const band = innerWidth(PLOT) / Math.max(terms.length, 1);
  const x = (i: number, offset: number) => PLOT.left + band * i + band / 2 + offset * Math.min(band / 5, 14);
  const y = (bps: number) => PLOT.top + innerHeight(PLOT) * (1 - bps / yMax);
  const labelEvery = Math.ceil(terms.length / 10);
  const bucketName = BUCKETS.find((b) => b.seconds === bucketSeconds)?.label ?? formatTerm(bucketSeconds);
  const rows = terms.flatMap((term) => SIDES.flatMap(({ side, name }) => series[side].filter((b) => b.termFrom === term).map((b) => ({ name, b }))));

  return (
    <figure className="market-chart card" aria-labelledby="rate-chart-caption">
      <figcaption id="rate-chart-caption">
        <h2>Rates by term</h2>
        <span className="muted small">
          Lowest, mean and highest APR of the open orders in {asset}, for each {bucketName} of term.
        </span>
      </figcaption>
      <div className="actions">
        <label htmlFor="rate-chart-bucket">Group terms by</label>
        <select id="rate-chart-bucket" value={bucketSeconds} onChange={(e) => setBucketSeconds(Number(e.target.value))}>
          {BUCKETS.map((b) => (
            <option key={b.seconds} value={b.seconds}>
              {b.label}
            </option>
          ))}
        </select>
        <Legend />
      </div>
      {lend.isPending || borrow.isPending ? (
        <p className="muted chart-placeholder">Reading the rates…</p>
      ) : lend.isError && borrow.isError ? (
        <p className="error chart-placeholder">The rates could not be read: the node does not answer.</p>
      ) : terms.length === 0 ? (
        <p className="muted chart-placeholder">No open orders in {asset} yet, so there are no rates to draw.</p>
      ) : (
        <svg viewBox={`0 0 ${PLOT.width} ${PLOT.height}`} role="img" aria-label={`Chart of APR by term for ${asset}; the table below gives the same figures.`} className="chart-svg">
          {ticks.map((t) => (
            <g key={t}>
              <line x1={PLOT.left} x2={PLOT.width - PLOT.right} y1={y(t)} y2={y(t)} className="chart-grid" />
              <text x={PLOT.left - 6} y={y(t) + 4} textAnchor="end" className="chart-tick">
                {shortRate(t)}
              </text>
            </g>
          ))}
          {terms.map((term, i) => (
            <g key={term}>
              {i % labelEvery === 0 && (
                <text x={x(i, 0)} y={PLOT.height - PLOT.bottom + 16} textAnchor="middle" className="chart-tick">
                  {shortTerm(term)}–{shortTerm(term + bucketSeconds)}
                </text>
              )}
              {SIDES.map(({ side, className }, s) => {
                const bucket: Bucket | undefined = series[side].find((b) => b.termFrom === term);
                if (!bucket) return null;
                const cx = x(i, s === 0 ? -1 : 1);
                return (
                  <g key={side} className={className}>
                    <line x1={cx} x2={cx} y1={y(bucket.minRateBps)} y2={y(bucket.maxRateBps)} className="chart-range" />
                    <line x1={cx - 4} x2={cx + 4} y1={y(bucket.minRateBps)} y2={y(bucket.minRateBps)} className="chart-range" />
                    <line x1={cx - 4} x2={cx + 4} y1={y(bucket.maxRateBps)} y2={y(bucket.maxRateBps)} className="chart-range" />
                    <circle cx={cx} cy={y(bucket.avgRateBps)} r={4} className="chart-dot" />
                  </g>
                );
              })}
            </g>
          ))}
          <line x1={PLOT.left} x2={PLOT.width - PLOT.right} y1={y(0)} y2={y(0)} className="chart-axis" />
          <line x1={PLOT.left} x2={PLOT.left} y1={PLOT.top} y2={y(0)} className="chart-axis" />
          <text x={PLOT.left + innerWidth(PLOT) / 2} y={PLOT.height - 8} textAnchor="middle" className="chart-title">
            Term
          </text>
          <text transform={`translate(14 ${PLOT.top + innerHeight(PLOT) / 2}) rotate(-90)`} textAnchor="middle" className="chart-title">
            APR
          </text>
        </svg>
      )}
      {rows.length > 0 && (
        <details className="chart-table">
          <summary>Rates by term as a table</summary>
          <table className="balances">
            <caption className="sr-only">APR by term bucket for {asset}</caption>
            <thead>
              <tr>
                <th scope="col">Term</th>
                <th scope="col">Side</th>
                <th scope="col" className="num">Orders</th>
                <th scope="col" className="num">Lowest</th>
                <th scope="col" className="num">Mean</th>
                <th scope="col" className="num">Highest</th>
                <th scope="col" className="num">Volume</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ name, b }) => (
                <tr key={`${name}-${b.termFrom}`}>
                  <td>
                    {formatTerm(b.termFrom)} to {formatTerm(b.termTo)}
                  </td>
                  <td>{name}</td>
                  <td className="num">{b.orders}</td>
                  <td className="num">{formatRate(b.minRateBps)}</td>
                  <td className="num">{formatRate(b.avgRateBps)}</td>
                  <td className="num">{formatRate(b.maxRateBps)}</td>
                  <td className="num">{money(b.volume, asset, assets)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </figure>
  );
}

export function Legend() {
  return (
    <span className="chart-legend" aria-hidden="true">
      <span className="chart-lend">■ Lend offers</span> <span className="chart-borrow">■ Borrow requests</span>
    </span>
  );
}
