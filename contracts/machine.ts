import type { Validator } from './chain/block.js';
import { isRefusal, refuse, type Refusal } from './errors.js';
import type { MarketEvent } from './events.js';
import { catchUp } from './loans/settlement.js';
import { nextAttention } from './loans/timing.js';
import { closeOrder } from './orders/close.js';
import { type MarketGenesis, validateGenesis } from './params.js';
import { MarketState } from './state/market-state.js';
import { decodeTransaction, hasValidSignature, type SignedTransaction, type Transaction } from './tx/envelope.js';
import type { BlockContext } from './txs/definition.js';
import { bodyDecoder, txDefinition } from './txs/registry.js';
import { genesisValidatorSet } from './validators/validator-set.js';

/**
 * The state a chain starts from: its parameters, its assets and their opening balances, and for
 * a chain committed by a network, its validator set.
 */
export function genesisState(genesis: MarketGenesis, validators?: readonly Validator[]): MarketState {
  validateGenesis(genesis);
  const state = new MarketState();
  state.atomically(() => {
    state.setParams(genesis.params);
    if (validators) state.putValidatorSet(genesisValidatorSet(validators));
    for (const asset of genesis.assets) state.putAsset({ ...asset, minted: 0n, burned: 0n });
    for (const { account, asset, amount } of genesis.allocations) {
      const record = state.requireAsset(asset);
      state.putAsset({ ...record, minted: record.minted + amount });
      state.addBalance(account, asset, amount);
    }
  });
  return state;
}

/**
 * Checks a decoded transaction against the state without changing it: chain, nonce, and the
 * type's own rules. Throws the Refusal a block would give it.
 */
export function checkTransaction(state: MarketState, ctx: BlockContext, tx: Transaction<unknown>): void {
  const definition = txDefinition(tx.type) ?? refuse('UNKNOWN_TX_TYPE', `there is no transaction type "${tx.type}"`, { type: tx.type });
  const params = state.params();
  // A signature for one chain must never move funds on another.
  if (tx.chainId !== params.chainId) refuse('WRONG_CHAIN', `the transaction is for chain ${tx.chainId}, not ${params.chainId}`, { expected: params.chainId, got: tx.chainId });
  // Nonces run 0, 1, 2, … per account, so a signed transaction applies at most once and in order.
  const expected = state.account(tx.signer).nonce;
  if (tx.nonce !== expected) refuse('BAD_NONCE', `the account's next nonce is ${expected}, not ${tx.nonce}`, { expected: expected.toString(), got: tx.nonce.toString() });
  definition.verify(state, ctx, tx);
}

/**
 * Applies one transaction whose signature has already been checked: all of it, with the
 * events it caused, or none of it and a thrown Refusal.
 */
export function applyTransaction(state: MarketState, ctx: BlockContext, tx: Transaction<unknown>): MarketEvent[] {
  checkTransaction(state, ctx, tx);
  const definition = txDefinition(tx.type) as NonNullable<ReturnType<typeof txDefinition>>;
  return state.atomically(() => {
    const account = state.account(tx.signer);
    state.putAccount(tx.signer, { ...account, nonce: account.nonce + 1n });
    definition.execute(state, ctx, tx);
  }).events;
}

/**
 * The rules that run at the end of every block, driven by its time alone: orders past their
 * expiry close and return their escrow; installments past grace become late; loans past the
 * default period default. They run in (time, orders before loans, id) order.
 */
export function endBlock(state: MarketState, ctx: BlockContext): MarketEvent[] {
  return state.atomically(() => {
    for (let timer = state.timers.popDue(ctx.time); timer; timer = state.timers.popDue(ctx.time)) {
      if (timer.kind === 'order') {
        const order = state.order(timer.id);
        if (order && order.expiresAt === timer.time) closeOrder(state, order, 'expired');
      } else {
        const loan = state.loan(timer.id);
        if (loan && nextAttention(loan, state.params()) === timer.time) catchUp(state, loan.id, ctx.time);
      }
    }
  }).events;
}

export type TxOutcome =
  | { readonly ok: true; readonly id: string; readonly events: MarketEvent[] }
  | { readonly ok: false; readonly id?: string; readonly refusal: Refusal };

/**
 * The whole path of untrusted bytes: decode, check the signature, apply. Never throws for a
 * bad transaction; returns its refusal instead, and the state is unchanged.
 */
export function processTransaction(
  state: MarketState,
  ctx: BlockContext,
  input: Uint8Array | string,
  verify?: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean,
): TxOutcome {
  let signed: SignedTransaction<unknown> | undefined;
  try {
    signed = decodeTransaction(input, { chainId: state.params().chainId, bodyOf: bodyDecoder });
    if (!hasValidSignature(signed, verify)) refuse('BAD_SIGNATURE', 'the signature does not verify for this signer and transaction');
    return { ok: true, id: signed.id, events: applyTransaction(state, ctx, signed.tx) };
  } catch (error) {
    if (isRefusal(error)) return { ok: false, ...(signed ? { id: signed.id } : {}), refusal: error };
    throw error;
  }
}
