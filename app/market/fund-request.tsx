'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { Fact, Facts } from '../explorer/ui';
import { amountOf, formatAmount } from '../lib/amounts';
import { formatRate, formatTerm, formatTime } from '../lib/terms';
import type { AssetInfo } from '../wallet/describe';
import { shortAccount } from '../wallet/keys';
import { TransactionPanel } from '../wallet/transaction-panel';
import { useTransaction } from '../wallet/use-transaction';
import { useWallet } from '../wallet/wallet-context';
import { AmountField } from './field';
import { money, scheduleText } from './format';
import { planSummary } from './order-draft';
import { SignerNote, useSpendable } from './order-fields';
import { checkFunding } from './take-draft';
import { useMarketAssets } from './use-market-assets';
import { CLOSED_WORDS, useOrder } from './use-order';

type Request = NonNullable<ReturnType<typeof useOrder>['data']>;

/** A borrow request's terms, what it still needs and who has committed, then a lender's funding of all or part of it. */
export function FundRequest({ orderId }: { readonly orderId: number }) {
  const order = useOrder(orderId);
  const { assets, isPending } = useMarketAssets();
  if (order.missing) return <p className="error">No order has the number {orderId || 'given'}. <Link href="/market">Back to the market</Link></p>;
  if (order.isPending || isPending) return <p className="muted progress">Reading the request…</p>;
  if (order.isError) return <p className="error">The request could not be read: the node does not answer. Trying again every few seconds.</p>;
  const request = order.data;
  if (request.side !== 'borrow') {
    return (
      <p className="warn">
        Order #{request.id} is a lend offer, not a borrow request. <Link href={`/market/offer/${request.id}`}>Borrow from it instead</Link>
      </p>
    );
  }
  return (
    <>
      <RequestTerms request={request} assets={assets} />
      <FundForm request={request} assets={assets} />
    </>
  );
}

function RequestTerms({ request, assets }: { readonly request: Request; readonly assets: ReadonlyMap<string, AssetInfo> }) {
  const c = request.collateral;
  const full = planSummary(amountOf(request.amount), request.rateBps, request.term, request.installments, request.schedule);
  return (
    <section className="card stack" aria-labelledby="request-terms-title">
      <h2 id="request-terms-title">The request&apos;s terms</h2>
      <Facts label="Request terms">
        <Fact label="Borrower">
          <code title={request.owner}>{shortAccount(request.owner)}</code>
        </Fact>
        <Fact label="Amount asked">{money(request.amount, request.asset, assets)}</Fact>
        <Fact label="Still unfunded">{money(request.remaining, request.asset, assets)}</Fact>
        <Fact label="APR">{formatRate(request.rateBps)}</Fact>
        <Fact label="Term">{formatTerm(request.term)}</Fact>
        <Fact label="Schedule">{scheduleText(request.schedule, request.installments)}</Fact>
        <Fact label="Collateral">{c && c.amount !== null ? `${money(c.remaining ?? c.amount, c.asset, assets)} in escrow` : 'None'}</Fact>
        <Fact label="Funding">{request.partial ? 'May be funded in part: the borrower can accept what is committed.' : 'All or nothing: the loan is made only once fully funded.'}</Fact>
        <Fact label="Lenders so far">{request.commitments.length === 0 ? 'None yet' : request.commitments.map((l) => `${shortAccount(l.lender)} ${money(l.amount, request.asset, assets)}`).join(', ')}</Fact>
        <Fact label="Open until">{formatTime(request.expiresAt)}</Fact>
        {full && <Fact label="Interest over the whole loan">{money(full.interest, request.asset, assets)}, shared among lenders by what each funded</Fact>}
      </Facts>
    </section>
  );
}

function FundForm({ request, assets }: { readonly request: Request; readonly assets: ReadonlyMap<string, AssetInfo> }) {
  const wallet = useWallet();
  const spendable = useSpendable();
  const controls = useTransaction();
  const decimals = assets.get(request.asset)?.decimals ?? 0;
  const [text, setText] = useState(() => formatAmount(amountOf(request.remaining), decimals).replace(/,/g, ''));
  const [shownError, setShownError] = useState<string | undefined>();
  if (request.status !== 'open' && controls.flow.step === 'idle') return <p className="warn">This request {CLOSED_WORDS[request.status]}, so it can no longer be funded.</p>;
  const checked = checkFunding(text, request, { assets, balances: spendable.shown });
  const mine = wallet.selected?.account === request.owner;
  const locked = controls.busy;
  const yours = 'amount' in checked ? planSummary(checked.amount, request.rateBps, request.term, request.installments, request.schedule) : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void (async () => {
      const balances = await spendable.readFresh();
      const result = checkFunding(text, request, { assets, balances });
      if ('error' in result) return setShownError(result.error);
      setShownError(undefined);
      controls.prepare({ type: 'fund-request', body: { orderId: request.id, amount: result.amount }, context: { asset: request.asset } });
    })();
  };

  return (
    <>
      <SignerNote />
      {mine && <p className="warn">This is your own request: an account cannot lend to itself.</p>}
      <form className="card stack order-form" onSubmit={submit} noValidate aria-labelledby="fund-title">
        <h2 id="fund-title">Fund this request</h2>
        <fieldset disabled={locked} className="stack plain-fieldset">
          <AmountField
            id="fund-amount"
            label={`Amount to lend (${request.asset})`}
            hint={`All of it is ${money(request.remaining, request.asset, assets)}; you may fund part and leave the rest to other lenders.`}
            error={shownError ?? ('error' in checked && text.trim() !== '' ? checked.error : undefined)}
            value={text}
            onChange={(value) => {
              setText(value);
              setShownError(undefined);
            }}
          />
        </fieldset>
        {yours && (
          <p data-testid="fund-earnings">
            At {formatRate(request.rateBps)} APR your part would earn about {money(yours.interest, request.asset, assets)} of interest over {formatTerm(request.term)}, if the borrower pays as scheduled.
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={locked || mine || wallet.state.status === 'loading'}>
            Review funding
          </button>
          <Link href="/market">Back to the market</Link>
        </div>
      </form>
      <TransactionPanel controls={controls} title="Fund the request" />
      {controls.flow.step === 'committed' && (
        <p className="ok" role="status">
          Your money is committed to the request. <Link href="/portfolio">See your portfolio</Link>
        </p>
      )}
    </>
  );
}
