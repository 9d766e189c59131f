/**
 * Turning an action into wire bytes against the current state: amounts are drawn as shares of
 * what the signer holds or what an order has left, so that most transactions can apply.
 */
import type { AssetChoice, Expiry, Terms, TxAction } from './actions.js';
import { planLoanAction } from './plan-loans.js';
import { planAccept, planFund, planTake } from './plan-matches.js';
import { actorFor, actorOfAccount, atLeastOne, finish, pct, pick, type Planned, type RunContext } from './planned.js';
import { ISSUER, SMALL_ORDER_KEY, type Body } from './signing.js';
import { openOrders } from './state-queries.js';

function expiresAt(run: RunContext, e: Expiry): number {
  return e.kind === 'past' ? run.time - e.seconds : run.time + e.seconds;
}

function otherAsset(asset: AssetChoice): AssetChoice {
  return asset === 'USD' ? 'COL' : 'USD';
}

function termsBody(terms: Terms): Record<string, Body> {
  return { asset: terms.asset, term: terms.term, schedule: terms.schedule, installments: terms.installments };
}

export function plan(run: RunContext, a: TxAction): Planned {
  const { state } = run;
  switch (a.kind) {
    case 'faucet': {
      const signer = actorFor(run, a.who);
      const limit = state.params().faucet[a.asset] ?? 1_000_000n;
      return finish(run, signer, 'faucet', { asset: a.asset, amount: atLeastOne((limit * BigInt(a.permille)) / 1000n) }, a.tamper);
    }
    case 'mint': {
      const signer = a.byIssuer ? ISSUER : actorFor(run, a.who);
      // the issuer mints to itself now and then, so that it has something to burn
      const to = a.badRecipient ? SMALL_ORDER_KEY : a.to % 4 === 0 ? ISSUER.key.account : actorFor(run, a.to).key.account;
      // A recipient that is not a key is refused while decoding, before any other check.
      return finish(run, signer, 'mint', { asset: a.asset, to, amount: a.amount }, a.badRecipient ? 'none' : a.tamper, a.badRecipient ? 'BAD_PUBLIC_KEY' : undefined);
    }
    case 'burn': {
      const signer = a.byIssuer ? ISSUER : actorFor(run, a.who);
      return finish(run, signer, 'burn', { asset: a.asset, amount: atLeastOne(pct(state.balance(signer.key.account, a.asset), a.percent)) }, a.tamper);
    }
    case 'transfer': {
      const signer = actorFor(run, a.who);
      const to = actorFor(run, a.to).key.account;
      return finish(run, signer, 'transfer', { asset: a.asset, to, amount: atLeastOne(pct(state.balance(signer.key.account, a.asset), a.percent)) }, a.tamper);
    }
    case 'lend': {
      const signer = actorFor(run, a.who);
      const balance = state.balance(signer.key.account, a.terms.asset);
      const amount = a.tiny !== null ? BigInt(a.tiny) : balance > 0n ? atLeastOne(pct(balance, a.percent)) : 1_000_000n;
      const body: Record<string, Body> = {
        ...termsBody(a.terms),
        amount,
        minTicket: atLeastOne(pct(amount, a.minPercent)),
        maxTicket: atLeastOne(pct(amount, a.maxPercent)),
        aprBps: a.apr,
        expiresAt: expiresAt(run, a.expiry),
      };
      if (a.collateral) body.collateral = { asset: a.collateral.sameAsset ? a.terms.asset : otherAsset(a.terms.asset), ratioBps: a.collateral.ratioBps };
      return finish(run, signer, 'post-lend-offer', body, a.tamper);
    }
    case 'borrow': {
      const signer = actorFor(run, a.who);
      const body: Record<string, Body> = { ...termsBody(a.terms), amount: a.amount, maxAprBps: a.apr, partial: a.partial, expiresAt: expiresAt(run, a.expiry) };
      if (a.collateral) {
        const asset = a.collateral.sameAsset ? a.terms.asset : otherAsset(a.terms.asset);
        body.collateral = { asset, amount: atLeastOne(pct(state.balance(signer.key.account, asset), a.collateral.percent)) };
      }
      return finish(run, signer, 'post-borrow-request', body, a.tamper);
    }
    case 'cancel': {
      const order = pick(openOrders(state), a.pick);
      const owner = a.own && order ? actorOfAccount(run, order.owner) : undefined;
      const orderId = order ? order.id : 1 + (a.pick % 5);
      return finish(run, owner ?? actorFor(run, a.who), 'cancel-order', { orderId }, a.tamper);
    }
    case 'take':
      return planTake(run, a);
    case 'fund':
      return planFund(run, a);
    case 'accept':
      return planAccept(run, a);
    case 'repay':
    case 'prepay':
    case 'declareDefault':
      return planLoanAction(run, a);
    case 'replay': {
      const wire = pick(run.applied, a.pick);
      if (wire === undefined) return finish(run, ISSUER, 'faucet', { asset: 'USD', amount: 1n }, 'none');
      return { wire, type: 'replay', signer: ISSUER, expect: 'BAD_NONCE', crossCheck: false };
    }
    case 'garbage': {
      const signer = actorFor(run, a.who);
      const honest = finish(run, signer, 'transfer', { asset: 'USD', to: signer.key.account, amount: 1n }, 'none');
      if (a.variant === 'whitespace') return { ...honest, wire: honest.wire.replace(',', ', '), expect: 'NON_CANONICAL', crossCheck: false };
      if (a.variant === 'truncated') return { ...honest, wire: honest.wire.slice(0, -1), expect: 'MALFORMED', crossCheck: false };
      return finish(run, signer, 'borrow-money', { amount: 1n }, 'none', 'UNKNOWN_TX_TYPE');
    }
  }
}
