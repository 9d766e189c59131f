'use client';

import Link from 'next/link';
import { useMemo, useState, type FormEvent } from 'react';
import { buildPlan } from '../../contracts/loans/schedule';
import { Fact, Facts } from '../explorer/ui';
import { formatAmount } from '../lib/amounts';
import { formatRate, formatTerm, formatTime } from '../lib/terms';
import type { AssetInfo } from '../wallet/describe';
import { shortAccount } from '../wallet/keys';
import { TransactionPanel } from '../wallet/transaction-panel';
import { useTransaction } from '../wallet/use-transaction';
import { useWallet } from '../wallet/wallet-context';
import { AmountField } from './field';
import { money, scheduleText } from './format';
import { SignerNote, useSpendable } from './order-fields';
import { ScheduleTable } from './schedule-table';
import { checkTake, takeRange } from './take-draft';
import { useMarketAssets } from './use-market-assets';
import { CLOSED_WORDS, useOrder } from './use-order';

type Offer = NonNullable<ReturnType<typeof useOrder>['data']>;

/** A lend offer's terms, and for the amount a borrower enters, the schedule, the cost and the collateral, then the take itself. */
export function TakeOffer({ orderId }: { readonly orderId: number }) {
  const order = useOrder(orderId);
  const { assets, isPending } = useMarketAssets();
  if (order.missing) return <p className="error">No order has the number {orderId || 'given'}. <Link href="/market">Back to the market</Link></p>;
  if (order.isPending || isPending) return <p className="muted progress">Reading the offer…</p>;
  if (order.isError) return <p className="error">The offer could not be read: the node does not answer. Trying again every few seconds.</p>;
  const offer = order.data;
  if (offer.side !== 'lend') {
    return (
      <p className="warn">
        Order #{offer.id} is a borrow request, not a lend offer. <Link href={`/market/request/${offer.id}`}>Fund it instead</Link>
      </p>
    );
  }
  return (
    <>
      <OfferTerms offer={offer} assets={assets} />
      <TakeForm offer={offer} assets={assets} />
    </>
  );
}

function OfferTerms({ offer, assets }: { readonly offer: Offer; readonly assets: ReadonlyMap<string, AssetInfo> }) {
  const c = offer.collateral;
  return (
    <section className="card stack" aria-labelledby="offer-terms-title">
      <h2 id="offer-terms-title">The offer&apos;s terms</h2>
      <Facts label="Offer terms">
        <Fact label="Lender">
          <code title={offer.owner}>{shortAccount(offer.owner)}</code>
        </Fact>
        <Fact label="Still available">
          {money(offer.remaining, offer.asset, assets)} of {money(offer.amount, offer.asset, assets)}
        </Fact>
        <Fact label="APR">{formatRate(offer.rateBps)}</Fact>
        <Fact label="Term">{formatTerm(offer.term)}</Fact>
        <Fact label="Schedule">{scheduleText(offer.schedule, offer.installments)}</Fact>
        {offer.ticket && (
          <Fact label="Per borrower">
            {money(offer.ticket.min, offer.asset, assets)} to {money(offer.ticket.max, offer.asset, assets)}
          </Fact>
        )}
        <Fact label="Collateral">{c && c.ratioBps !== null ? `${formatRate(c.ratioBps)} of the loan's value, in ${c.asset}` : 'None'}</Fact>
        <Fact label="Open until">{formatTime(offer.expiresAt)}</Fact>
      </Facts>
    </section>
  );
}

function TakeForm({ offer, assets }: { readonly offer: Offer; readonly assets: ReadonlyMap<string, AssetInfo> }) {
  const wallet = useWallet();
  const spendable = useSpendable();
  const controls = useTransaction();
  const asset = assets.get(offer.asset);
  const range = takeRange(offer);
  const [text, setText] = useState(() => formatAmount(range.max, asset?.decimals ?? 0).replace(/,/g, ''));
  const [shownError, setShownError] = useState<string | undefined>();
  // A fixed start time would drift: the due dates count from now, and the block's time fixes them.
  const [now] = useState(() => Math.floor(Date.now() / 1000));
  const checked = checkTake(text, offer, { assets, balances: spendable.shown });
  const principal = 'amount' in checked ? checked.amount : undefined;
  const plan = useMemo(() => {
    if (principal === undefined) return undefined;
    try {
      return buildPlan({ principal, aprBps: offer.rateBps, term: offer.term, installments: offer.installments, schedule: offer.schedule, startTime: now });
    } catch {
      return undefined;
    }
  }, [principal, offer.rateBps, offer.term, offer.installments, offer.schedule, now]);

  if (offer.status !== 'open' && controls.flow.step === 'idle') return <p className="warn">This offer {CLOSED_WORDS[offer.status]}, so it can no longer be taken.</p>;
  const mine = wallet.selected?.account === offer.owner;
  const interest = plan?.reduce((sum, i) => sum + i.interest, 0n);
  const locked = controls.busy;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void (async () => {
      const balances = await spendable.readFresh();
      const result = checkTake(text, offer, { assets, balances });
      if ('error' in result) return setShownError(result.error);
      setShownError(undefined);
      controls.prepare({ type: 'take-offer', body: { orderId: offer.id, amount: result.amount }, context: { asset: offer.asset, ...(result.collateral ? { collateral: result.collateral } : {}) } });
    })();
  };

  return (
    <>
      <SignerNote />
      {mine && <p className="warn">This is your own offer: an account cannot borrow from itself.</p>}
      <form className="card stack order-form" onSubmit={submit} noValidate aria-labelledby="take-title">
        <h2 id="take-title">Borrow from this offer</h2>
        <fieldset disabled={locked} className="stack plain-fieldset">
          <AmountField
            id="take-amount"
            label={`Amount to borrow (${offer.asset})`}
            hint={`From ${money(range.min, offer.asset, assets)} to ${money(range.max, offer.asset, assets)}.`}
            error={shownError ?? ('error' in checked && text.trim() !== '' ? checked.error : undefined)}
            value={text}
            onChange={(value) => {
              setText(value);
              setShownError(undefined);
            }}
          />
        </fieldset>
        {checked.collateral && (
          <p data-testid="take-collateral">
            Collateral locked until the loan is repaid: <strong>{money(checked.collateral.amount, checked.collateral.asset, assets)}</strong>
            {spendable.shown?.get(checked.collateral.asset) !== undefined && <> (you hold {money(spendable.shown.get(checked.collateral.asset) ?? 0n, checked.collateral.asset, assets)})</>}
          </p>
        )}
        {plan && principal !== undefined && interest !== undefined && (
          <section className="plan-preview stack" aria-labelledby="take-plan-title" data-testid="take-plan">
            <h3 id="take-plan-title">What you repay</h3>
            <Facts label="Cost of the loan">
              <Fact label="Loan">{money(principal, offer.asset, assets)}</Fact>
              <Fact label="APR">{formatRate(offer.rateBps)}</Fact>
              <Fact label="Total interest">{money(interest, offer.asset, assets)}</Fact>
              <Fact label="Total repaid">{money(principal + interest, offer.asset, assets)}</Fact>
            </Facts>
            <ScheduleTable caption="Repayment schedule" rows={plan.map((i, n) => ({ number: n + 1, due: i.due, principal: i.principal, interest: i.interest }))} asset={offer.asset} assets={assets} />
            <p className="muted small">Due dates count from now; the block that makes the loan fixes them. Figures use the chain&apos;s own schedule rules.</p>
          </section>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={locked || mine || wallet.state.status === 'loading'}>
            Review loan
          </button>
          <Link href="/market">Back to the market</Link>
        </div>
      </form>
      <TransactionPanel controls={controls} title="Take the offer" />
      {controls.flow.step === 'committed' && (
        <p className="ok" role="status">
          The loan is yours and its money is in your account. <Link href="/portfolio">See it in your portfolio</Link>
        </p>
      )}
    </>
  );
}
