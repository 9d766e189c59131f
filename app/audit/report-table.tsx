'use client';

import { TableScroll } from '../explorer/ui';
import type { ApiOutputs } from '../lib/trpc';
import { money } from '../market/format';
import type { AssetInfo } from '../wallet/describe';

type Report = ApiOutputs['audit']['report'];
type PeriodReport = Extract<Report, { kind: 'period' }>;
type Figures = PeriodReport['periods'][number]['assets'][number];

/** The figures of one asset as table cells: made, repaid, late, defaulted, outstanding. */
function FigureCells({ f, assets }: { readonly f: Figures; readonly assets: ReadonlyMap<string, AssetInfo> }) {
  const m = (amount: string) => money(amount, f.asset, assets);
  const collateral = f.defaults.collateral.map((c) => money(c.amount, c.asset, assets)).join(', ');
  return (
    <>
      <td className="num">
        {f.originated.count} · {m(f.originated.principal)}
      </td>
      <td className="num">
        {f.repayments.count} · {m(f.repayments.principal)}
      </td>
      <td className="num">{m(f.repayments.interest)}</td>
      <td className="num">{m(f.repayments.lateFees)}</td>
      <td className="num">
        {f.late.count} · {m(f.late.fees)}
      </td>
      <td className="num">
        {f.defaults.count} · {m(f.defaults.principal)}
        {collateral && <div className="muted small">collateral {collateral}</div>}
      </td>
      <td className="num">{f.loansRepaid}</td>
      <td className="num">{m(f.outstanding)}</td>
    </>
  );
}

const HEADINGS = ['Loans made', 'Repayments (principal)', 'Interest paid', 'Late fees paid', 'Became late (fees)', 'Defaults (principal)', 'Loans repaid', 'Outstanding at end'];

/** A report's rows: the first columns say what a row is about, the rest are the asset's figures. */
export function ReportTable({
  caption,
  first,
  rows,
  assets,
}: {
  readonly caption: string;
  readonly first: readonly string[];
  readonly rows: readonly { readonly key: string; readonly cells: readonly string[]; readonly figures: Figures }[];
  readonly assets: ReadonlyMap<string, AssetInfo>;
}) {
  return (
    <TableScroll label={`${caption}, scrollable`}>
      <table className="data-table" data-testid="audit-report">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {first.map((heading) => (
              <th key={heading} scope="col">
                {heading}
              </th>
            ))}
            {HEADINGS.map((heading) => (
              <th key={heading} scope="col" className="num">
                {heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              {row.cells.map((cell, i) => (
                <td key={i} className="nowrap">
                  {cell}
                </td>
              ))}
              <FigureCells f={row.figures} assets={assets} />
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
