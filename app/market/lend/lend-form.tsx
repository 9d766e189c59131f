'use client';

import Link from 'next/link';
import type { FormEvent } from 'react';
import { parseAmount } from '../../lib/amounts';
import { parseRate } from '../../lib/terms';
import { TransactionPanel } from '../../wallet/transaction-panel';
import { useTransaction } from '../../wallet/use-transaction';
import { useWallet } from '../../wallet/wallet-context';
import { Field } from '../field';
import { lendOfferDraft, type LendForm } from '../order-draft';
import { AssetSelect, ExpiryFields, PlanPreview, SignerNote, TermsFields, useSpendable, withDefaultAssets } from '../order-fields';
import { useFormState } from '../use-form-state';
import { useMarketAssets } from '../use-market-assets';
import { ErrorSummary, PostedNote } from '../posted-note';

const START: LendForm = {
  asset: '',
  amount: '',
  rate: '',
  termCount: '3',
  termUnit: 'months',
  schedule: 'amortizing',
  installments: '3',
  minTicket: '',
  maxTicket: '',
  collateralOn: false,
  collateralAsset: '',
  collateralRatio: '150',
  expiresCount: '30',
  expiresUnit: 'days',
};

/** A lend offer: its terms checked in the browser, previewed with the chain's schedule math, then signed and sent. */
export function LendOfferForm() {
  const { assets, list, isPending, isError } = useMarketAssets();
  const wallet = useWallet();
  const spendable = useSpendable();
  const controls = useTransaction();
  const { form: typed, set, setForm, errors, setErrors } = useFormState<LendForm>(START);

  if (isPending) return <p className="muted progress">Reading the chain&apos;s assets…</p>;
  if (isError) return <p className="error">The node does not answer, so no offer can be posted now. Reload the page to try again.</p>;
  const form = withDefaultAssets(typed, list);
  const asset = assets.get(form.asset);
  const decimals = asset?.decimals ?? 0;
  const read = (text: string) => {
    const parsed = parseAmount(text, decimals);
    return 'amount' in parsed && parsed.amount > 0n ? parsed.amount : undefined;
  };
  const rate = parseRate(form.rate);
  const previewTicket = read(form.maxTicket) ?? read(form.amount);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void (async () => {
      const balances = await spendable.readFresh();
      const result = lendOfferDraft(form, { assets, now: Math.floor(Date.now() / 1000), ...(balances ? { balances } : {}) });
      if ('errors' in result) return setErrors(result.errors);
      setErrors({});
      controls.prepare(result.draft);
    })();
  };
  const locked = controls.busy;

  return (
    <>
      <SignerNote />
      <form className="card stack order-form" onSubmit={submit} noValidate aria-labelledby="lend-form-title">
        <h2 id="lend-form-title">Your offer</h2>
        <fieldset disabled={locked} className="stack plain-fieldset">
          <TermsFields form={form} set={set} errors={errors} assets={list} spendable={spendable.shown} amountLabel="Amount to lend" rateLabel="APR (%)" showHeld />
          <div className="field-pair">
            <Field id="o-min-ticket" label={`Smallest loan (${form.asset})`} hint="Optional: no smallest loan when empty." error={errors.minTicket}>
              {(props) => <input {...props} type="text" inputMode="decimal" autoComplete="off" value={form.minTicket} onChange={(e) => set('minTicket', e.target.value)} />}
            </Field>
            <Field id="o-max-ticket" label={`Largest loan (${form.asset})`} hint="Optional: the whole amount when empty." error={errors.maxTicket}>
              {(props) => <input {...props} type="text" inputMode="decimal" autoComplete="off" value={form.maxTicket} onChange={(e) => set('maxTicket', e.target.value)} />}
            </Field>
          </div>
          <fieldset className="stack">
            <legend>Collateral</legend>
            <label className="choice">
              <input type="checkbox" checked={form.collateralOn} onChange={(e) => set('collateralOn', e.target.checked)} /> Ask borrowers to lock collateral
            </label>
            {form.collateralOn && (
              <div className="field-pair">
                <Field id="o-collateral-asset" label="Collateral asset" error={errors.collateralAsset}>
                  {(props) => <AssetSelect {...props} value={form.collateralAsset} onChange={(v) => set('collateralAsset', v)} assets={list} exclude={form.asset} />}
                </Field>
                <Field id="o-collateral-ratio" label="Collateral, % of the loan" hint="150 asks 1.5 units of collateral per unit lent." error={errors.collateralRatio}>
                  {(props) => <input {...props} type="text" inputMode="decimal" autoComplete="off" value={form.collateralRatio} onChange={(e) => set('collateralRatio', e.target.value)} />}
                </Field>
              </div>
            )}
          </fieldset>
          <ExpiryFields form={form} set={set} errors={errors} />
        </fieldset>
        <PlanPreview title="What a borrower of the largest loan repays" principal={previewTicket} aprBps={'bps' in rate ? rate.bps : undefined} form={form} asset={asset} />
        <ErrorSummary errors={errors} />
        <div className="actions">
          <button type="submit" className="primary" disabled={locked || wallet.state.status === 'loading'}>
            Review offer
          </button>
          <Link href="/market">Back to the market</Link>
        </div>
      </form>
      <TransactionPanel controls={controls} title="Post lend offer" />
      <PostedNote controls={controls} side="lend" asset={form.asset} onAgain={() => setForm(START)} />
    </>
  );
}
