'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../../../lib/trpc';
import type { CommittedTx } from '../../api-types';
import { describeTxBody, txTypeName } from '../../describe';
import { EventList } from '../../event-list';
import { formatTime, hexId } from '../../format';
import { AccountLink, BlockLink, Fact, Facts, isNotFound, LoadError } from '../../ui';
import { useAssets } from '../../use-assets';

/** How often a transaction not yet committed is looked for again. */
const WAIT_MS = 2_000;

/** A body's fields one per line, nested objects flattened with dots: "collateral.asset". */
function bodyFields(body: unknown, prefix = ''): [string, string][] {
  if (typeof body !== 'object' || body === null) return prefix ? [[prefix, String(body)]] : [];
  return Object.entries(body).flatMap(([key, value]) => {
    const name = prefix ? `${prefix}.${key}` : key;
    return typeof value === 'object' && value !== null ? bodyFields(value, name) : [[name, String(value)] as [string, string]];
  });
}

/** What the node says of a transaction it has not committed: waiting, refused, or unknown. */
function NotCommitted({ id }: { readonly id: string }) {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.tx.status.queryOptions({ id }), refetchInterval: WAIT_MS });
  if (status.isPending) return <p className="muted">This transaction is not in a block. Asking the node whether it is waiting…</p>;
  if (status.isError) return <LoadError what="the transaction's status" error={status.error} retry={() => void status.refetch()} />;
  const answer = status.data;
  switch (answer.status) {
    case 'pending':
      return <p role="status" className="progress">This transaction is waiting for a block. The page shows it once it is committed.</p>;
    case 'refused':
      return (
        <p role="status" className="error">
          The node refused this transaction ({answer.code}): {answer.message}.
        </p>
      );
    case 'committed':
      return <p role="status" className="progress">Committed in block {answer.height}; waiting for the node to hand it over…</p>;
    default:
      return <p role="status">Nothing found: no transaction with this id is on the chain, and this node has not seen it submitted.</p>;
  }
}

function TxDetails({ tx }: { readonly tx: CommittedTx }) {
  const assets = useAssets();
  const words = describeTxBody(tx.tx.type, tx.tx.signer, tx.tx.body, assets);
  const fields = bodyFields(tx.tx.body);
  return (
    <>
      <section className="card" aria-labelledby="tx-summary-heading">
        <h2 id="tx-summary-heading">{txTypeName(tx.tx.type)}</h2>
        {words && <p className="tx-description">{words}</p>}
        <Facts label="Transaction">
          <Fact label="Id">
            <code>{tx.id}</code>
          </Fact>
          <Fact label="Type">
            <code>{tx.tx.type}</code>
          </Fact>
          <Fact label="Signer">
            <AccountLink account={tx.tx.signer} full />
          </Fact>
          <Fact label="Nonce">{tx.tx.nonce}</Fact>
          <Fact label="Block">
            <BlockLink height={tx.height} />, position {tx.index} of {tx.count}
          </Fact>
          <Fact label="Time">{formatTime(tx.header.time)}</Fact>
          <Fact label="Chain">{tx.tx.chainId}</Fact>
          <Fact label="Signature">
            <code>{tx.signature}</code>
          </Fact>
        </Facts>
      </section>
      <section className="card" aria-labelledby="tx-body-heading">
        <h2 id="tx-body-heading">Body</h2>
        {fields.length === 0 ? (
          <p className="muted">This transaction carries no fields.</p>
        ) : (
          <Facts label="Transaction body">
            {fields.map(([name, value]) => (
              <Fact key={name} label={name}>
                <code>{value}</code>
              </Fact>
            ))}
          </Facts>
        )}
        <p className="muted small">Amounts in a body are in minor units of their asset.</p>
      </section>
      <section className="card" aria-labelledby="tx-events-heading">
        <h2 id="tx-events-heading">Events</h2>
        {tx.events.length === 0 ? (
          <p className="muted">No events yet: the index has not taken in this block, or the transaction changed nothing it records.</p>
        ) : (
          <EventList events={tx.events} label="Events of the transaction" showTx={false} />
        )}
      </section>
    </>
  );
}

/** One committed transaction: what it did in words, who signed it, where it sits, and its events. */
export function TxView({ idParam }: { readonly idParam: string }) {
  const id = hexId(idParam);
  const trpc = useTRPC();
  const tx = useQuery({
    ...trpc.chain.tx.queryOptions({ id: id ?? '' }),
    enabled: id !== undefined,
    // A transaction still waiting appears once its block is committed; its events once indexed.
    refetchInterval: (query) => (isNotFound(query.state.error) || query.state.data?.events.length === 0 ? WAIT_MS : false),
  });
  if (id === undefined) {
    return (
      <>
        <h1>Not a transaction id</h1>
        <p>“{idParam}” is not a transaction id: an id is 64 hexadecimal characters.</p>
      </>
    );
  }
  return (
    <>
      <h1>Transaction</h1>
      <p className="muted small">
        <code>{id}</code>
      </p>
      {tx.isPending && <p className="muted">Reading the transaction…</p>}
      {tx.isError && !tx.data && (isNotFound(tx.error) ? <NotCommitted id={id} /> : <LoadError what="the transaction" error={tx.error} retry={() => void tx.refetch()} />)}
      {tx.data && <TxDetails tx={tx.data} />}
    </>
  );
}
