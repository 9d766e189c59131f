'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CanonicalValue } from '../../contracts/codec/canonical';
import { signTransaction } from '../../contracts/tx/envelope';
import { useTRPC, useTRPCClient } from '../lib/trpc';
import { describeDraft, refusalText, type AssetInfo, type RefusalContext, type TxDraft } from './describe';
import { useWallet } from './wallet-context';

/**
 * One transaction from draft to block: review it in plain words, sign it in the browser, submit
 * it (tx.submit), then follow it (tx.status) until it is committed or refused.
 */
export type TxFlow =
  | { readonly step: 'idle' }
  | { readonly step: 'preparing'; readonly draft: TxDraft }
  | { readonly step: 'review'; readonly draft: TxDraft; readonly review: TxReview }
  | { readonly step: 'signing'; readonly draft: TxDraft; readonly review: TxReview }
  | { readonly step: 'pending'; readonly draft: TxDraft; readonly review: TxReview; readonly id: string }
  | { readonly step: 'committed'; readonly draft: TxDraft; readonly review: TxReview; readonly id: string; readonly height: number }
  | { readonly step: 'refused'; readonly draft: TxDraft; readonly review?: TxReview; readonly code: string; readonly message: string };

/** What the user reads before signing, and what is signed. */
export interface TxReview {
  readonly description: string;
  readonly signer: string;
  readonly signerName: string;
  readonly chainId: string;
  readonly nonce: bigint;
}

export interface TransactionControls {
  readonly flow: TxFlow;
  /** Reads the chain id and the nonce, then shows the draft for review. */
  prepare(draft: TxDraft): void;
  /** Signs the reviewed transaction with the selected account and submits it. */
  confirm(): void;
  /** Back to idle (cancels a review; forgets a finished transaction). */
  reset(): void;
  /** A transaction is under way (read, under review, signing, or waiting for its block): the form that made it holds still. */
  readonly busy: boolean;
}

/**
 * Nonces this page has used, per account: the index counts a transaction only once its block
 * is indexed, so a second transaction sent just after a first must be numbered past it.
 */
const usedNonces = new Map<string, bigint>();

const FOLLOW_EVERY_MS = 500;

/** A plain message and a code from anything a submission can throw. */
function failureOf(error: unknown, context: Omit<RefusalContext, 'details'> = {}): { code: string; message: string } {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string; details?: unknown } | undefined;
    const code = String(data?.code ?? 'UNAVAILABLE');
    return { code, message: refusalText(code, error.message, { ...context, details: data?.details }) };
  }
  if (error instanceof TypeError && /fetch/i.test(error.message)) return { code: 'UNAVAILABLE', message: 'The node does not answer. Check your connection and try again.' };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : 'Something went wrong.' };
}

export function useTransaction(): TransactionControls {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const wallet = useWallet();
  const [flow, setFlow] = useState<TxFlow>({ step: 'idle' });
  // A reset while a request is out makes its answer stale: count attempts and drop old answers.
  const attempt = useRef(0);

  const prepare = useCallback(
    (draft: TxDraft) => {
      const selected = wallet.selected;
      if (!selected) return setFlow({ step: 'refused', draft, code: 'NO_ACCOUNT', message: 'Create or import an account first.' });
      const mine = ++attempt.current;
      setFlow({ step: 'preparing', draft });
      void (async () => {
        try {
          const [head, balances, assetRows] = await Promise.all([
            queryClient.fetchQuery({ ...trpc.chain.head.queryOptions(), staleTime: 0 }),
            queryClient.fetchQuery({ ...trpc.accounts.balances.queryOptions({ account: selected.account }), staleTime: 0 }),
            queryClient.fetchQuery({ ...trpc.chain.assets.queryOptions(), staleTime: 60_000 }),
          ]);
          const assets = new Map<string, AssetInfo>(assetRows.map((a) => [a.id, a]));
          const indexed = BigInt(balances.nextNonce);
          const used = usedNonces.get(selected.account);
          const nonce = used !== undefined && used >= indexed ? used + 1n : indexed;
          const description = describeDraft(draft, selected.account, assets);
          if (mine === attempt.current) {
            setFlow({ step: 'review', draft, review: { description, signer: selected.account, signerName: selected.name, chainId: head.chainId, nonce } });
          }
        } catch (error) {
          if (mine === attempt.current) setFlow({ step: 'refused', draft, ...failureOf(error) });
        }
      })();
    },
    [wallet.selected, queryClient, trpc],
  );

  const confirm = useCallback(() => {
    if (flow.step !== 'review') return;
    const { draft, review } = flow;
    const secretKey = wallet.secretKeyOf(review.signer);
    if (!secretKey) return setFlow({ step: 'refused', draft, review, code: 'LOCKED', message: 'Unlock your wallet to sign.' });
    const mine = ++attempt.current;
    setFlow({ step: 'signing', draft, review });
    void (async () => {
      try {
        const body = draft.body as unknown as CanonicalValue;
        const signed = signTransaction({ chainId: review.chainId, type: draft.type, signer: review.signer, nonce: review.nonce, body }, secretKey);
        usedNonces.set(review.signer, review.nonce);
        const submitted = await client.tx.submit.mutate({ wire: signed.encoded, wait: false });
        if (mine === attempt.current) setFlow({ step: 'pending', draft, review, id: submitted.id });
      } catch (error) {
        // Nothing was admitted, so the nonce is still free.
        if (usedNonces.get(review.signer) === review.nonce) usedNonces.delete(review.signer);
        const assets = new Map((queryClient.getQueryData(trpc.chain.assets.queryKey()) ?? []).map((a) => [a.id, a] as const));
        if (mine === attempt.current) setFlow({ step: 'refused', draft, review, ...failureOf(error, { asset: draft.context?.asset, assets }) });
      }
    })();
  }, [flow, wallet, client, queryClient, trpc]);

  const reset = useCallback(() => {
    attempt.current++;
    setFlow({ step: 'idle' });
  }, []);

  // Follow a submitted transaction until its block is indexed (so balances read after it include it).
  const pendingId = flow.step === 'pending' || flow.step === 'committed' ? flow.id : undefined;
  const status = useQuery({
    ...trpc.tx.status.queryOptions({ id: pendingId ?? '0'.repeat(64) }),
    enabled: pendingId !== undefined,
    staleTime: 0,
    refetchInterval: (query) => {
      const data = query.state.data;
      return data && (data.status === 'refused' || (data.status === 'committed' && data.indexed)) ? false : FOLLOW_EVERY_MS;
    },
  });

  useEffect(() => {
    const answer = status.data;
    if (!answer || answer.id !== pendingId) return;
    if (answer.status === 'committed' && flow.step === 'pending') {
      setFlow({ step: 'committed', draft: flow.draft, review: flow.review, id: flow.id, height: answer.height });
    }
    if (answer.status === 'committed' && answer.indexed) {
      void queryClient.invalidateQueries({ queryKey: trpc.accounts.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.chain.pathKey() });
    }
    if (answer.status === 'refused' && flow.step === 'pending') {
      if (usedNonces.get(flow.review.signer) === flow.review.nonce) usedNonces.delete(flow.review.signer);
      setFlow({ step: 'refused', draft: flow.draft, review: flow.review, code: answer.code, message: refusalText(answer.code, answer.message) });
    }
  }, [status.data, pendingId, flow, queryClient, trpc]);

  const busy = flow.step === 'preparing' || flow.step === 'review' || flow.step === 'signing' || flow.step === 'pending';
  return useMemo(() => ({ flow, prepare, confirm, reset, busy }), [flow, prepare, confirm, reset, busy]);
}
