'use client';

import { TRPCClientError } from '@trpc/client';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { shortHex } from './format';

/**
 * A label and its value: one row of a fact table. A table rather than a description list, because
 * assistive technology (and the e2e tests) then find a value by its row's label.
 */
export function Fact({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{children}</td>
    </tr>
  );
}

/** Label/value pairs, two columns that stack at phone width. */
export function Facts({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  return (
    <table className="facts" aria-label={label}>
      <tbody>{children}</tbody>
    </table>
  );
}

/**
 * A wide table that scrolls sideways on a narrow screen instead of pushing the page wider. It can
 * take focus, so keyboard users can scroll it too.
 */
export function TableScroll({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export function BlockLink({ height }: { readonly height: number }) {
  return <Link href={`/explorer/block/${height}`}>{height.toLocaleString('en-US')}</Link>;
}

export function TxLink({ id, full = false }: { readonly id: string; readonly full?: boolean }) {
  return (
    <Link href={`/explorer/tx/${id}`} title={id}>
      <code>{full ? id : shortHex(id)}</code>
    </Link>
  );
}

/** A loan's page: its file and its events, verified in the browser. */
export function LoanLink({ id }: { readonly id: number }) {
  return <Link href={`/loans/${id}`}>loan #{id}</Link>;
}

export function AccountLink({ account, full = false }: { readonly account: string; readonly full?: boolean }) {
  return (
    <Link href={`/explorer/account/${account}`} title={account}>
      <code>{full ? account : shortHex(account)}</code>
    </Link>
  );
}

/** Whether an API call failed because the thing asked for does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === 'NOT_FOUND';
}

/** Why a read failed, in plain words. */
export function failureText(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string; httpStatus?: number } | undefined;
    if (data?.code === undefined) return 'the node does not answer';
    if (data.code === 'BAD_INPUT') return 'the node did not understand the request';
    if (data.code === 'INTERNAL') return 'the node hit an internal error';
    if (data.code === 'UNAVAILABLE' || data.httpStatus === 503) return 'the node is stopping or unavailable';
  }
  return error instanceof Error && error.message ? error.message : 'the node does not answer';
}

/** A failed read, said plainly, with a way to try again. */
export function LoadError({ what, error, retry }: { readonly what: string; readonly error: unknown; readonly retry: () => void }) {
  return (
    <p className="error" role="alert">
      Could not read {what}: {failureText(error)}.{' '}
      <button type="button" className="link-button" onClick={retry}>
        Try again
      </button>
    </p>
  );
}

/** Buttons to page through a listing: back to the newest, the previous page, the next one. */
export function Pager({
  label,
  page,
  hasOlder,
  onNewest,
  onNewer,
  onOlder,
  busy,
}: {
  readonly label: string;
  readonly page: number;
  readonly hasOlder: boolean;
  readonly onNewest: () => void;
  readonly onNewer: () => void;
  readonly onOlder: () => void;
  readonly busy: boolean;
}) {
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" onClick={onNewest} disabled={page === 1}>
        Newest
      </button>
      <button type="button" onClick={onNewer} disabled={page === 1}>
        ← Newer
      </button>
      <span className="muted small" aria-live="polite">
        Page {page}
        {busy ? ', reading…' : ''}
      </span>
      <button type="button" onClick={onOlder} disabled={!hasOlder || busy}>
        Older →
      </button>
    </nav>
  );
}
