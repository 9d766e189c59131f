'use client';

import { type EventColumn, EventList } from '../explorer/event-list';
import type { LoanFile } from './compare';
import type { Verification } from './use-loan-verification';

/** A verification as a mark and, opened, the checks behind it. */
export function VerificationMark({ verification }: { readonly verification: Verification | undefined }) {
  if (!verification || verification.state === 'checking') return <span className="verify verify-checking">Checking…</span>;
  if (verification.state === 'unavailable') {
    return (
      <span className="verify verify-unavailable" title={verification.reason}>
        Not checked: {verification.reason}
      </span>
    );
  }
  const { verdict } = verification;
  return (
    <details className="verify-details">
      <summary className={verdict.ok ? 'verify verify-ok' : 'verify verify-failed'}>{verdict.ok ? '✓ Verified' : `✗ Failed: ${verdict.failure}`}</summary>
      <ul className="verify-checks">
        {verdict.checks.map((check) => (
          <li key={check.name} className={check.ok ? 'verify-ok' : 'verify-failed'}>
            {check.ok ? '✓' : '✗'} {check.name}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** The loan's events in order, each with its block, its transaction, and the browser's verdict on them. */
export function LoanEvents({ loan, verifications }: { readonly loan: LoanFile; readonly verifications: ReadonlyMap<string, Verification> }) {
  const verified: EventColumn = { heading: 'Verified', cell: (event) => <VerificationMark verification={verifications.get(`${event.height}:${event.seq}`)} /> };
  return <EventList events={loan.events} label={`Events of loan #${loan.id}`} linkLoans={false} extra={verified} testId="loan-event" />;
}
