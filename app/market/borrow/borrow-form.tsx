'use client';

import Link from 'next/link';
import type { FormEvent } from 'react';
import { formatAmount, parseAmount } from '../../lib/amounts';
import { parseRate } from '../../lib/terms';
import { TransactionPanel } from '../../wallet/transaction-panel';
import { useTransaction } from '../../wallet/use-transaction';
import { useWallet } from '../../wallet/wallet-context';
import { Field } from '../field';
import { borrowRequestDraft, type BorrowForm } from '../order-draft';
import { AssetSelect, ExpiryFields, PlanPreview, SignerNote, TermsFields, useSpendable, withDefaultAssets } from '../order-fields';
import { ErrorSummary, PostedNote } from '../posted-note';
import { useFormState } from '../use-form-state';
import { useMarketAssets } from '../use-market-assets';

const START: BorrowForm = {
  asset: '',
  amount: '',
  rate: '',
  termCount: '3',
  termUnit: 'months',
  schedule: 'amortizing',
  installments: '3',
  collateralOn: false,
  collateralAsset: '',
  collateralAmount: '',
  partial: true,
  expiresCount: '30',
  expiresUnit: 'days',
};

/** A borrow request: its terms and collateral checked in the browser, the most it can cost previewed, then signed and sent. */
export function BorrowRequestForm() {
  const { assets, list, isPending, isError } = useMarketAssets();
  const wallet = useWallet();
  const spendable = useSpendable();
  const controls = useTransaction();
  const { form: typed, set, setForm, errors, setErrors } = useFormState<BorrowForm>(START);

  if (isPending) return <p className="muted progress">Reading the chain&apos;s assets…</p>;
  if (isError) return <p className="error">The node does not answer, so no request can be posted now. Reload the page to try again.</p>;
  const form = withDefaultAssets(typed, list);
  const asset = assets.get(form.asset);
  const amount = parseAmount(form.amount, asset?.decimals ?? 0);
  const rate = parseRate(form.rate);
  const collateralHeld = spendable.shown?.get(form.collateralAsset);
  const collateralInfo = assets.get(form.collateralAsset);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void (async () => {
      const balances = await spendable.readFresh();
      const result = borrowRequestDraft(form, { assets, now: Math.floor(Date.now() / 1000), ...(balances ? { balances } : {}) });
      if ('errors' in result) return setErrors(result.errors);
      setErrors({});
      controls.prepare(result.draft);
    })();
  };
  const locked = controls.busy;

  return (
    <>
      <SignerNote />
      <form className="card stack order-form" onSubmit={submit} noValidate aria-labelledby="borrow-form-title">
        <h2 id="borrow-form-title">Your request</h2>
        <fieldset disabled={locked} className="stack plain-fieldset">
          <TermsFields form={form} set={set} errors={errors} assets={list} spendable={spendable.shown} amountLabel="Amount to borrow" rateLabel="Highest APR you accept (%)" showHeld={false} />
          <fieldset className="stack">
            <legend>Collateral</legend>
            <label className="choice">
              <input type="checkbox" checked={form.collateralOn} onChange={(e) => set('collateralOn', e.target.checked)} /> Lock collateral now (many lenders ask for it)
            </label>
            {form.collateralOn && (
              <div className="field-pair">
                <Field id="o-collateral-asset" label="Collateral asset" error={errors.collateralAsset}>
                  {(props) => <AssetSelect {...props} value={form.collateralAsset} onChange={(v) => set('collateralAsset', v)} assets={list} exclude={form.asset} />}
                </Field>
                <Field
                  id="o-collateral-amount"
                  label={`Collateral amount (${form.collateralAsset})`}
                  hint={collateralHeld !== undefined && collateralInfo ? `Held in escrow until repaid. You hold ${formatAmount(collateralHeld, collateralInfo.decimals)} ${form.collateralAsset}.` : 'Held in escrow until the loan is repaid.'}
                  error={errors.collateralAmount}
                >
                  {(props) => <input {...props} type="text" inputMode="decimal" autoComplete="off" value={form.collateralAmount} onChange={(e) => set('collateralAmount', e.target.value)} />}
                </Field>
              </div>
            )}
          </fieldset>
          <fieldset>
            <legend>Funding</legend>
            <label className="choice">
              <input type="checkbox" checked={form.partial} onChange={(e) => set('partial', e.target.checked)} /> Accept partial funding (several lenders, or less than the whole amount)
            </label>
          </fieldset>
          <ExpiryFields form={form} set={set} errors={errors} />
        </fieldset>
        <PlanPreview
          title="The most it can cost, at your highest APR"
          principal={'amount' in amount && amount.amount > 0n ? amount.amount : undefined}
          aprBps={'bps' in rate ? rate.bps : undefined}
          form={form}
          asset={asset}
        />
        <ErrorSummary errors={errors} />
        <div className="actions">
          <button type="submit" className="primary" disabled={locked || wallet.state.status === 'loading'}>
            Review request
          </button>
          <Link href="/market">Back to the market</Link>
        </div>
      </form>
      <TransactionPanel controls={controls} title="Post borrow request" />
      <PostedNote controls={controls} side="borrow" asset={form.asset} onAgain={() => setForm(START)} />
    </>
  );
}

