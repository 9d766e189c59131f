'use client';

import { amountOf } from '../lib/amounts';
import { fraction } from '../market/chart-scale';
import { money } from '../market/format';
import type { ApiOutputs } from '../lib/trpc';
import type { AssetInfo } from '../wallet/describe';

type Position = ApiOutputs['accounts']['portfolio']['asLender'][number];

/** The parts of a lender's money in one asset, in the order they are drawn. */
function parts(p: Position) {
  const back = amountOf(p.received) - amountOf(p.interestReceived) - amountOf(p.lateFeesReceived);
  return [
    { key: 'back', label: 'Principal back', amount: back },
    { key: 'income', label: 'Interest and fees', amount: amountOf(p.interestReceived) + amountOf(p.lateFeesReceived) },
    { key: 'outstanding', label: 'Outstanding', amount: amountOf(p.outstanding) },
    { key: 'lost', label: 'Lost to defaults', amount: amountOf(p.principalLost) },
  ] as const;
}

/**
 * Where the lender's money is, per asset, as one bar: principal back, income, still out, lost.
 * The positions table above holds the same figures.
 */
export function PositionBars({ positions, assets }: { readonly positions: readonly Position[]; readonly assets: ReadonlyMap<string, AssetInfo> }) {
  if (positions.length === 0) return null;
  return (
    <figure className="position-bars">
      {positions.map((p) => {
        const list = parts(p);
        const whole = list.reduce((sum, part) => sum + part.amount, 0n);
        const words = list.filter((part) => part.amount > 0n).map((part) => `${part.label.toLowerCase()} ${money(part.amount, p.asset, assets)}`);
        let offset = 0;
        return (
          <div key={p.asset} className="position-bar-row">
            <span className="position-bar-asset">{p.asset}</span>
            <svg viewBox="0 0 1000 24" preserveAspectRatio="none" role="img" aria-label={`Your ${p.asset} as lender: ${words.join(', ') || 'nothing yet'}.`}>
              {list.map((part) => {
                const width = 1000 * fraction(part.amount, whole);
                const x = offset;
                offset += width;
                return width > 0 ? <rect key={part.key} x={x} y={0} width={width} height={24} className={`position-${part.key}`} /> : null;
              })}
            </svg>
          </div>
        );
      })}
      <figcaption className="chart-legend muted small" aria-hidden="true">
        <span className="position-back">■ Principal back</span> <span className="position-income">■ Interest and fees</span> <span className="position-outstanding">■ Outstanding</span>{' '}
        <span className="position-lost">■ Lost to defaults</span>
      </figcaption>
    </figure>
  );
}
