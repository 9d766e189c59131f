/**
 * A planned transaction: the wire bytes an action becomes, signed with the signer's next nonce
 * or tampered as the action asks, and the refusal it must get when the generator knows it.
 */
import type { RefusalCode } from '../../errors.js';
import type { MarketState } from '../../state/market-state.js';
import { encodeEnvelope, type Transaction } from '../../tx/envelope.js';
import type { Tamper } from './actions.js';
import { ISSUER, signWith, unsignedTx, type Actor, type Body } from './signing.js';

export interface Planned {
  readonly wire: string;
  readonly type: string;
  /** The signer whose nonce the transaction uses. */
  readonly signer: Actor;
  /** The refusal this wire must get, when the generator knows it. */
  readonly expect?: RefusalCode;
  /** Whether to check the signature verdict against the consensus rule too. */
  readonly crossCheck: boolean;
}

/** What an action is planned against: the state of the moment and the run so far. */
export interface RunContext {
  readonly state: MarketState;
  readonly actors: readonly Actor[];
  readonly time: number;
  /** The wires applied so far in this run. */
  readonly applied: readonly string[];
}

export function actorFor(run: RunContext, index: number): Actor {
  return run.actors[index % run.actors.length] as Actor;
}

export function actorOfAccount(run: RunContext, account: string): Actor | undefined {
  if (account === ISSUER.key.account) return ISSUER;
  return run.actors.find((a) => a.key.account === account);
}

function envelope(tx: Transaction<Body>, by: Actor): string {
  return encodeEnvelope(tx, signWith(tx, by));
}

/** Signs `body` as `signer` with the account's next nonce, or a wire tampered as asked. */
export function finish(run: RunContext, signer: Actor, type: string, body: Body, t: Tamper, expect?: RefusalCode): Planned {
  const nonce = run.state.account(signer.key.account).nonce;
  const tx = unsignedTx(signer, nonce, type, body);
  const refused = (wire: string, code: RefusalCode, crossCheck: boolean): Planned => ({ wire, type, signer, expect: expect ?? code, crossCheck });
  switch (t) {
    case 'none':
      return { wire: envelope(tx, signer), type, signer, crossCheck: run.applied.length < 3, ...(expect ? { expect } : {}) };
    case 'nonceAhead':
    case 'nonceBehind': {
      const wrong = t === 'nonceAhead' || nonce === 0n ? nonce + 1n + BigInt(run.applied.length % 3) : nonce - 1n;
      return refused(envelope({ ...tx, nonce: wrong }, signer), 'BAD_NONCE', false);
    }
    case 'wrongChain':
      return refused(envelope({ ...tx, chainId: 'lendnet-other' }, signer), 'WRONG_CHAIN', false);
    case 'badSig': {
      const signature = signWith(tx, signer);
      const at = run.applied.length % 128;
      const flipped = `${signature.slice(0, at)}${signature[at] === '0' ? '1' : '0'}${signature.slice(at + 1)}`;
      return refused(encodeEnvelope(tx, flipped), 'BAD_SIGNATURE', true);
    }
    case 'otherSigner': {
      const impostor = signer === ISSUER ? (run.actors[0] as Actor) : ISSUER;
      return refused(envelope(tx, impostor), 'BAD_SIGNATURE', true);
    }
  }
}

export function pct(amount: bigint, percent: number): bigint {
  return (amount * BigInt(percent)) / 100n;
}

export function atLeastOne(amount: bigint): bigint {
  return amount > 0n ? amount : 1n;
}

export function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}
