'use client';

import { useQueries, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef } from 'react';
import type { StateProof } from '../../contracts/proofs/state-proof';
import { useTRPC } from '../lib/trpc';
import { type LoanFile, loanDifferences } from './compare';
import { type CommitEvidence, type TrustAnchor, trustAnchor, type Verdict, verifyBlock, verifyLoanState, verifyTransaction } from './verify';

/** Where one check stands: its evidence still coming, checked, or not to be had from the node. */
export type Verification =
  | { readonly state: 'checking' }
  | { readonly state: 'done'; readonly verdict: Verdict }
  | { readonly state: 'unavailable'; readonly reason: string };

/** The loan's current record as the chain proves it, and whether the index shows the same. */
export type StateVerification =
  | { readonly state: 'checking' }
  | { readonly state: 'unavailable'; readonly reason: string }
  | { readonly state: 'done'; readonly verdict: Verdict; readonly height: number; readonly differences: readonly string[] };

export interface LoanVerification {
  readonly anchor?: TrustAnchor;
  /** By event, keyed `height:seq`. */
  readonly events: ReadonlyMap<string, Verification>;
  readonly state: StateVerification;
}

const CHECKING: Verification = { state: 'checking' };
/** Committed blocks and transactions never change: their evidence is read once. */
const FOREVER = { staleTime: Number.POSITIVE_INFINITY, gcTime: 10 * 60_000, retry: 2 } as const;

/** A query's error in words, for a check that could not be made. */
function unavailable(error: unknown): { readonly state: 'unavailable'; readonly reason: string } {
  return { state: 'unavailable', reason: error instanceof Error && error.message ? error.message : 'the node did not answer' };
}

/**
 * Verifies a loan's file in the browser: each event's transaction and block, and the loan's
 * current record against the state root of the latest final block. The evidence comes from the
 * audit procedures; every check is made here, with contracts/, each block's commit against the
 * validator set of its height as proven from the genesis set.
 */
export function useLoanVerification(loan: LoanFile | undefined): LoanVerification {
  const trpc = useTRPC();
  const validatorHistory = useQuery({ ...trpc.audit.validatorHistory.queryOptions(), staleTime: 60_000, retry: 2 });
  const anchor = useMemo<TrustAnchor | undefined>(() => (validatorHistory.data ? trustAnchor(validatorHistory.data) : undefined), [validatorHistory.data]);

  const events = loan?.events ?? [];
  const txIds = [...new Set(events.flatMap((e) => (e.txId ? [e.txId] : [])))];
  const proof = useQuery({ ...trpc.audit.stateProof.queryOptions({ kind: 'loan', id: loan?.id ?? 1 }), enabled: loan !== undefined, staleTime: Number.POSITIVE_INFINITY });
  // The record is proven again whenever the index shows the loan changed.
  const updatedHeight = loan?.updatedHeight;
  const refetchProof = proof.refetch;
  const provenFor = useRef(updatedHeight);
  useEffect(() => {
    if (updatedHeight === provenFor.current) return;
    provenFor.current = updatedHeight;
    void refetchProof();
  }, [updatedHeight, refetchProof]);
  const heights = [...new Set([...events.map((e) => e.height), ...(proof.data ? [proof.data.head.height] : [])])];
  const txs = useQueries({ queries: txIds.map((id) => ({ ...trpc.audit.txInclusion.queryOptions({ id }), ...FOREVER })) });
  const commits = useQueries({ queries: heights.map((height) => ({ ...trpc.audit.commit.queryOptions({ height }), ...FOREVER })) });

  const txById = new Map(txIds.map((id, i) => [id, txs[i]!]));
  const commitByHeight = new Map(heights.map((height, i) => [height, commits[i]!]));
  // A block above the heights whose sets the history tells waits for the history read again.
  const highest = Math.max(0, ...heights);
  const knownThrough = anchor?.knownThrough;
  const refetchHistory = validatorHistory.refetch;
  useEffect(() => {
    if (knownThrough !== undefined && highest > knownThrough) void refetchHistory();
  }, [highest, knownThrough, refetchHistory]);
  const known = (height: number) => anchor !== undefined && height <= anchor.knownThrough;
  const commitOf = (height: number): CommitEvidence | undefined => commitByHeight.get(height)?.data;
  const results = new Map<string, Verification>();
  for (const event of events) {
    const key = `${event.height}:${event.seq}`;
    const commitQuery = commitByHeight.get(event.height);
    const commit = commitOf(event.height);
    const txQuery = event.txId ? txById.get(event.txId) : undefined;
    if (validatorHistory.isError) results.set(key, unavailable(validatorHistory.error));
    else if (commitQuery?.isError) results.set(key, unavailable(commitQuery.error));
    else if (txQuery?.isError) results.set(key, unavailable(txQuery.error));
    else if (!anchor || !known(event.height) || !commit || (event.txId && !txQuery?.data)) results.set(key, CHECKING);
    else if (!event.txId || !txQuery?.data) results.set(key, { state: 'done', verdict: verifyBlock(event.height, commit, anchor) });
    else {
      const concerns = (_type: string, body: unknown) => concernsLoan(body, loan!);
      results.set(key, { state: 'done', verdict: verifyTransaction({ id: event.txId, height: event.height }, txQuery.data, commit, anchor, concerns) });
    }
  }

  let state: StateVerification = { state: 'checking' };
  if (proof.isError) state = unavailable(proof.error);
  else if (validatorHistory.isError) state = unavailable(validatorHistory.error);
  else if (proof.data && anchor && loan && known(proof.data.head.height)) {
    const headCommit = commitByHeight.get(proof.data.head.height);
    if (headCommit?.isError) state = unavailable(headCommit.error);
    else if (headCommit?.data) {
      const evidence = { ...proof.data, proof: proof.data.proof as unknown as StateProof };
      const proven = verifyLoanState(loan.id, evidence, headCommit.data, anchor);
      state = { state: 'done', verdict: proven.verdict, height: proven.height, differences: proven.loan ? loanDifferences(loan, proven.loan) : [] };
    }
  }
  return { anchor, events: results, state };
}

/** Whether a transaction's body names this loan, or the order it was made from. */
function concernsLoan(body: unknown, loan: LoanFile): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const fields = body as { readonly loanId?: unknown; readonly orderId?: unknown };
  return fields.loanId === loan.id || fields.orderId === loan.orderId;
}
