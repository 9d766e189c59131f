'use client';

import { useQuery } from '@tanstack/react-query';
import { amountOf, formatAmount } from '../lib/amounts';
import { type ApiOutputs, useTRPC } from '../lib/trpc';

type BalanceRow = ApiOutputs['accounts']['balances']['balances'][number];

/** Balances as a table: per asset, what is available and what is held in open orders, in the asset's units. */
export function BalancesTable({ rows, caption, className }: { readonly rows: readonly BalanceRow[]; readonly caption: string; readonly className: string }) {
  return (
    <table className={className} data-testid="balances">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Asset</th>
          <th scope="col" className="num">
            Available
          </th>
          <th scope="col" className="num">
            In open orders
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.asset} data-asset={row.asset}>
            <th scope="row">
              {row.asset} <small className="muted">{row.name}</small>
            </th>
            <td className="num" data-testid={`balance-${row.asset}`}>
              {formatAmount(amountOf(row.amount), row.decimals)}
            </td>
            <td className="num">{formatAmount(amountOf(row.escrowed), row.decimals)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** An account's balances in every asset, in the asset's units: spendable and held in open orders. */
export function Balances({ account }: { readonly account: string }) {
  const trpc = useTRPC();
  const balances = useQuery(trpc.accounts.balances.queryOptions({ account }));
  if (balances.isPending) return <p className="muted">Reading balances…</p>;
  if (balances.isError) {
    return (
      <p className="error" role="alert">
        Could not read balances: {balances.error.message || 'the node does not answer'}.{' '}
        <button type="button" className="link-button" onClick={() => void balances.refetch()}>
          Try again
        </button>
      </p>
    );
  }
  const rows = balances.data.balances;
  const empty = rows.every((row) => amountOf(row.amount) === 0n && amountOf(row.escrowed) === 0n);
  return (
    <>
      <BalancesTable rows={rows} caption="Balances of the account" className="balances" />
      {empty && <p className="muted">This account holds nothing yet.</p>}
      <p className="muted small">
        {balances.data.txCount} {balances.data.txCount === 1 ? 'transaction' : 'transactions'} signed; the next is number {balances.data.nextNonce}.
      </p>
    </>
  );
}
