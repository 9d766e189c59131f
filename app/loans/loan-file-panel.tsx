'use client';

import { type ChangeEvent, useId, useState } from 'react';
import { type LoanFileVerdict, MAX_LOAN_FILE_BYTES, verifyLoanFileText } from '../../contracts/audit/loan-file';
import { failureText } from '../explorer/ui';
import { saveTextFile } from '../lib/save-file';
import { useTRPCClient } from '../lib/trpc';

type Download = { readonly state: 'idle' } | { readonly state: 'building' } | { readonly state: 'failed'; readonly message: string };
type Check = { readonly state: 'idle' } | { readonly state: 'reading'; readonly name: string } | { readonly state: 'done'; readonly name: string; readonly verdict: LoanFileVerdict };

/** A verdict on a loan file in plain words: what it proves, or the first fault and where. */
function VerdictText({ name, verdict, loanId }: { readonly name: string; readonly verdict: LoanFileVerdict; readonly loanId: number }) {
  if (!verdict.ok) {
    const where = [verdict.failure?.height !== undefined ? `block ${verdict.failure.height}` : '', verdict.failure?.txId ? `transaction ${verdict.failure.txId.slice(0, 12)}…` : '']
      .filter(Boolean)
      .join(', ');
    return (
      <p className="error" role="status" data-testid="loan-file-verdict">
        ✗ {name} does not verify{where ? ` (${where})` : ''}: {verdict.failure?.what ?? 'it could not be checked'}.
      </p>
    );
  }
  const { txs, headers, commits } = verdict.checks;
  return (
    <div role="status" data-testid="loan-file-verdict">
      <p className="verify-ok">
        ✓ {name} verifies: loan #{verdict.loanId} on chain <code>{verdict.chainId}</code>, {txs} transaction{txs === 1 ? '' : 's'} signed and in their blocks, {headers} block header
        {headers === 1 ? '' : 's'} with {commits} commit certificate{commits === 1 ? '' : 's'}, and the loan&apos;s record proven at block {verdict.stateHeight}.
      </p>
      {verdict.loanId !== loanId && <p className="warn">This file is about loan #{verdict.loanId}, not the loan on this page.</p>}
      <p className="muted small">
        Its genesis hash is <code className="break">{verdict.genesisHash}</code>: the file proves this history only for the chain with that genesis. Compare it with the hash of your own copy of
        the genesis file.
      </p>
    </div>
  );
}

/**
 * The loan's file (docs/audit-file.md): download it to keep or hand to an auditor, or check a file
 * in this browser, with no node: the same checks as `lendnet audit verify-file`.
 */
export function LoanFilePanel({ loanId }: { readonly loanId: number }) {
  const client = useTRPCClient();
  const inputId = useId();
  const [download, setDownload] = useState<Download>({ state: 'idle' });
  const [check, setCheck] = useState<Check>({ state: 'idle' });

  const onDownload = async () => {
    setDownload({ state: 'building' });
    try {
      const { fileName, text } = await client.audit.loanFile.query({ id: loanId });
      saveTextFile(fileName, text);
      setDownload({ state: 'idle' });
    } catch (error) {
      setDownload({ state: 'failed', message: `The loan file could not be made: ${failureText(error)}.` });
    }
  };

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    const name = `“${file.name}”`;
    if (file.size > MAX_LOAN_FILE_BYTES) {
      const failure = { what: `it is larger than the ${MAX_LOAN_FILE_BYTES / 1024 / 1024} MiB a loan file may be` };
      setCheck({ state: 'done', name, verdict: { ok: false, loanId: null, chainId: null, genesisHash: null, checks: { validatorChanges: 0, headers: 0, commits: 0, txs: 0 }, failure } });
      return;
    }
    setCheck({ state: 'reading', name });
    const bytes = new Uint8Array(await file.arrayBuffer());
    setCheck({ state: 'done', name, verdict: verifyLoanFileText(bytes) });
  };

  return (
    <section className="card stack" aria-labelledby="loan-file-heading">
      <h2 id="loan-file-heading">Loan file</h2>
      <p className="muted small">
        One file holds this loan&apos;s history with its proofs: its transactions, their blocks&apos; headers and commit certificates, the loan&apos;s proven record and the validator set.
        Anyone can check it with no node, here or with <code>lendnet audit verify-file</code>.
      </p>
      <div className="actions">
        <button type="button" onClick={() => void onDownload()} disabled={download.state === 'building'}>
          {download.state === 'building' ? 'Making the file…' : 'Download the loan file'}
        </button>
      </div>
      {download.state === 'failed' && (
        <p className="error" role="alert">
          {download.message}
        </p>
      )}
      <div className="field">
        <label htmlFor={inputId}>Verify a loan file</label>
        <input id={inputId} type="file" accept="application/json,.json" onChange={(event) => void onFile(event)} />
        <small className="muted">The file is read and checked in this browser; nothing is sent.</small>
      </div>
      {check.state === 'reading' && <p className="progress">Checking {check.name}…</p>}
      {check.state === 'done' && <VerdictText name={check.name} verdict={check.verdict} loanId={loanId} />}
    </section>
  );
}
