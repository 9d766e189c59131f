'use client';

import { useQuery } from '@tanstack/react-query';
import { amountOf, formatAmount } from '../lib/amounts';
import { useTRPC } from '../lib/trpc';

/** Re-read balances this often, so funds received from others show up too. */
const REFRESH_MS = 5_000;

/** An account's balances in every asset, in the asset's units: spendable and held in open orders. */
export function Balances({ account }: { readonly account: string }) {
  const trpc = useTRPC();
  const balances = useQuery({ ...trpc.accounts.balances.queryOptions({ account }), refetchInterval: REFRESH_MS });
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
      <table className="balances" data-testid="balances">
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
      {empty && <p className="muted">This account holds nothing yet.</p>}
      <p className="muted small">
        {balances.data.txCount} {balances.data.txCount === 1 ? 'transaction' : 'transactions'} signed; the next is number {balances.data.nextNonce}.
      </p>
    </>
  );
}
