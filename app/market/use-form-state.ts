'use client';

import { useState } from 'react';
import type { FormErrors } from './order-draft';

/**
 * A form's typed values and the notes on its fields. Editing a field clears its own note; the
 * others stay until the next review.
 */
export function useFormState<F extends object>(start: F) {
  const [form, setForm] = useState<F>(start);
  const [errors, setErrors] = useState<FormErrors<F>>({});
  const set = <K extends keyof F>(key: K, value: F[K]) => {
    setForm((current) => ({ ...current, [key]: value }));
    setErrors((current) => (key in current ? (Object.fromEntries(Object.entries(current).filter(([name]) => name !== key)) as FormErrors<F>) : current));
  };
  return { form, set, setForm, errors, setErrors };
}
