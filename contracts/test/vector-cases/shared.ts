/**
 * What the vector cases share: the cast and its money, the genesis, the order bodies most
 * cases post, the two loans several topics start from, and helpers for stating figures.
 */
import type { CanonicalValue } from '../../codec/canonical.js';
import type { RefusalCode } from '../../errors.js';
import type { MarketEvent } from '../../events.js';
import type { MarketGenesis, NetworkParams } from '../../params.js';
import type { KeyPair } from '../../tx/keys.js';
import { testGenesis, testKey } from '../fixtures.js';
import type { VectorCase } from '../vector-format.js';
import { refusal, type Scenario } from './scenario.js';

// ---- the cast --------------------------------------------------------------------------

/** One dollar and one collateral token, in minor units (USD has 6 decimals, COL 8). */
export const USD = 1_000_000n;
export const COL = 100_000_000n;

export const issuer = testKey('issuer');
export const alice = testKey('alice'); // a lender
export const bob = testKey('bob'); // a borrower
export const carol = testKey('carol'); // a second lender
export const dave = testKey('dave'); // a bystander

/** How a figure's label names each account. */
const NAMES = new Map<string, string>([
  [issuer.account, 'issuer'],
  [alice.account, 'Alice'],
  [bob.account, 'Bob'],
  [carol.account, 'Carol'],
  [dave.account, 'Dave'],
]);

/** Block times: the story starts at T0; a month is 1/12 of the 365-day year, so 12 % APR is 1 % a month. */
export const T0 = 1_000_000;
export const MONTH = 2_628_000;
export const GRACE = 30;
export const DEFAULT_PERIOD = 120;
const LATER = T0 + 30 * 86_400;

// ---- the genesis -------------------------------------------------------------------------

export type Funds = readonly (readonly [KeyPair, string, bigint])[];

/** Alice and Carol hold dollars to lend; Bob holds collateral and a little cash for interest. */
export const LENDING_FUNDS: Funds = [
  [alice, 'USD', 10_000n * USD],
  [carol, 'USD', 10_000n * USD],
  [bob, 'USD', 100n * USD],
  [bob, 'COL', 1_000n * COL],
];

/** Alice alone, with 1,000 USD: enough for the refusals of a single transfer. */
export const ALICE_FUNDS: Funds = [[alice, 'USD', 1_000n * USD]];

export function market(funds: Funds = LENDING_FUNDS, params: Partial<NetworkParams> = {}): MarketGenesis {
  const base = testGenesis();
  return {
    ...base,
    params: { ...base.params, ...params },
    allocations: funds.map(([key, asset, amount]) => ({ account: key.account, asset, amount })),
  };
}

// ---- transactions and refusals ------------------------------------------------------------

/** Terms shared by most orders: three monthly installments. */
export const BULLET_3M = { asset: 'USD', term: 3 * MONTH, schedule: 'bullet', installments: 3 } as const;
export const AMORTIZING_3M = { asset: 'USD', term: 3 * MONTH, schedule: 'amortizing', installments: 3 } as const;

export type Terms = typeof BULLET_3M | typeof AMORTIZING_3M;

export interface OfferFields {
  amount: bigint;
  aprBps: number;
  minTicket?: bigint;
  maxTicket?: bigint;
  collateral?: { asset: string; ratioBps: number };
  terms?: Terms;
  expiresAt?: number;
}

/** A post-lend-offer body: three bullet months, tickets from 1 USD to the whole amount and a 30-day expiry unless stated. */
export function lendOffer(fields: OfferFields): Record<string, CanonicalValue> {
  return {
    ...(fields.terms ?? BULLET_3M),
    amount: fields.amount,
    minTicket: fields.minTicket ?? 1n * USD,
    maxTicket: fields.maxTicket ?? fields.amount,
    aprBps: fields.aprBps,
    ...(fields.collateral ? { collateral: fields.collateral } : {}),
    expiresAt: fields.expiresAt ?? LATER,
  };
}

export interface RequestFields {
  amount: bigint;
  maxAprBps: number;
  partial: boolean;
  collateral?: { asset: string; amount: bigint };
  terms?: Terms;
  expiresAt?: number;
}

/** A post-borrow-request body: three bullet months and a 30-day expiry unless stated. */
export function borrowRequest(fields: RequestFields): Record<string, CanonicalValue> {
  return {
    ...(fields.terms ?? BULLET_3M),
    amount: fields.amount,
    maxAprBps: fields.maxAprBps,
    partial: fields.partial,
    ...(fields.collateral ? { collateral: fields.collateral } : {}),
    expiresAt: fields.expiresAt ?? LATER,
  };
}

/** A refusal with no pre blocks: `wire` is sent at T0 on a chain where Alice alone holds money. */
export function firstBlockRefusal(name: string, description: string, code: RefusalCode, wire: (s: Scenario) => string): VectorCase {
  return refusal(name, description, market(ALICE_FUNDS), T0, code, wire);
}

/** Alice's signed transfer to Bob, 10 USD unless stated. */
export const transferToBob = (s: Scenario, amount: CanonicalValue = 10n * USD): string => s.sign(alice, 'transfer', { asset: 'USD', to: bob.account, amount });

// ---- loans to start from -------------------------------------------------------------------

/** Alice's 1,000 USD offer at 12 % taken whole by Bob at T0+100, against 500 COL. */
export function bulletLoan(s: Scenario, terms: Terms = BULLET_3M): number {
  s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 1_000n * USD, aprBps: 1200, collateral: { asset: 'COL', ratioBps: 5000 }, terms })));
  s.block(T0 + 100, s.sign(bob, 'take-offer', { orderId: 1, amount: 1_000n * USD }));
  return T0 + 100;
}

/** Bob's 900 USD request against 1,000 COL, funded 300 by Alice and 600 by Carol at T0+20. */
export function twoLenderLoan(s: Scenario): number {
  s.block(T0, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 900n * USD, maxAprBps: 1200, partial: false, collateral: { asset: 'COL', amount: 1_000n * COL } })));
  s.block(T0 + 10, s.sign(alice, 'fund-request', { orderId: 1, amount: 300n * USD }));
  s.block(T0 + 20, s.sign(carol, 'fund-request', { orderId: 1, amount: 600n * USD }));
  return T0 + 20;
}

// ---- stating figures -----------------------------------------------------------------------

export function eventsOf<T extends MarketEvent['type']>(events: readonly MarketEvent[], type: T): Extract<MarketEvent, { type: T }>[] {
  return events.filter((event): event is Extract<MarketEvent, { type: T }> => event.type === type);
}

/** Balances stated by hand, each as [account, asset, amount]; labelled e.g. "Alice USD". */
export function expectBalances(s: Scenario, ...expected: Funds): void {
  for (const [key, asset, amount] of expected) s.expect(`${NAMES.get(key.account) ?? key.account} ${asset}`, s.balance(key, asset), amount);
}
