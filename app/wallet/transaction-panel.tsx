'use client';

import Link from 'next/link';
import { useEffect, useRef } from 'react';
import { shortAccount } from './keys';
import type { TransactionControls } from './use-transaction';
import { useWallet } from './wallet-context';

/**
 * Shows one transaction's way: what it does in plain words and who signs it, the Sign button,
 * then waiting for a block, then the block it is in or why it was refused.
 */
export function TransactionPanel({ controls, title = 'Transaction' }: { readonly controls: TransactionControls; readonly title?: string }) {
  const { flow, confirm, reset } = controls;
  const wallet = useWallet();
  const heading = useRef<HTMLHeadingElement>(null);
  // Move focus to the panel when a review opens, so keyboard and screen-reader users land on it.
  useEffect(() => {
    if (flow.step === 'review') heading.current?.focus();
  }, [flow.step]);

  if (flow.step === 'idle') return null;
  const locked = wallet.state.status !== 'unlocked';
  return (
    <section className={`tx-panel tx-${flow.step}`} aria-labelledby="tx-panel-title" aria-live="polite" data-testid="tx-panel">
      <h3 id="tx-panel-title" ref={heading} tabIndex={-1}>
        {title}
      </h3>
      {flow.step === 'preparing' && <p>Reading the network and your account…</p>}
      {flow.step !== 'preparing' && flow.review && (
        <>
          <p className="tx-description" data-testid="tx-description">
            {flow.review.description}
          </p>
          <dl className="tx-facts">
            <dt>Signed by</dt>
            <dd>
              {flow.review.signerName} <code title={flow.review.signer}>{shortAccount(flow.review.signer)}</code>
            </dd>
            <dt>Network</dt>
            <dd>{flow.review.chainId}</dd>
            <dt>Transaction number</dt>
            <dd>{flow.review.nonce.toString(10)}</dd>
          </dl>
        </>
      )}
      {flow.step === 'review' && (
        <div className="actions">
          {locked ? (
            <p className="error" role="alert">
              Your wallet is locked. <Link href="/wallet">Unlock it</Link> to sign.
            </p>
          ) : (
            <button type="button" className="primary" onClick={confirm}>
              Sign and send
            </button>
          )}
          <button type="button" onClick={reset}>
            Cancel
          </button>
        </div>
      )}
      {flow.step === 'signing' && <p className="progress">Signing in your browser and sending…</p>}
      {flow.step === 'pending' && (
        <p className="progress" data-testid="tx-status">
          Pending: waiting for the next block…
        </p>
      )}
      {flow.step === 'committed' && (
        <>
          <p className="ok" data-testid="tx-status">
            Committed in block {flow.height}.
          </p>
          <p className="muted">
            Transaction <code title={flow.id}>{shortAccount(flow.id)}</code>
          </p>
          <button type="button" onClick={reset}>
            Done
          </button>
        </>
      )}
      {flow.step === 'refused' && (
        <>
          <p className="error" role="alert" data-testid="tx-status">
            Refused: {flow.message}
          </p>
          <button type="button" onClick={reset}>
            Close
          </button>
        </>
      )}
    </section>
  );
}
