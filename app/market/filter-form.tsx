'use client';

import { useState, type FormEvent } from 'react';
import { TERM_UNITS, type TermUnit } from '../lib/terms';
import type { AssetInfo } from '../wallet/describe';
import { bookInputOf, EMPTY_FILTERS, type BookFilters, type FilterErrors } from './book-filters';
import { Field } from './field';

/**
 * The book's filters and sort. Typed values are applied together with "Apply filters" (or
 * Enter), so the URL and the book change once, not at every keystroke.
 */
export function FilterForm({
  filters,
  assets,
  onApply,
}: {
  readonly filters: BookFilters;
  readonly assets: readonly AssetInfo[];
  readonly onApply: (filters: BookFilters) => void;
}) {
  const [draft, setDraft] = useState<BookFilters>(filters);
  const [errors, setErrors] = useState<FilterErrors>({});
  const set = <K extends keyof BookFilters>(key: K, value: BookFilters[K]) => setDraft((current) => ({ ...current, [key]: value }));
  const text = (key: keyof BookFilters) => ({
    type: 'text' as const,
    value: draft[key],
    onChange: (event: { target: { value: string } }) => set(key, event.target.value as never),
    autoComplete: 'off',
  });
  const decimals = assets.find((a) => a.id === draft.asset)?.decimals ?? 0;
  const unit = draft.asset || 'units';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = bookInputOf(draft, decimals).errors;
    setErrors(checked);
    if (Object.keys(checked).length === 0) onApply(draft);
  };
  const clear = () => {
    const cleared = { ...EMPTY_FILTERS, side: draft.side, asset: draft.asset };
    setDraft(cleared);
    setErrors({});
    onApply(cleared);
  };

  return (
    <form className="market-filters card" onSubmit={submit} aria-labelledby="filters-title" noValidate>
      <h2 id="filters-title">Filters</h2>
      <div className="market-filter-grid">
        <Field id="f-asset" label="Asset">
          {(props) => (
            <select {...props} value={draft.asset} onChange={(e) => set('asset', e.target.value)}>
              {assets.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.id} ({a.name})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="f-amount-min" label={`Amount from (${unit})`} error={errors.amountMin}>
          {(props) => <input {...props} {...text('amountMin')} inputMode="decimal" placeholder="any" />}
        </Field>
        <Field id="f-amount-max" label={`Amount to (${unit})`} error={errors.amountMax}>
          {(props) => <input {...props} {...text('amountMax')} inputMode="decimal" placeholder="any" />}
        </Field>
        <Field id="f-rate-min" label="APR from (%)" error={errors.rateMin}>
          {(props) => <input {...props} {...text('rateMin')} inputMode="decimal" placeholder="any" />}
        </Field>
        <Field id="f-rate-max" label="APR to (%)" error={errors.rateMax}>
          {(props) => <input {...props} {...text('rateMax')} inputMode="decimal" placeholder="any" />}
        </Field>
        <Field id="f-term-min" label={`Term from (${draft.termUnit})`} error={errors.termMin}>
          {(props) => <input {...props} {...text('termMin')} inputMode="numeric" placeholder="any" />}
        </Field>
        <Field id="f-term-max" label={`Term to (${draft.termUnit})`} error={errors.termMax}>
          {(props) => <input {...props} {...text('termMax')} inputMode="numeric" placeholder="any" />}
        </Field>
        <Field id="f-term-unit" label="Term counted in">
          {(props) => (
            <select {...props} value={draft.termUnit} onChange={(e) => set('termUnit', e.target.value as TermUnit)}>
              {(Object.keys(TERM_UNITS) as TermUnit[]).map((u) => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="f-schedule" label="Schedule">
          {(props) => (
            <select {...props} value={draft.schedule} onChange={(e) => set('schedule', e.target.value as BookFilters['schedule'])}>
              <option value="">Any</option>
              <option value="amortizing">Amortizing (equal installments)</option>
              <option value="bullet">Bullet (principal at the end)</option>
            </select>
          )}
        </Field>
        <Field id="f-collateral" label="Collateral">
          {(props) => (
            <select {...props} value={draft.collateral} onChange={(e) => set('collateral', e.target.value as BookFilters['collateral'])}>
              <option value="">Any</option>
              <option value="required">With collateral</option>
              <option value="none">Without collateral</option>
            </select>
          )}
        </Field>
        <Field id="f-defaults" label="Owner's defaults at most" hint="From the owner's credit record; 0 shows only owners who never defaulted." error={errors.maxDefaults}>
          {(props) => <input {...props} {...text('maxDefaults')} inputMode="numeric" placeholder="any" />}
        </Field>
        <Field id="f-sort" label="Sort by">
          {(props) => (
            <select {...props} value={draft.sort} onChange={(e) => set('sort', e.target.value as BookFilters['sort'])}>
              <option value="rate">Rate</option>
              <option value="amount">Amount remaining</option>
              <option value="term">Term</option>
              <option value="newest">Newest</option>
            </select>
          )}
        </Field>
        <Field id="f-direction" label="Order">
          {(props) => (
            <select {...props} value={draft.direction} onChange={(e) => set('direction', e.target.value as BookFilters['direction'])}>
              <option value="">Best first</option>
              <option value="asc">Ascending</option>
              <option value="desc">Descending</option>
            </select>
          )}
        </Field>
      </div>
      <div className="actions">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <button type="button" onClick={clear}>
          Clear filters
        </button>
        {Object.keys(errors).length > 0 && (
          <p className="error" role="alert">
            Some filters cannot be read; see the notes under them.
          </p>
        )}
      </div>
    </form>
  );
}
