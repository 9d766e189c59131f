'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../../../lib/trpc';
import { BalancesTable } from '../../../wallet/balances';
import { hexId, plural } from '../../format';
import { BlockLink, Fact, Facts, LoadError, TableScroll } from '../../ui';
import { AccountEvents, AccountTxs } from './account-activity';

function AccountBalances({ account }: { readonly account: string }) {
  const trpc = useTRPC();
  const balances = useQuery(trpc.accounts.balances.queryOptions({ account }));
  return (
    <section className="card" aria-labelledby="account-balances-heading">
      <h2 id="account-balances-heading">Balances</h2>
      {balances.isPending && <p className="muted">Reading balances…</p>}
      {balances.isError && <LoadError what="the balances" error={balances.error} retry={() => void balances.refetch()} />}
      {balances.data && (
        <>
          <p className="muted small">
            {balances.data.firstHeight === null ? (
              'The chain has not seen this account yet.'
            ) : (
              <>
                First seen in block <BlockLink height={balances.data.firstHeight} />
                {balances.data.lastHeight !== null && (
                  <>
                    , last active in block <BlockLink height={balances.data.lastHeight} />
                  </>
                )}
                . {plural(balances.data.txCount, 'transaction')} signed; the next nonce is {balances.data.nextNonce}.
              </>
            )}
          </p>
          <TableScroll label="Balances, scrollable">
            <BalancesTable rows={balances.data.balances} caption="Balances of the account" className="data-table" />
          </TableScroll>
        </>
      )}
    </section>
  );
}

function AccountCredit({ account }: { readonly account: string }) {
  const trpc = useTRPC();
  const credit = useQuery(trpc.accounts.credit.queryOptions({ account }));
  return (
    <section className="card" aria-labelledby="account-credit-heading">
      <h2 id="account-credit-heading">Credit record</h2>
      {credit.isPending && <p className="muted">Reading the credit record…</p>}
      {credit.isError && <LoadError what="the credit record" error={credit.error} retry={() => void credit.refetch()} />}
      {credit.data &&
        (credit.data.loansTaken === 0 ? (
          <p className="muted">This account has taken no loan yet.</p>
        ) : (
          <Facts label="Credit record">
            <Fact label="Loans taken">{credit.data.loansTaken}</Fact>
            <Fact label="Loans repaid">{credit.data.loansRepaid}</Fact>
            <Fact label="Installments paid on time">{credit.data.repaidOnTime}</Fact>
            <Fact label="Late payments">{credit.data.latePayments}</Fact>
            <Fact label="Defaults">{credit.data.defaults}</Fact>
            <Fact label="Last change">{credit.data.updatedHeight === null ? '—' : <BlockLink height={credit.data.updatedHeight} />}</Fact>
          </Facts>
        ))}
    </section>
  );
}

/** An account as the chain knows it: balances, credit record, transactions signed and events. */
export function AccountView({ accountParam }: { readonly accountParam: string }) {
  const account = hexId(accountParam);
  if (account === undefined) {
    return (
      <>
        <h1>Not an account</h1>
        <p>“{accountParam}” is not an account: an account is a public key of 64 hexadecimal characters.</p>
      </>
    );
  }
  return (
    <>
      <h1>Account</h1>
      <p>
        <code>{account}</code>
      </p>
      <AccountBalances account={account} />
      <AccountCredit account={account} />
      <AccountTxs account={account} />
      <AccountEvents account={account} />
    </>
  );
}
