'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { shortHex } from './format';
import { AccountLink, LoadError, TableScroll } from './ui';

/** A share of the voting power as a percentage with two decimals, without floating-point money. */
function shareText(power: number, total: number): string {
  if (total <= 0) return '—';
  const hundredths = Math.round((power * 10_000) / total);
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')} %`;
}

/** The validator set (of genesis: the API exposes no other) with each validator's voting power. */
export function Validators({ headingLevel = 2 }: { readonly headingLevel?: 2 | 3 }) {
  const trpc = useTRPC();
  const validators = useQuery({ ...trpc.chain.validators.queryOptions(), staleTime: 60_000 });
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section id="validators" aria-labelledby="validators-heading" className="card">
      <Heading id="validators-heading">Validators</Heading>
      {validators.isPending && <p className="muted">Reading the validator set…</p>}
      {validators.isError && <LoadError what="the validators" error={validators.error} retry={() => void validators.refetch()} />}
      {validators.data && (
        <>
          <p className="muted small">
            {validators.data.validators.length === 1 ? 'One validator signs' : `${validators.data.validators.length} validators sign`} every block; a block needs
            the signatures of more than two thirds of the voting power ({validators.data.totalPower.toLocaleString('en-US')} in all). Set hash{' '}
            <code title={validators.data.validatorsHash}>{shortHex(validators.data.validatorsHash)}</code>.
          </p>
          {validators.data.validators.length === 0 ? (
            <p className="muted">This chain names no validators.</p>
          ) : (
            <TableScroll label="Validators, scrollable">
              <table className="data-table">
                <caption className="sr-only">Validators</caption>
                <thead>
                  <tr>
                    <th scope="col">Account</th>
                    <th scope="col" className="num">
                      Power
                    </th>
                    <th scope="col" className="num">
                      Share
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {validators.data.validators.map((validator) => (
                    <tr key={validator.account}>
                      <th scope="row">
                        <AccountLink account={validator.account} />
                      </th>
                      <td className="num">{validator.power.toLocaleString('en-US')}</td>
                      <td className="num">{shareText(validator.power, validators.data.totalPower)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </>
      )}
    </section>
  );
}
