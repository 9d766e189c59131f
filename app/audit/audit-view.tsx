'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { LoadError } from '../explorer/ui';
import { useAssets } from '../explorer/use-assets';
import { saveTextFile } from '../lib/save-file';
import { useTRPC } from '../lib/trpc';
import { Field } from '../market/field';
import { ReportTable } from './report-table';

/** A date input's value (YYYY-MM-DD) as seconds at midnight UTC, or undefined. */
function secondsOfDate(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / 1000 : undefined;
}

/** This month so far, today included, as date inputs show it. */
function thisMonth(): { from: string; to: string } {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  return { from: first.toISOString().slice(0, 10), to: tomorrow.toISOString().slice(0, 10) };
}

type Split = 'month' | 'day' | 'none';
type PeriodInput = { readonly kind: 'period'; readonly from: number; readonly to: number; readonly by?: 'month' | 'day' };

function PeriodSection() {
  const trpc = useTRPC();
  const assets = useAssets();
  const [form, setForm] = useState({ ...thisMonth(), by: 'day' as Split });
  const [error, setError] = useState<string>();
  const [input, setInput] = useState<PeriodInput>(() => {
    const { from, to } = thisMonth();
    return { kind: 'period', from: secondsOfDate(from)!, to: secondsOfDate(to)!, by: 'day' };
  });
  const report = useQuery({ ...trpc.audit.report.queryOptions(input), placeholderData: keepPreviousData });
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const from = secondsOfDate(form.from);
    const to = secondsOfDate(form.to);
    if (from === undefined || to === undefined) return setError('Choose both dates.');
    if (from >= to) return setError('The end must come after the start.');
    setError(undefined);
    setInput({ kind: 'period', from, to, ...(form.by === 'none' ? {} : { by: form.by }) });
  };
  const data = report.data?.kind === 'period' ? report.data : undefined;
  const rows = (data?.periods ?? []).flatMap((period) => period.assets.map((figures) => ({ key: `${period.label}:${figures.asset}`, cells: [period.label, figures.asset], figures })));
  return (
    <section className="card stack" aria-labelledby="audit-period-heading">
      <h2 id="audit-period-heading">The market over a period</h2>
      <form className="inline-form" onSubmit={onSubmit} noValidate>
        <Field id="audit-from" label="From (UTC)" error={error}>
          {(props) => <input {...props} type="date" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />}
        </Field>
        <Field id="audit-to" label="Until (UTC, not included)">
          {(props) => <input {...props} type="date" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />}
        </Field>
        <Field id="audit-by" label="One row per">
          {(props) => (
            <select {...props} value={form.by} onChange={(e) => setForm({ ...form, by: e.target.value as Split })}>
              <option value="day">day</option>
              <option value="month">month</option>
              <option value="none">the whole period</option>
            </select>
          )}
        </Field>
        <button type="submit">Show report</button>
      </form>
      {report.isPending && <p className="muted progress">Adding up the period…</p>}
      {report.isError && <LoadError what="the report" error={report.error} retry={() => void report.refetch()} />}
      {data && rows.length === 0 && <p className="muted">No loan was made, paid, late or outstanding in this period.</p>}
      {data && rows.length > 0 && <ReportTable caption="Loans per period and asset" first={['Period', 'Asset']} rows={rows} assets={assets} />}
      {data && (
        <div className="actions">
          <button type="button" onClick={() => saveTextFile(`lendnet-report-${input.from}-${input.to}.json`, JSON.stringify(data, null, 2))}>
            Download as JSON
          </button>
        </div>
      )}
    </section>
  );
}

function AccountSection() {
  const trpc = useTRPC();
  const assets = useAssets();
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [account, setAccount] = useState<string>();
  const report = useQuery({ ...trpc.audit.report.queryOptions({ kind: 'account', account: account ?? '0'.repeat(64) }), enabled: account !== undefined });
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = text.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(value)) return setError('An account is 64 hexadecimal characters.');
    setError(undefined);
    setAccount(value);
  };
  const data = report.data?.kind === 'account' ? report.data : undefined;
  const rows = (data?.rows ?? []).map((row) => ({ key: `${row.role}:${row.asset}`, cells: [row.role === 'borrower' ? 'As borrower' : 'As lender', row.asset], figures: row }));
  return (
    <section className="card stack" aria-labelledby="audit-account-heading">
      <h2 id="audit-account-heading">One account</h2>
      <form className="inline-form" onSubmit={onSubmit} noValidate>
        <Field id="audit-account" label="Account" error={error}>
          {(props) => <input {...props} type="text" autoComplete="off" spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <button type="submit">Show report</button>
      </form>
      {report.isFetching && !data && <p className="muted progress">Adding up the account…</p>}
      {report.isError && <LoadError what="the report" error={report.error} retry={() => void report.refetch()} />}
      {data && (
        <p>
          Took {data.loans.borrower} loan{data.loans.borrower === 1 ? '' : 's'}; holds a share of {data.loans.lender}.
        </p>
      )}
      {data && rows.length > 0 && <ReportTable caption="The account's loans per role and asset" first={['Role', 'Asset']} rows={rows} assets={assets} />}
    </section>
  );
}

function LoanSection() {
  const router = useRouter();
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!/^[1-9]\d{0,15}$/.test(text.trim())) return setError('Loans are numbered from 1.');
    router.push(`/loans/${text.trim()}`);
  };
  return (
    <section className="card stack" aria-labelledby="audit-loan-heading">
      <h2 id="audit-loan-heading">One loan</h2>
      <p className="muted small">A loan&apos;s page verifies each of its events in this browser, and gives its loan file to keep or to check.</p>
      <form className="inline-form" onSubmit={onSubmit} noValidate>
        <Field id="audit-loan" label="Loan number" error={error}>
          {(props) => <input {...props} type="text" inputMode="numeric" autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <button type="submit">Open the loan</button>
      </form>
    </section>
  );
}

/** Auditors' figures: the market per period and asset, one account, one loan. */
export function AuditView() {
  return (
    <>
      <h1>Audit</h1>
      <p className="muted">
        Figures from this node&apos;s index of the chain. To rely on none of it, run <code>lendnet audit verify</code> on a node of your own and{' '}
        <code>lendnet audit report</code>, which computes the same figures from the chain it has just verified, as CSV or JSON.
      </p>
      <PeriodSection />
      <AccountSection />
      <LoanSection />
    </>
  );
}
