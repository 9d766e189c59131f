'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useCallback, useMemo } from 'react';
import { amountOf, formatAmount } from '../lib/amounts';
import { useTRPC } from '../lib/trpc';
import { formatRate, formatTerm, TERM_UNITS, type TermUnit } from '../lib/terms';
import type { AssetInfo } from '../wallet/describe';
import { useWallet } from '../wallet/wallet-context';
import { Field } from './field';
import { defaultLoanAsset } from './use-market-assets';
import { planSummary, termSeconds, type FormErrors, type TermsForm } from './order-draft';

type Setter<F> = <K extends keyof F>(key: K, value: F[K]) => void;

/**
 * What the selected account may spend, per asset, from the index: `shown` for hints (may be a
 * moment old), `readFresh` read again at submit so a stale cache never blocks a valid order.
 */
export function useSpendable(): { readonly shown: ReadonlyMap<string, bigint> | undefined; readonly readFresh: () => Promise<ReadonlyMap<string, bigint> | undefined> } {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const wallet = useWallet();
  const account = wallet.selected?.account;
  const options = trpc.accounts.balances.queryOptions({ account: account ?? '0'.repeat(64) });
  const balances = useQuery({ ...options, enabled: account !== undefined });
  const shown = useMemo(() => (balances.data ? spendableOf(balances.data.balances) : undefined), [balances.data]);
  const readFresh = useCallback(async () => {
    if (account === undefined) return undefined;
    try {
      return spendableOf((await queryClient.fetchQuery({ ...options, staleTime: 0 })).balances);
    } catch {
      // The node will check the balance anyway.
      return undefined;
    }
  }, [account, queryClient, options]);
  return { shown, readFresh };
}

function spendableOf(balances: readonly { readonly asset: string; readonly amount: string }[]): ReadonlyMap<string, bigint> {
  return new Map(balances.map((b) => [b.asset, amountOf(b.amount)]));
}

/** Until someone picks, the loan is in the chain's dollar and collateral in another asset. */
export function withDefaultAssets<F extends TermsForm>(form: F, assets: readonly AssetInfo[]): F {
  const asset = form.asset || defaultLoanAsset(assets);
  const collateralAsset = form.collateralAsset && form.collateralAsset !== asset ? form.collateralAsset : (assets.find((a) => a.id !== asset)?.id ?? '');
  return { ...form, asset, collateralAsset };
}

/** Who will sign: a plain note when there is no wallet or it is locked, since signing needs it unlocked. */
export function SignerNote() {
  const wallet = useWallet();
  if (wallet.state.status === 'loading') return null;
  if (!wallet.selected) {
    return (
      <p className="warn" role="status">
        You need a wallet to post. <Link href="/wallet">Create one</Link>: your key stays in this browser.
      </p>
    );
  }
  if (wallet.state.status !== 'unlocked') {
    return (
      <p className="warn" role="status">
        Your wallet is locked. <Link href="/wallet">Unlock it</Link> to sign; what you type here is kept while you do.
      </p>
    );
  }
  return null;
}

export function AssetSelect({
  value,
  onChange,
  assets,
  exclude,
  ...aria
}: {
  readonly id: string;
  readonly value: string;
  readonly onChange: (asset: string) => void;
  readonly assets: readonly AssetInfo[];
  readonly exclude?: string;
  readonly 'aria-describedby'?: string;
  readonly 'aria-invalid'?: true;
}) {
  return (
    <select {...aria} value={value} onChange={(e) => onChange(e.target.value)}>
      {assets
        .filter((a) => a.id !== exclude)
        .map((a) => (
          <option key={a.id} value={a.id}>
            {a.id} ({a.name})
          </option>
        ))}
    </select>
  );
}

/** The loan's terms: asset, amount, rate, term, schedule and installments. */
export function TermsFields<F extends TermsForm>({
  form,
  set,
  errors,
  assets,
  spendable,
  amountLabel,
  rateLabel,
  showHeld,
}: {
  readonly form: F;
  readonly set: Setter<F>;
  readonly errors: FormErrors<F>;
  readonly assets: readonly AssetInfo[];
  readonly spendable: ReadonlyMap<string, bigint> | undefined;
  readonly amountLabel: string;
  readonly rateLabel: string;
  readonly showHeld: boolean;
}) {
  const asset = assets.find((a) => a.id === form.asset);
  const held = spendable?.get(form.asset);
  const e = errors as FormErrors<TermsForm>;
  const s = set as unknown as Setter<TermsForm>;
  return (
    <>
      <Field id="o-asset" label="Asset" error={e.asset}>
        {(props) => <AssetSelect {...props} value={form.asset} onChange={(v) => s('asset', v)} assets={assets} />}
      </Field>
      <Field id="o-amount" label={`${amountLabel} (${form.asset})`} error={e.amount} hint={showHeld && held !== undefined && asset ? `You hold ${formatAmount(held, asset.decimals)} ${form.asset} you can spend.` : undefined}>
        {(props) => <input {...props} type="text" inputMode="decimal" autoComplete="off" value={form.amount} onChange={(ev) => s('amount', ev.target.value)} />}
      </Field>
      <Field id="o-rate" label={rateLabel} error={e.rate} hint="A yearly rate, such as 7.25.">
        {(props) => <input {...props} type="text" inputMode="decimal" autoComplete="off" value={form.rate} onChange={(ev) => s('rate', ev.target.value)} />}
      </Field>
      <div className="field-pair">
        <Field id="o-term" label="Term" error={e.termCount}>
          {(props) => <input {...props} type="text" inputMode="numeric" autoComplete="off" value={form.termCount} onChange={(ev) => s('termCount', ev.target.value)} />}
        </Field>
        <Field id="o-term-unit" label="Term in">
          {(props) => (
            <select {...props} value={form.termUnit} onChange={(ev) => s('termUnit', ev.target.value as TermUnit)}>
              {(Object.keys(TERM_UNITS) as TermUnit[]).map((u) => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <fieldset>
        <legend>Schedule</legend>
        <label className="choice">
          <input type="radio" name="schedule" value="amortizing" checked={form.schedule === 'amortizing'} onChange={() => s('schedule', 'amortizing')} /> Amortizing: equal installments of interest and principal
        </label>
        <label className="choice">
          <input type="radio" name="schedule" value="bullet" checked={form.schedule === 'bullet'} onChange={() => s('schedule', 'bullet')} /> Bullet: interest each installment, the principal with the last
        </label>
      </fieldset>
      <Field id="o-installments" label="Installments" error={e.installments} hint="The term is split into this many equal periods.">
        {(props) => <input {...props} type="text" inputMode="numeric" autoComplete="off" value={form.installments} onChange={(ev) => s('installments', ev.target.value)} />}
      </Field>
    </>
  );
}

/** How long the order stays on the book. */
export function ExpiryFields<F extends TermsForm>({ form, set, errors }: { readonly form: F; readonly set: Setter<F>; readonly errors: FormErrors<F> }) {
  const s = set as unknown as Setter<TermsForm>;
  return (
    <div className="field-pair">
      <Field id="o-expires" label="Open for" error={(errors as FormErrors<TermsForm>).expiresCount} hint="After this the order closes and its escrow comes back.">
        {(props) => <input {...props} type="text" inputMode="numeric" autoComplete="off" value={form.expiresCount} onChange={(ev) => s('expiresCount', ev.target.value)} />}
      </Field>
      <Field id="o-expires-unit" label="Open for, in">
        {(props) => (
          <select {...props} value={form.expiresUnit} onChange={(ev) => s('expiresUnit', ev.target.value as 'hours' | 'days')}>
            <option value="hours">hours</option>
            <option value="days">days</option>
          </select>
        )}
      </Field>
    </div>
  );
}

/** What a loan of `principal` on the form's terms costs, with the chain's schedule math; nothing while the terms cannot be read. */
export function PlanPreview({ title, principal, aprBps, form, asset }: { readonly title: string; readonly principal: bigint | undefined; readonly aprBps: number | undefined; readonly form: TermsForm; readonly asset: AssetInfo | undefined }) {
  const term = termSeconds(form);
  const installments = /^\d{1,4}$/.test(form.installments.trim()) ? Number(form.installments.trim()) : 0;
  const summary = useMemo(() => {
    if (principal === undefined || aprBps === undefined || term === undefined || installments < 1 || installments > 1000) return undefined;
    try {
      return planSummary(principal, aprBps, term, installments, form.schedule);
    } catch {
      return undefined;
    }
  }, [principal, aprBps, term, installments, form.schedule]);
  if (!summary || !asset || aprBps === undefined || term === undefined) return null;
  const fmt = (amount: bigint) => `${formatAmount(amount, asset.decimals)} ${asset.id}`;
  return (
    <section className="plan-preview" aria-labelledby="plan-preview-title" data-testid="plan-preview">
      <h3 id="plan-preview-title">{title}</h3>
      <dl className="tx-facts">
        <dt>Loan</dt>
        <dd>
          {fmt(principal ?? 0n)} at {formatRate(aprBps)} APR for {formatTerm(term)}
        </dd>
        <dt>Installments</dt>
        <dd>
          {summary.installments} of {fmt(summary.firstPayment)}
          {summary.lastPayment !== summary.firstPayment && <>, the last {fmt(summary.lastPayment)}</>}
        </dd>
        <dt>Total interest</dt>
        <dd>{fmt(summary.interest)}</dd>
        <dt>Total repaid</dt>
        <dd>{fmt(summary.total)}</dd>
      </dl>
    </section>
  );
}
