'use client';

import { type FormEvent, useState } from 'react';
import { formatAmount, parseAmount } from '../lib/amounts';
import { AmountField } from '../market/field';
import type { AssetInfo } from '../wallet/describe';

/**
 * Pay any amount into a loan: part of an installment, or several at once. The amount is checked
 * against what the loan still owes before anything is signed; the chain checks it again.
 */
export function PayAmount({
  loanId,
  asset,
  owed,
  disabled,
  onPay,
}: {
  readonly loanId: number;
  readonly asset: AssetInfo | undefined;
  readonly owed: bigint;
  readonly disabled: boolean;
  readonly onPay: (amount: bigint) => void;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  if (!asset) return null;
  const fmt = (amount: bigint) => `${formatAmount(amount, asset.decimals)} ${asset.id}`;
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = parseAmount(text, asset.decimals);
    if ('error' in parsed) return setError(parsed.error);
    if (parsed.amount <= 0n) return setError('Enter an amount above zero.');
    if (parsed.amount > owed) return setError(`That is more than the loan owes: ${fmt(owed)} is left to pay in all.`);
    setError(undefined);
    onPay(parsed.amount);
  };
  const id = `pay-amount-${loanId}`;
  return (
    <form className="inline-form pay-amount" onSubmit={onSubmit} noValidate>
      <AmountField
        id={id}
        label={`Pay another amount (${asset.id})`}
        error={error}
        hint={`Up to ${fmt(owed)}. Late fees are paid first, then each installment in order.`}
        value={text}
        onChange={(value) => {
          setText(value);
          setError(undefined);
        }}
      />
      <button type="submit" disabled={disabled}>
        Review payment
      </button>
    </form>
  );
}
