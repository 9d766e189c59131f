'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useTRPC } from '../../../lib/trpc';
import { formatTime, heightOf, plural } from '../../format';
import { txTypeName } from '../../describe';
import { AccountLink, Fact, Facts, isNotFound, LoadError, TableScroll, TxLink } from '../../ui';

/** Transactions chain.block lists at once (docs/api.md §6). */
const TXS_PAGE = 500;
/** How often a block not yet on the chain is looked for again. */
const WAIT_MS = 2_000;

/** Who signed the block's commit, from its commit certificate (audit.commit); genesis has none. */
function CommitSigners({ height }: { readonly height: number }) {
  const trpc = useTRPC();
  const commit = useQuery({ ...trpc.audit.commit.queryOptions({ height }), enabled: height >= 1, staleTime: Number.POSITIVE_INFINITY });
  if (height < 1) return <span className="muted">Genesis has no commit: the validators agreed on it before the chain began.</span>;
  if (commit.isPending) return <span className="muted">Reading the commit certificate…</span>;
  if (commit.isError) return <span className="muted">The commit certificate could not be read ({isNotFound(commit.error) ? 'the node does not hold it' : 'the node does not answer'}).</span>;
  const { precommits } = commit.data.commit;
  return (
    <ul className="plain-list">
      {precommits.map((precommit) => (
        <li key={precommit.validator}>
          <AccountLink account={precommit.validator} />
        </li>
      ))}
    </ul>
  );
}

/** One block: its header, its commit, and its transactions in block order. */
export function BlockView({ heightParam }: { readonly heightParam: string }) {
  const height = heightOf(heightParam);
  const trpc = useTRPC();
  const [txsFrom, setTxsFrom] = useState(0);
  const block = useQuery({
    ...trpc.chain.block.queryOptions({ height: height ?? 0, txsFrom }),
    enabled: height !== undefined,
    placeholderData: keepPreviousData,
    staleTime: Number.POSITIVE_INFINITY,
    // A block asked for before it exists appears once the chain reaches it.
    refetchInterval: (query) => (isNotFound(query.state.error) ? WAIT_MS : false),
  });

  if (height === undefined) {
    return (
      <>
        <h1>Not a block height</h1>
        <p>“{heightParam}” is not a block height: a height is a whole number such as 42.</p>
      </>
    );
  }
  const previous = height > 0 ? <Link href={`/explorer/block/${height - 1}`}>← Block {height - 1}</Link> : null;
  const next = <Link href={`/explorer/block/${height + 1}`}>Block {height + 1} →</Link>;
  const nav = (
    <nav className="block-nav" aria-label="Neighbouring blocks">
      {previous}
      {next}
    </nav>
  );

  if (block.isPending) {
    return (
      <>
        <h1>Block {height.toLocaleString('en-US')}</h1>
        <p className="muted">Reading the block…</p>
      </>
    );
  }
  if (block.isError && !block.data) {
    if (isNotFound(block.error)) {
      return (
        <>
          <h1>Block {height.toLocaleString('en-US')}</h1>
          <p role="status">This block is not on the chain yet. The page shows it as soon as the index holds it.</p>
          {nav}
        </>
      );
    }
    return (
      <>
        <h1>Block {height.toLocaleString('en-US')}</h1>
        <LoadError what="the block" error={block.error} retry={() => void block.refetch()} />
      </>
    );
  }
  const { block: header, txs } = block.data;
  const last = txs.at(-1);
  return (
    <>
      <h1>Block {header.height.toLocaleString('en-US')}</h1>
      {nav}
      <section className="card" aria-labelledby="block-header-heading">
        <h2 id="block-header-heading">Header</h2>
        <Facts label="Block header">
          <Fact label="Height">{header.height.toLocaleString('en-US')}</Fact>
          <Fact label="Time">{formatTime(header.time)}</Fact>
          <Fact label="Transactions">{header.txCount.toLocaleString('en-US')}</Fact>
          <Fact label="Proposer">
            <AccountLink account={header.proposer} full />
          </Fact>
          <Fact label="Hash">
            <code>{header.hash}</code>
          </Fact>
          <Fact label="Previous block">
            {header.height > 0 ? (
              <Link href={`/explorer/block/${header.height - 1}`}>
                <code>{header.previousHash}</code>
              </Link>
            ) : (
              <code>{header.previousHash}</code>
            )}
          </Fact>
          <Fact label="Transaction root">
            <code>{header.txRoot}</code>
          </Fact>
          <Fact label="State root">
            <code>{header.stateRoot}</code>
          </Fact>
          <Fact label="Commit">
            {header.height > 0 ? `${plural(header.commitSigners, 'signature')} in round ${header.commitRound}` : 'none (genesis)'}
          </Fact>
          <Fact label="Signed by">
            <CommitSigners height={header.height} />
          </Fact>
        </Facts>
      </section>
      <section className="card" aria-labelledby="block-txs-heading">
        <h2 id="block-txs-heading">Transactions</h2>
        {header.txCount === 0 ? (
          <p className="muted">This block holds no transactions.</p>
        ) : (
          <>
            <p className="muted small">
              {header.txCount > TXS_PAGE ? `Positions ${txsFrom} to ${last?.position ?? txsFrom} of ${header.txCount}.` : `${plural(header.txCount, 'transaction')}, in block order.`}
            </p>
            <TableScroll label="Transactions of the block, scrollable">
              <table className="data-table">
                <caption className="sr-only">Transactions of block {header.height}</caption>
                <thead>
                  <tr>
                    <th scope="col" className="num">
                      Position
                    </th>
                    <th scope="col">Id</th>
                    <th scope="col">Type</th>
                    <th scope="col">Signer</th>
                    <th scope="col" className="num">
                      Nonce
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {txs.map((tx) => (
                    <tr key={tx.id}>
                      <th scope="row" className="num">
                        {tx.position}
                      </th>
                      <td>
                        <TxLink id={tx.id} />
                      </td>
                      <td>{txTypeName(tx.type)}</td>
                      <td>
                        <AccountLink account={tx.signer} />
                      </td>
                      <td className="num">{tx.nonce}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            {header.txCount > TXS_PAGE && (
              <div className="actions">
                <button type="button" disabled={txsFrom === 0} onClick={() => setTxsFrom(Math.max(0, txsFrom - TXS_PAGE))}>
                  ← Earlier transactions
                </button>
                <button type="button" disabled={!last || last.position + 1 >= header.txCount} onClick={() => last && setTxsFrom(last.position + 1)}>
                  Later transactions →
                </button>
              </div>
            )}
          </>
        )}
      </section>
    </>
  );
}
