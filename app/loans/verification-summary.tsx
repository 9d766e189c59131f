'use client';

import Link from 'next/link';
import type { LoanFile } from './compare';
import { VerificationMark } from './loan-events';
import type { LoanVerification } from './use-loan-verification';
import { anchorHash } from './verify';

/** How many of the loan's events are verified, failed, or still being checked. */
function tally(verification: LoanVerification) {
  let verified = 0;
  let failed = 0;
  let unchecked = 0;
  for (const v of verification.events.values()) {
    if (v.state !== 'done') unchecked++;
    else if (v.verdict.ok) verified++;
    else failed++;
  }
  return { verified, failed, unchecked };
}

/** The loan's verification at a glance: its events, its current record, and what they are checked against. */
export function VerificationSummary({ loan, verification }: { readonly loan: LoanFile; readonly verification: LoanVerification }) {
  const { verified, failed, unchecked } = tally(verification);
  const total = loan.events.length;
  const { state, anchor } = verification;
  const allVerified = total > 0 && verified === total;
  return (
    <section className="card stack" aria-labelledby="loan-verification-heading" data-testid="loan-verification">
      <h2 id="loan-verification-heading">Verified in your browser</h2>
      <p role="status" data-testid="events-verified" className={failed > 0 ? 'error' : allVerified ? 'verify-ok' : 'progress'}>
        {failed > 0
          ? `✗ ${failed} of ${total} events failed verification. Do not rely on this loan's history as this node shows it.`
          : allVerified
            ? `✓ All ${total} events verified.`
            : `${verified} of ${total} events verified so far${unchecked > 0 ? ', checking the rest…' : '.'}`}
      </p>
      <div data-testid="state-verified">
        {state.state === 'done' ? (
          state.verdict.ok && state.differences.length === 0 ? (
            <p className="verify-ok">✓ The loan&apos;s record in the chain&apos;s state at block {state.height} is proven, and this page shows the same.</p>
          ) : state.verdict.ok ? (
            <p className="warn">
              The chain proves the loan&apos;s record at block {state.height}, but this page&apos;s index differs in: {state.differences.join(', ')}. The index may be a block behind; the page
              reads it again shortly.
            </p>
          ) : (
            <p className="error">✗ The loan&apos;s record could not be proven: {state.verdict.failure}.</p>
          )
        ) : (
          <p className="muted">
            The loan&apos;s current record: <VerificationMark verification={state} />
          </p>
        )}
      </div>
      {anchor && (
        <p className="muted small">
          Checked against chain <code>{anchor.chainId}</code> and its genesis validator set of {anchor.genesisValidators.length} (hash{' '}
          <code className="break">{anchorHash(anchor)}</code>)
          {anchor.changes === 0 ? '' : `, followed through the ${anchor.changes === 1 ? 'change' : `${anchor.changes} changes`} of the set proven since`}. Compare that hash with the one in your
          own copy of the genesis file, or see the <Link href="/explorer#validators">validators</Link>.
        </p>
      )}
    </section>
  );
}
