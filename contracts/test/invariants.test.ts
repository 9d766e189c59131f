/**
 * Property tests of the market's invariants (DESIGN.md §4): random sequences of valid and
 * invalid transactions from many accounts, across blocks whose time advances by random
 * steps, fed as wire bytes through `processTransaction`, with every invariant checked after
 * every transaction and every end of block.
 *
 * A failure prints the fast-check seed; rerun it with INVARIANTS_SEED=<seed> (and
 * INVARIANTS_RUNS to change the number of sequences).
 *
 * Signatures: noble's ed25519 (the consensus rule) takes ~1–2 ms per signature here, which
 * would dominate the run. Ed25519 signing is deterministic, so the wires are signed with
 * node:crypto (a test below checks they are byte-identical to `signTransaction`'s), and
 * `processTransaction` is given a node:crypto verifier whose results are cached by
 * (key, message, signature), so replays cost nothing. Every tampered signature, and the
 * first honest wires of each run, are also checked against the consensus rule
 * `verifySignature`, which must agree.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCanonical, toHex, type CanonicalValue } from '../codec/canonical.js';
import type { RefusalCode } from '../errors.js';
import type { LenderPayment, MarketEvent } from '../events.js';
import { amountOwed } from '../loans/payments.js';
import { endBlock, genesisState, processTransaction, type TxOutcome } from '../machine.js';
import { MAX_AMOUNT } from '../money.js';
import type { Allocation, MarketGenesis } from '../params.js';
import { bucketOf } from '../state/book.js';
import { MarketState } from '../state/market-state.js';
import type { Loan, Order } from '../state/records.js';
import { encodeEnvelope, signBytes, signTransaction, type Transaction } from '../tx/envelope.js';
import { verifySignature, type KeyPair } from '../tx/keys.js';
import type { BlockContext } from '../txs/definition.js';
import { CHAIN_ID, testGenesis, testKey, testState, Wallets } from './fixtures.js';

// ---- keys and signatures ---------------------------------------------------------------

interface Actor {
  readonly key: KeyPair;
  readonly privateKey: KeyObject;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function actorOf(key: KeyPair): Actor {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, key.secretKey]), format: 'der', type: 'pkcs8' });
  return { key, privateKey };
}

const MAX_ACCOUNTS = 10;
const ACCOUNTS: readonly Actor[] = Array.from({ length: MAX_ACCOUNTS }, (_, i) => actorOf(testKey(`invariants-${i}`)));
const ISSUER: Actor = actorOf(testKey('issuer'));
/** An encoding of the identity point: small order, so never an acceptable account. */
const SMALL_ORDER_KEY = `01${'00'.repeat(31)}`;

type Body = CanonicalValue;

function unsignedTx(signer: Actor, nonce: bigint, type: string, body: Body, chainId = CHAIN_ID): Transaction<Body> {
  return { chainId, type, signer: signer.key.account, nonce, body };
}

function signWith(tx: Transaction<Body>, by: Actor): string {
  return toHex(cryptoSign(null, signBytes(tx), by.privateKey));
}

const publicKeys = new Map<string, KeyObject>();
const verified = new Map<string, boolean>();
let verifierCalls = 0;

/** node:crypto ed25519 verification, cached by (key, message, signature). */
function cachedVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  verifierCalls++;
  const keyHex = toHex(publicKey);
  const cacheKey = `${keyHex}|${toHex(signature)}|${Buffer.from(message).toString('latin1')}`;
  const known = verified.get(cacheKey);
  if (known !== undefined) return known;
  let keyObject = publicKeys.get(keyHex);
  if (!keyObject) {
    keyObject = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
    publicKeys.set(keyHex, keyObject);
  }
  const ok = signature.length === 64 && cryptoVerify(null, message, keyObject, signature);
  verified.set(cacheKey, ok);
  return ok;
}

// ---- small helpers ---------------------------------------------------------------------

function check(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new Error(message());
}

function canon(value: unknown): string {
  return encodeCanonical(value as CanonicalValue);
}

function pct(amount: bigint, percent: number): bigint {
  return (amount * BigInt(percent)) / 100n;
}

function atLeastOne(amount: bigint): bigint {
  return amount > 0n ? amount : 1n;
}

function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

// ---- the generated actions -------------------------------------------------------------

type Tamper = 'none' | 'nonceAhead' | 'nonceBehind' | 'wrongChain' | 'badSig' | 'otherSigner';
type AssetChoice = 'USD' | 'COL' | 'XYZ';

interface Terms {
  readonly asset: AssetChoice;
  readonly term: number;
  readonly schedule: 'amortizing' | 'bullet';
  readonly installments: number;
}

type Expiry = { readonly kind: 'soon' | 'far' | 'past'; readonly seconds: number };

type Action =
  | { readonly kind: 'advance'; readonly seconds: number }
  | { readonly kind: 'faucet'; readonly who: number; readonly asset: AssetChoice; readonly permille: number; readonly tamper: Tamper }
  | {
      readonly kind: 'mint';
      readonly byIssuer: boolean;
      readonly who: number;
      readonly to: number;
      readonly asset: AssetChoice;
      readonly amount: bigint;
      readonly badRecipient: boolean;
      readonly tamper: Tamper;
    }
  | { readonly kind: 'burn'; readonly byIssuer: boolean; readonly who: number; readonly asset: AssetChoice; readonly percent: number; readonly tamper: Tamper }
  | { readonly kind: 'transfer'; readonly who: number; readonly to: number; readonly asset: AssetChoice; readonly percent: number; readonly tamper: Tamper }
  | {
      readonly kind: 'lend';
      readonly who: number;
      readonly terms: Terms;
      readonly tiny: number | null;
      readonly percent: number;
      readonly minPercent: number;
      readonly maxPercent: number;
      readonly apr: number;
      readonly collateral: null | { readonly sameAsset: boolean; readonly ratioBps: number };
      readonly expiry: Expiry;
      readonly tamper: Tamper;
    }
  | {
      readonly kind: 'borrow';
      readonly who: number;
      readonly terms: Terms;
      readonly amount: bigint;
      readonly apr: number;
      readonly partial: boolean;
      readonly collateral: null | { readonly sameAsset: boolean; readonly percent: number };
      readonly expiry: Expiry;
      readonly tamper: Tamper;
    }
  | { readonly kind: 'cancel'; readonly who: number; readonly pick: number; readonly own: boolean; readonly tamper: Tamper }
  | { readonly kind: 'take'; readonly who: number; readonly pick: number; readonly mode: 'percent' | 'remaining' | 'min' | 'max' | 'over' | 'affordable'; readonly percent: number; readonly tamper: Tamper }
  | { readonly kind: 'fund'; readonly who: number; readonly pick: number; readonly mode: 'percent' | 'remaining' | 'over'; readonly percent: number; readonly tamper: Tamper }
  | { readonly kind: 'accept'; readonly who: number; readonly pick: number; readonly own: boolean; readonly tamper: Tamper }
  | {
      readonly kind: 'repay';
      readonly who: number;
      readonly pick: number;
      readonly byBorrower: boolean;
      readonly mode: 'next' | 'percent' | 'all' | 'over' | 'tiny';
      readonly percent: number;
      readonly tamper: Tamper;
    }
  | { readonly kind: 'prepay'; readonly who: number; readonly pick: number; readonly byBorrower: boolean; readonly tamper: Tamper }
  | { readonly kind: 'declareDefault'; readonly who: number; readonly pick: number; readonly tamper: Tamper }
  | { readonly kind: 'replay'; readonly pick: number }
  | { readonly kind: 'garbage'; readonly who: number; readonly variant: 'whitespace' | 'truncated' | 'unknownType' };

interface Scenario {
  readonly accounts: number;
  readonly allocations: readonly { readonly usd: bigint; readonly col: bigint }[];
  readonly actions: readonly Action[];
  /** Before which action a state is rebuilt with MarketState.fromRecords and run alongside. */
  readonly cut: number;
}

/** Terms most orders use, so that orders meet in the book; plus some the network refuses. */
const PRESET_TERMS: readonly Terms[] = [
  { asset: 'USD', term: 120, schedule: 'amortizing', installments: 4 },
  { asset: 'USD', term: 360, schedule: 'amortizing', installments: 12 },
  { asset: 'USD', term: 60, schedule: 'bullet', installments: 1 },
  { asset: 'USD', term: 180, schedule: 'bullet', installments: 3 },
  { asset: 'COL', term: 100, schedule: 'amortizing', installments: 2 },
  { asset: 'USD', term: 480, schedule: 'amortizing', installments: 48 },
];

const who = fc.nat({ max: 999 });
const percent = fc.integer({ min: 1, max: 120 });
const assetChoice: fc.Arbitrary<AssetChoice> = fc.oneof({ weight: 12, arbitrary: fc.constantFrom<AssetChoice>('USD', 'COL') }, { weight: 1, arbitrary: fc.constant<AssetChoice>('XYZ') });
const tamper: fc.Arbitrary<Tamper> = fc.oneof(
  { weight: 30, arbitrary: fc.constant<Tamper>('none') },
  { weight: 2, arbitrary: fc.constantFrom<Tamper>('nonceAhead', 'nonceBehind', 'wrongChain', 'badSig', 'otherSigner') },
);
const terms: fc.Arbitrary<Terms> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...PRESET_TERMS) },
  {
    weight: 3,
    arbitrary: fc
      .record({ asset: fc.constantFrom<AssetChoice>('USD', 'COL'), period: fc.integer({ min: 1, max: 120 }), n: fc.integer({ min: 1, max: 24 }), schedule: fc.constantFrom('amortizing' as const, 'bullet' as const) })
      .map(({ asset, period, n, schedule }) => ({ asset, term: period * n, schedule, installments: n })),
  },
  // refused: a term that does not divide into the installments, or below the minimum term
  { weight: 1, arbitrary: fc.constantFrom<Terms>({ asset: 'USD', term: 121, schedule: 'amortizing', installments: 4 }, { asset: 'USD', term: 30, schedule: 'bullet', installments: 1 }) },
);
const apr = fc.oneof(fc.constantFrom(0, 1, 500, 1200, 1200, 1800, 3000, 100_000), fc.integer({ min: 0, max: 100_000 }));
const expiry: fc.Arbitrary<Expiry> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('soon' as const), seconds: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('far' as const), seconds: fc.integer({ min: 100, max: 5_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('past' as const), seconds: fc.integer({ min: 0, max: 10 }) }) },
);
const smallOrHuge = fc.oneof(
  { weight: 8, arbitrary: fc.bigInt({ min: 1n, max: 10_000_000_000n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: MAX_AMOUNT }) },
);

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('advance' as const), seconds: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 10, max: 60 }), fc.integer({ min: 60, max: 300 })) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('faucet' as const), who, asset: assetChoice, permille: fc.integer({ min: 1, max: 1_050 }), tamper }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('mint' as const), byIssuer: fc.boolean(), who, to: who, asset: assetChoice, amount: smallOrHuge, badRecipient: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }), tamper }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('burn' as const), byIssuer: fc.boolean(), who, asset: assetChoice, percent, tamper }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('transfer' as const), who, to: who, asset: assetChoice, percent, tamper }) },
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('lend' as const),
      who,
      terms,
      tiny: fc.option(fc.integer({ min: 1, max: 2_000 }), { freq: 4 }),
      percent: fc.integer({ min: 1, max: 60 }),
      minPercent: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 10 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 60 }) }),
      maxPercent: fc.integer({ min: 5, max: 100 }),
      apr,
      collateral: fc.option(fc.record({ sameAsset: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }), ratioBps: fc.constantFrom(1, 5_000, 10_000, 15_000, 1_000_000) }), { freq: 2 }),
      expiry,
      tamper,
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('borrow' as const),
      who,
      terms,
      amount: fc.oneof(fc.bigInt({ min: 1n, max: 2_000n }), fc.bigInt({ min: 1_000_000n, max: 5_000_000_000n })),
      apr,
      partial: fc.boolean(),
      collateral: fc.option(fc.record({ sameAsset: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }), percent: fc.integer({ min: 1, max: 110 }) }), { freq: 3 }),
      expiry,
      tamper,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cancel' as const), who, pick: fc.nat(), own: fc.boolean(), tamper }) },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('take' as const),
      who,
      pick: fc.nat(),
      mode: fc.constantFrom('percent' as const, 'remaining' as const, 'min' as const, 'max' as const, 'over' as const, 'affordable' as const, 'affordable' as const),
      percent,
      tamper,
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('fund' as const),
      who,
      pick: fc.nat(),
      mode: fc.constantFrom('percent' as const, 'percent' as const, 'percent' as const, 'remaining' as const, 'over' as const),
      // mostly part of what is left, so that several lenders fund one request
      percent: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 5, max: 60 }) }, { weight: 1, arbitrary: percent }),
      tamper,
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('accept' as const), who, pick: fc.nat(), own: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), tamper }) },
  {
    weight: 14,
    arbitrary: fc.record({
      kind: fc.constant('repay' as const),
      who,
      pick: fc.nat(),
      byBorrower: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      mode: fc.constantFrom('next' as const, 'next' as const, 'percent' as const, 'all' as const, 'over' as const, 'tiny' as const),
      percent,
      tamper,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('prepay' as const), who, pick: fc.nat(), byBorrower: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), tamper }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('declareDefault' as const), who, pick: fc.nat(), tamper }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('garbage' as const), who, variant: fc.constantFrom('whitespace' as const, 'truncated' as const, 'unknownType' as const) }) },
);

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    accounts: fc.integer({ min: 6, max: MAX_ACCOUNTS }),
    allocations: fc.array(
      fc.record({
        usd: fc.oneof(fc.constant(0n), fc.bigInt({ min: 100_000_000n, max: 100_000_000_000n })),
        col: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1_000_000_000n, max: 50_000_000_000n })),
      }),
      { minLength: MAX_ACCOUNTS, maxLength: MAX_ACCOUNTS },
    ),
    actions: fc.array(action, { minLength: 40, maxLength: 120 }),
    cutFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ accounts, allocations, actions, cutFraction }) => ({ accounts, allocations, actions, cut: Math.floor(cutFraction * actions.length) }));

// ---- turning an action into wire bytes against the current state -----------------------

interface Planned {
  readonly wire: string;
  readonly type: string;
  /** The signer whose nonce the transaction uses. */
  readonly signer: Actor;
  /** The refusal this wire must get, when the generator knows it. */
  readonly expect?: RefusalCode;
  /** Whether to check the signature verdict against the consensus rule too. */
  readonly crossCheck: boolean;
}

interface RunContext {
  readonly state: MarketState;
  readonly actors: readonly Actor[];
  readonly time: number;
  readonly applied: readonly string[];
}

function openOrders(state: MarketState): Order[] {
  const out: Order[] = [];
  const next = state.counters().nextOrderId;
  for (let id = 1; id < next; id++) {
    const order = state.order(id);
    if (order) out.push(order);
  }
  return out;
}

function allLoans(state: MarketState): Loan[] {
  const out: Loan[] = [];
  const next = state.counters().nextLoanId;
  for (let id = 1; id < next; id++) {
    const loan = state.loan(id);
    if (loan) out.push(loan);
  }
  return out;
}

function actorFor(run: RunContext, index: number): Actor {
  return run.actors[index % run.actors.length] as Actor;
}

function actorOfAccount(run: RunContext, account: string): Actor | undefined {
  if (account === ISSUER.key.account) return ISSUER;
  return run.actors.find((a) => a.key.account === account);
}

/** Some order of `side`: usually an open one, sometimes an id that is closed or never was. */
function pickOrderId(run: RunContext, side: Order['side'], index: number): number {
  const open = openOrders(run.state).filter((o) => o.side === side);
  if (index % 10 === 9 || open.length === 0) return 1 + (index % (run.state.counters().nextOrderId + 1));
  return (pick(open, index) as Order).id;
}

function expiresAt(run: RunContext, e: Expiry): number {
  return e.kind === 'past' ? run.time - e.seconds : run.time + e.seconds;
}

function otherAsset(asset: AssetChoice): AssetChoice {
  return asset === 'USD' ? 'COL' : 'USD';
}

/** Signs `body` as `signer` with the account's next nonce, or a wire tampered as asked. */
function finish(run: RunContext, signer: Actor, type: string, body: Body, t: Tamper, expect?: RefusalCode): Planned {
  const nonce = run.state.account(signer.key.account).nonce;
  switch (t) {
    case 'none': {
      const tx = unsignedTx(signer, nonce, type, body);
      return { wire: encodeEnvelope(tx, signWith(tx, signer)), type, signer, crossCheck: run.applied.length < 3, ...(expect ? { expect } : {}) };
    }
    case 'nonceAhead':
    case 'nonceBehind': {
      const wrong = t === 'nonceAhead' || nonce === 0n ? nonce + 1n + BigInt(run.applied.length % 3) : nonce - 1n;
      const tx = unsignedTx(signer, wrong, type, body);
      return { wire: encodeEnvelope(tx, signWith(tx, signer)), type, signer, expect: expect ?? 'BAD_NONCE', crossCheck: false };
    }
    case 'wrongChain': {
      const tx = unsignedTx(signer, nonce, type, body, 'lendnet-other');
      return { wire: encodeEnvelope(tx, signWith(tx, signer)), type, signer, expect: expect ?? 'WRONG_CHAIN', crossCheck: false };
    }
    case 'badSig': {
      const tx = unsignedTx(signer, nonce, type, body);
      const signature = signWith(tx, signer);
      const at = run.applied.length % 128;
      const flipped = `${signature.slice(0, at)}${signature[at] === '0' ? '1' : '0'}${signature.slice(at + 1)}`;
      return { wire: encodeEnvelope(tx, flipped), type, signer, expect: expect ?? 'BAD_SIGNATURE', crossCheck: true };
    }
    case 'otherSigner': {
      const tx = unsignedTx(signer, nonce, type, body);
      const impostor = signer === ISSUER ? (run.actors[0] as Actor) : ISSUER;
      return { wire: encodeEnvelope(tx, signWith(tx, impostor)), type, signer, expect: expect ?? 'BAD_SIGNATURE', crossCheck: true };
    }
  }
}

function plan(run: RunContext, a: Exclude<Action, { kind: 'advance' }>): Planned {
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
        asset: a.terms.asset,
        term: a.terms.term,
        schedule: a.terms.schedule,
        installments: a.terms.installments,
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
      const body: Record<string, Body> = {
        asset: a.terms.asset,
        term: a.terms.term,
        schedule: a.terms.schedule,
        installments: a.terms.installments,
        amount: a.amount,
        maxAprBps: a.apr,
        partial: a.partial,
        expiresAt: expiresAt(run, a.expiry),
      };
      if (a.collateral) {
        const asset = a.collateral.sameAsset ? a.terms.asset : otherAsset(a.terms.asset);
        body.collateral = { asset, amount: atLeastOne(pct(state.balance(signer.key.account, asset), a.collateral.percent)) };
      }
      return finish(run, signer, 'post-borrow-request', body, a.tamper);
    }
    case 'cancel': {
      const orders = openOrders(state);
      const order = pick(orders, a.pick);
      const owner = a.own && order ? actorOfAccount(run, order.owner) : undefined;
      const signer = owner ?? actorFor(run, a.who);
      const orderId = order ? order.id : 1 + (a.pick % 5);
      return finish(run, signer, 'cancel-order', { orderId }, a.tamper);
    }
    case 'take': {
      const orderId = pickOrderId(run, 'lend', a.pick);
      const offer = state.order(orderId);
      const signer = actorFor(run, a.who);
      let amount = 1n;
      if (offer && offer.side === 'lend') {
        switch (a.mode) {
          case 'percent':
            amount = pct(offer.remaining, a.percent);
            break;
          case 'remaining':
            amount = offer.remaining;
            break;
          case 'min':
            amount = offer.minTicket;
            break;
          case 'max':
            amount = offer.maxTicket;
            break;
          case 'over':
            amount = offer.remaining + 1n;
            break;
          case 'affordable': {
            // as much as the borrower's collateral covers, within the ticket range
            amount = offer.maxTicket < offer.remaining ? offer.maxTicket : offer.remaining;
            if (offer.collateral) {
              const principalDecimals = BigInt(state.requireAsset(offer.asset).decimals);
              const collateralDecimals = BigInt(state.requireAsset(offer.collateral.asset).decimals);
              const held = state.balance(signer.key.account, offer.collateral.asset);
              const covered = (held * 10_000n * 10n ** principalDecimals) / (BigInt(offer.collateral.ratioBps) * 10n ** collateralDecimals);
              if (covered < amount) amount = covered;
            }
            break;
          }
        }
      }
      return finish(run, signer, 'take-offer', { orderId, amount: atLeastOne(amount) }, a.tamper);
    }
    case 'fund': {
      // half the time a request that lenders have already begun to fund, so that loans get several lenders
      const begun = openOrders(state).filter((o) => o.side === 'borrow' && o.commitments.length > 0);
      const orderId = a.pick % 2 === 0 && begun.length > 0 ? (pick(begun, a.pick >> 1) as Order).id : pickOrderId(run, 'borrow', a.pick);
      const request = state.order(orderId);
      const signer = actorFor(run, a.who);
      let amount = 1n;
      if (request && request.side === 'borrow') {
        amount = a.mode === 'remaining' ? request.remaining : a.mode === 'over' ? request.remaining + 1n : pct(request.remaining, a.percent);
        const held = state.balance(signer.key.account, request.asset);
        if (a.mode === 'percent' && amount > held && held > 0n) amount = held;
      }
      return finish(run, signer, 'fund-request', { orderId, amount: atLeastOne(amount) }, a.tamper);
    }
    case 'accept': {
      // mostly a request some lender has funded, which its owner may accept if it allows partial funding
      const funded = openOrders(state).filter((o) => o.side === 'borrow' && o.commitments.length > 0);
      const orderId = a.own && funded.length > 0 ? (pick(funded, a.pick) as Order).id : pickOrderId(run, 'borrow', a.pick);
      const request = state.order(orderId);
      const owner = a.own && request ? actorOfAccount(run, request.owner) : undefined;
      return finish(run, owner ?? actorFor(run, a.who), 'accept-funding', { orderId }, a.tamper);
    }
    case 'repay':
    case 'prepay':
    case 'declareDefault': {
      const loans = allLoans(state);
      const active = loans.filter((l) => l.status === 'active');
      const { defaultPeriod } = state.params();
      const overdue = active.filter((l) => (l.plan[l.paidInstallments] as Loan['plan'][number]).due + defaultPeriod <= run.time);
      const loan =
        a.pick % 8 === 7 ? pick(loans, a.pick) : a.kind === 'declareDefault' && overdue.length > 0 ? pick(overdue, a.pick) : (pick(active, a.pick) ?? pick(loans, a.pick));
      const loanId = loan ? loan.id : 1 + (a.pick % 3);
      const borrower = loan && a.kind !== 'declareDefault' && a.byBorrower ? actorOfAccount(run, loan.borrower) : undefined;
      const signer = borrower ?? actorFor(run, a.who);
      if (a.kind === 'prepay') return finish(run, signer, 'prepay', { loanId }, a.tamper);
      if (a.kind === 'declareDefault') return finish(run, signer, 'declare-default', { loanId }, a.tamper);
      let amount = 1n;
      if (loan) {
        const owed = amountOwed(loan);
        const current = loan.plan[loan.paidInstallments];
        const next = loan.lateFeeOwed + (current ? current.interest + current.principal - loan.paidInterest - loan.paidPrincipal : 0n);
        amount = a.mode === 'next' ? next : a.mode === 'percent' ? pct(owed, a.percent) : a.mode === 'all' ? owed : a.mode === 'over' ? owed + 1n + BigInt(a.percent) : BigInt(a.percent % 10);
      }
      return finish(run, signer, 'repay', { loanId, amount: atLeastOne(amount) }, a.tamper);
    }
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

// ---- the invariants --------------------------------------------------------------------

interface Snapshot {
  readonly canonical: string;
  readonly balances: Map<string, bigint>;
}

function snapshot(state: MarketState): Snapshot {
  const entries = state.entries();
  const balances = new Map<string, bigint>();
  for (const [key, value] of entries) if (key.startsWith('balance/')) balances.set(key, value as bigint);
  return { canonical: canon(entries), balances };
}

function amountInRange(value: bigint, what: string): void {
  check(value >= 0n && value <= MAX_AMOUNT, () => `${what} is out of range: ${value}`);
}

/** minted − burned = Σ balances + Σ escrows per asset; every balance and escrow within range. */
function checkSupply(state: MarketState): void {
  const held = new Map<string, bigint>();
  const add = (asset: string, amount: bigint, what: string) => {
    amountInRange(amount, what);
    held.set(asset, (held.get(asset) ?? 0n) + amount);
  };
  const assets: { id: string; supply: bigint }[] = [];
  for (const [key, value] of state.entries()) {
    if (key.startsWith('balance/')) {
      const asset = key.slice(key.lastIndexOf('/') + 1);
      const balance = value as bigint;
      check(balance > 0n, () => `${key} is stored as ${balance}; zero balances are deleted and none may be negative`);
      add(asset, balance, key);
    } else if (key.startsWith('order/')) {
      const order = value as Order;
      check(order.remaining > 0n && order.remaining <= order.amount, () => `${key} has remaining ${order.remaining} of ${order.amount}`);
      if (order.side === 'lend') add(order.asset, order.remaining, `${key}.remaining`);
      else {
        for (const c of order.commitments) add(order.asset, c.amount, `${key} commitment`);
        if (order.collateral) add(order.collateral.asset, order.collateral.remaining, `${key}.collateral.remaining`);
      }
    } else if (key.startsWith('loan/')) {
      const loan = value as Loan;
      if (loan.status === 'active' && loan.collateral) add(loan.collateral.asset, loan.collateral.amount, `${key}.collateral`);
      if (loan.status === 'active') {
        // `paidInstallments` is the first installment not fully paid: an active loan owes something on it.
        const current = loan.plan[loan.paidInstallments];
        check(
          current !== undefined && current.interest + current.principal > loan.paidInterest + loan.paidPrincipal,
          () => `${key} is active but its installment ${loan.paidInstallments} owes nothing (plan ${canon(loan.plan.map((p) => [p.interest, p.principal]))}, owed ${amountOwed(loan)})`,
        );
      }
      for (const [i, installment] of loan.plan.entries()) {
        check(installment.interest >= 0n && installment.principal >= 0n, () => `${key} installment ${i} is negative`);
      }
      const scheduled = loan.plan.reduce((sum, p) => sum + p.interest + p.principal, 0n);
      amountInRange(scheduled + loan.lateFeeOwed, `${key} schedule and late fees`);
      check(loan.totalPaid.principal <= loan.principal, () => `${key} was paid ${loan.totalPaid.principal} of principal ${loan.principal}`);
      if (loan.status === 'repaid') check(loan.totalPaid.principal === loan.principal, () => `${key} is repaid with ${loan.totalPaid.principal} of ${loan.principal} paid`);
    } else if (key.startsWith('asset/')) {
      const asset = value as { id: string; minted: bigint; burned: bigint };
      assets.push({ id: asset.id, supply: asset.minted - asset.burned });
    }
  }
  for (const { id, supply } of assets) {
    amountInRange(supply, `${id} supply`);
    check((held.get(id) ?? 0n) === supply, () => `${id}: minted − burned = ${supply} but balances + escrows = ${held.get(id) ?? 0n}`);
  }
}

/** Each credit record follows from the loans in the ledger. */
function checkCredit(state: MarketState, accounts: readonly Actor[]): void {
  const loans = allLoans(state);
  for (const { key } of [...accounts, ISSUER]) {
    const mine = loans.filter((l) => l.borrower === key.account);
    const expected = {
      loansTaken: mine.length,
      loansRepaid: mine.filter((l) => l.status === 'repaid').length,
      repaidOnTime: mine.filter((l) => l.status === 'repaid' && l.lateInstallments === 0).length,
      latePayments: mine.reduce((sum, l) => sum + l.lateInstallments, 0),
      defaults: mine.filter((l) => l.status === 'defaulted').length,
    };
    check(canon(state.credit(key.account)) === canon(expected), () => `credit of ${key.account.slice(0, 8)} is ${canon(state.credit(key.account))}, the loans say ${canon(expected)}`);
  }
}

/** The book the state keeps equals the book a state rebuilt from its records derives. */
function checkBook(state: MarketState): void {
  const rebuilt = MarketState.fromRecords(state.entries());
  const buckets = new Set(openOrders(state).map((o) => bucketOf(o)));
  for (const bucket of buckets) {
    for (const side of ['lend', 'borrow'] as const) {
      const live = state.book.ranked(bucket, side);
      check(canon(live) === canon(rebuilt.book.ranked(bucket, side)), () => `book ${bucket}/${side} differs from its rebuild`);
      const open = openOrders(state).filter((o) => o.side === side && bucketOf(o) === bucket);
      check(live.length === open.length, () => `book ${bucket}/${side} lists ${live.length} orders, state has ${open.length}`);
    }
  }
}

/**
 * What the borrower paid is what the lenders got: per repayment event the lenders' parts
 * sum to the event's late fees, interest and principal, and the balances of the loan's
 * asset moved by exactly those amounts (payer down by the total, each lender up by its part).
 */
function checkRepayments(state: MarketState, events: readonly MarketEvent[], before: Snapshot, after: Snapshot, paidByLoan: Map<number, Loan['totalPaid']>): void {
  const expected = new Map<string, bigint>();
  const assets = new Set<string>();
  const add = (account: string, asset: string, delta: bigint) => {
    const key = `balance/${account}/${asset}`;
    expected.set(key, (expected.get(key) ?? 0n) + delta);
  };
  for (const event of events) {
    if (event.type !== 'repayment') continue;
    const loan = state.loan(event.loanId) as Loan;
    assets.add(loan.asset);
    for (const part of [event.lateFees, event.interest, event.principal, event.interestWaived]) check(part >= 0n, () => `repayment on loan ${loan.id} has a negative part`);
    const sum = (f: (p: LenderPayment) => bigint) => event.lenders.reduce((s, p) => s + f(p), 0n);
    check(sum((p) => p.lateFees) === event.lateFees, () => `loan ${loan.id}: lenders' late fees ≠ paid late fees`);
    check(sum((p) => p.interest) === event.interest, () => `loan ${loan.id}: lenders' interest ≠ paid interest`);
    check(sum((p) => p.principal) === event.principal, () => `loan ${loan.id}: lenders' principal ≠ paid principal`);
    const total = event.lateFees + event.interest + event.principal;
    add(event.payer, loan.asset, -total);
    for (const p of event.lenders) {
      check(p.lateFees >= 0n && p.interest >= 0n && p.principal >= 0n, () => `loan ${loan.id}: negative lender part`);
      add(p.lender, loan.asset, p.lateFees + p.interest + p.principal);
    }
    const sofar = paidByLoan.get(loan.id) ?? { lateFees: 0n, interest: 0n, principal: 0n };
    paidByLoan.set(loan.id, { lateFees: sofar.lateFees + event.lateFees, interest: sofar.interest + event.interest, principal: sofar.principal + event.principal });
  }
  if (assets.size === 0) return;
  const keys = new Set([...before.balances.keys(), ...after.balances.keys(), ...expected.keys()]);
  for (const key of keys) {
    if (!assets.has(key.slice(key.lastIndexOf('/') + 1))) continue;
    const actual = (after.balances.get(key) ?? 0n) - (before.balances.get(key) ?? 0n);
    check(actual === (expected.get(key) ?? 0n), () => `${key} moved by ${actual}, the repayments say ${expected.get(key) ?? 0n}`);
  }
}

/**
 * The time-driven rules fired only when due and only on money owed: an installment made late
 * had something unpaid and was past due plus grace; a defaulted loan's first unpaid
 * installment was past due plus the default period. `before` is each loan as it was.
 */
function checkTimeEvents(state: MarketState, before: ReadonlyMap<number, Loan>, events: readonly MarketEvent[], time: number): void {
  const { gracePeriod, defaultPeriod } = state.params();
  for (const event of events) {
    if (event.type !== 'installmentLate' && event.type !== 'loanDefaulted') continue;
    const loan = before.get(event.loanId);
    check(loan !== undefined && loan.status === 'active', () => `${event.type} on loan ${event.loanId}, which was not active`);
    const index = event.type === 'installmentLate' ? event.installment : loan.paidInstallments;
    const installment = loan.plan[index];
    check(installment !== undefined && index >= loan.paidInstallments, () => `${event.type} on loan ${loan.id} names installment ${index}, already paid`);
    const paid = index === loan.paidInstallments ? loan.paidInterest + loan.paidPrincipal : 0n;
    check(installment.interest + installment.principal > paid, () => `${event.type} on loan ${loan.id} for installment ${index}, which owes nothing`);
    const at = installment.due + (event.type === 'installmentLate' ? gracePeriod : defaultPeriod);
    check(at <= time, () => `${event.type} on loan ${loan.id} at ${time}, before its time ${at}`);
  }
}

/** After the end of a block at `time`, nothing the end-of-block rules should have done is left undone. */
function checkNothingOverdue(state: MarketState, time: number): void {
  const { gracePeriod, defaultPeriod } = state.params();
  for (const order of openOrders(state)) check(order.expiresAt > time, () => `order ${order.id} expired at ${order.expiresAt} but is open at ${time}`);
  for (const loan of allLoans(state)) {
    if (loan.status !== 'active') continue;
    const due = loan.plan.filter((p) => p.due + gracePeriod <= time).length;
    check(loan.lateChecks === due, () => `loan ${loan.id} has ${loan.lateChecks} late checks at ${time}, ${due} installments are past grace`);
    const current = loan.plan[loan.paidInstallments] as Loan['plan'][number];
    check(current.due + defaultPeriod > time, () => `loan ${loan.id} is past its default time ${current.due + defaultPeriod} at ${time} and still active`);
  }
}

function loansById(state: MarketState): Map<number, Loan> {
  return new Map(allLoans(state).map((l) => [l.id, l]));
}

function checkTotals(state: MarketState, paidByLoan: Map<number, Loan['totalPaid']>): void {
  for (const loan of allLoans(state)) {
    const paid = paidByLoan.get(loan.id) ?? { lateFees: 0n, interest: 0n, principal: 0n };
    check(canon(paid) === canon(loan.totalPaid), () => `loan ${loan.id} totalPaid ${canon(loan.totalPaid)} but its repayments sum to ${canon(paid)}`);
  }
}

function outcomeKey(outcome: TxOutcome): string {
  return outcome.ok ? `ok ${outcome.id} ${canon(outcome.events)}` : `refused ${outcome.refusal.code} ${outcome.id ?? ''}`;
}

// ---- one run -------------------------------------------------------------------------

interface Block {
  readonly ctx: BlockContext;
  readonly wires: string[];
  readonly outcomes: string[];
  endEvents?: string;
}

interface Stats {
  runs: number;
  steps: number;
  applied: Map<string, number>;
  refused: Map<string, number>;
  events: Map<string, number>;
}

const stats: Stats = { runs: 0, steps: 0, applied: new Map(), refused: new Map(), events: new Map() };

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function genesisOf(sc: Scenario, actors: readonly Actor[]): MarketGenesis {
  const allocations: Allocation[] = [];
  actors.forEach((actor, i) => {
    const a = sc.allocations[i];
    if (a && a.usd > 0n) allocations.push({ account: actor.key.account, asset: 'USD', amount: a.usd });
    if (a && a.col > 0n) allocations.push({ account: actor.key.account, asset: 'COL', amount: a.col });
  });
  // The issuer holds some of each asset too: it burns from its own balance, and lends and borrows like anyone.
  allocations.push({ account: ISSUER.key.account, asset: 'USD', amount: 50_000_000_000n }, { account: ISSUER.key.account, asset: 'COL', amount: 20_000_000_000n });
  return testGenesis({ allocations });
}

function runScenario(sc: Scenario): void {
  verified.clear(); // only this run's wires are replayed
  const actors = ACCOUNTS.slice(0, sc.accounts);
  const everyone = [...actors, ISSUER];
  const genesis = genesisOf(sc, actors);
  const state = genesisState(genesis);
  const blocks: Block[] = [];
  const applied: string[] = [];
  const appliedCount = new Map<string, bigint>();
  const paidByLoan = new Map<number, Loan['totalPaid']>();
  let block: Block = { ctx: { height: 1, time: 1_000 }, wires: [], outcomes: [] };
  let rebuilt: MarketState | undefined;
  let last: Snapshot | undefined;

  const closeBlock = () => {
    const nonces = everyone.map((a) => state.account(a.key.account).nonce);
    const loansBefore = loansById(state);
    const events = endBlock(state, block.ctx);
    checkTimeEvents(state, loansBefore, events, block.ctx.time);
    checkNothingOverdue(state, block.ctx.time);
    for (const event of events) bump(stats.events, event.type);
    for (const event of events) {
      check(['balance', 'orderClosed', 'installmentLate', 'loanDefaulted', 'creditChanged'].includes(event.type), () => `end of block emitted a ${event.type} event`);
    }
    check(canon(everyone.map((a) => state.account(a.key.account).nonce)) === canon(nonces), () => 'end of block changed a nonce');
    block.endEvents = canon(events);
    if (rebuilt) {
      const again = canon(endBlock(rebuilt, block.ctx));
      check(again === block.endEvents, () => `end of block ${block.ctx.height}: the rebuilt state emitted other events`);
    }
    checkSupply(state);
    checkCredit(state, actors);
    checkBook(state);
    checkTotals(state, paidByLoan);
    blocks.push(block);
    last = undefined;
  };

  for (let i = 0; i < sc.actions.length; i++) {
    if (i === sc.cut) rebuilt = MarketState.fromRecords(state.entries());
    const a = sc.actions[i] as Action;
    if (a.kind === 'advance') {
      closeBlock();
      block = { ctx: { height: block.ctx.height + 1, time: block.ctx.time + a.seconds }, wires: [], outcomes: [] };
      continue;
    }
    stats.steps++;
    const planned = plan({ state, actors, time: block.ctx.time, applied }, a);
    // Only the end of a block changes the state between two steps, and it clears `last`.
    const before = last ?? snapshot(state);
    const loansBefore = loansById(state);
    const outcome = processTransaction(state, block.ctx, planned.wire, cachedVerify);
    const after = snapshot(state);
    last = after;
    block.wires.push(planned.wire);
    block.outcomes.push(outcomeKey(outcome));

    if (planned.crossCheck) {
      const decoded = JSON.parse(planned.wire) as { body: Body; chainId: string; nonce: string; signature: string; signer: string; type: string };
      const tx: Transaction<Body> = { chainId: decoded.chainId, type: decoded.type, signer: decoded.signer, nonce: BigInt(decoded.nonce), body: decoded.body };
      const consensus = verifySignature(Buffer.from(decoded.signer, 'hex'), signBytes(tx), Buffer.from(decoded.signature, 'hex'));
      check(consensus === (planned.expect !== 'BAD_SIGNATURE'), () => `the consensus rule says ${consensus} for a ${planned.expect ?? 'valid'} signature`);
    }

    if (outcome.ok) {
      bump(stats.applied, planned.type);
      for (const event of outcome.events) {
        bump(stats.events, event.type);
        if (event.type === 'loanOriginated' && event.loan.shares.length > 1) bump(stats.events, 'loanOriginated(several lenders)');
        if (event.type === 'repayment' && event.prepay) bump(stats.events, 'repayment(prepay)');
      }
      check(planned.expect === undefined, () => `${planned.type} should have been refused with ${planned.expect}, but applied`);
      const signer = planned.signer.key.account;
      const count = (appliedCount.get(signer) ?? 0n) + 1n;
      appliedCount.set(signer, count);
      applied.push(planned.wire);
      check(before.canonical !== after.canonical, () => `applied ${planned.type} changed nothing`);
      checkRepayments(state, outcome.events, before, after, paidByLoan);
      checkTimeEvents(state, loansBefore, outcome.events, block.ctx.time);
    } else {
      bump(stats.refused, `${planned.type}:${outcome.refusal.code}`);
      if (planned.expect) check(outcome.refusal.code === planned.expect, () => `${planned.type} was refused with ${outcome.refusal.code}, expected ${planned.expect}`);
      check(before.canonical === after.canonical, () => `refused ${planned.type} (${outcome.refusal.code}) changed the state`);
    }
    // A signed transaction is never applied twice: every account's nonce counts its applied txs.
    for (const { key } of everyone) {
      const nonce = state.account(key.account).nonce;
      check(nonce === (appliedCount.get(key.account) ?? 0n), () => `${key.account.slice(0, 8)} has nonce ${nonce} after ${appliedCount.get(key.account) ?? 0n} applied txs`);
    }
    checkSupply(state);

    if (rebuilt) {
      const again = processTransaction(rebuilt, block.ctx, planned.wire, cachedVerify);
      check(outcomeKey(again) === outcomeKey(outcome), () => `step ${i}: the rebuilt state gave ${outcomeKey(again).slice(0, 200)}, the original ${outcomeKey(outcome).slice(0, 200)}`);
    }
  }
  closeBlock();
  rebuilt ??= MarketState.fromRecords(state.entries());

  const final = canon(state.entries());
  check(canon(rebuilt.entries()) === final, () => `the state rebuilt at step ${sc.cut} ended elsewhere than the original`);

  // Replaying the same blocks from genesis gives the same outcomes and the same state.
  const replay = genesisState(genesis);
  for (const b of blocks) {
    b.wires.forEach((wire, i) => {
      const outcome = outcomeKey(processTransaction(replay, b.ctx, wire, cachedVerify));
      check(outcome === b.outcomes[i], () => `replay of block ${b.ctx.height} tx ${i} gave another outcome`);
    });
    check(canon(endBlock(replay, b.ctx)) === b.endEvents, () => `replay of end of block ${b.ctx.height} gave other events`);
  }
  check(canon(replay.entries()) === final, () => 'replaying the blocks from genesis gave another state');
  checkTotals(state, paidByLoan);
  stats.runs++;
}

// ---- the tests -----------------------------------------------------------------------

const SEED = process.env.INVARIANTS_SEED ? Number(process.env.INVARIANTS_SEED) : Date.now() % 2 ** 31;
const RUNS = process.env.INVARIANTS_RUNS ? Number(process.env.INVARIANTS_RUNS) : 150;

describe('market invariants under random transaction sequences', () => {
  it('signs wires byte-identical to signTransaction, and the verifier agrees with the consensus rule', () => {
    for (const [i, actor] of [...ACCOUNTS, ISSUER].entries()) {
      const body = { asset: 'USD', to: ISSUER.key.account, amount: BigInt(i + 1) };
      const tx = unsignedTx(actor, BigInt(i), 'transfer', body);
      const wire = encodeEnvelope(tx, signWith(tx, actor));
      expect(wire).toBe(signTransaction(tx, actor.key.secretKey).encoded);
      expect(cachedVerify(actor.key.publicKey, signBytes(tx), Buffer.from(signWith(tx, actor), 'hex'))).toBe(true);
      expect(cachedVerify(actor.key.publicKey, signBytes({ ...tx, nonce: tx.nonce + 1n }), Buffer.from(signWith(tx, actor), 'hex'))).toBe(false);
    }
  });

  it(`hold after every step (seed ${SEED}, ${RUNS} runs)`, () => {
    const started = performance.now();
    try {
      fc.assert(
        fc.property(scenario, (sc) => {
          runScenario(sc);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const cause = error instanceof Error && error.cause instanceof Error ? `\ncaused by: ${error.cause.message}` : '';
      throw new Error(`invariants failed; reproduce with INVARIANTS_SEED=${SEED}${cause}\n${message}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const top = (m: Map<string, number>) => [...m.entries()].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(
      `invariants: seed ${SEED}, ${stats.runs} runs, ${stats.steps} txs in ${seconds.toFixed(1)} s (verifier calls ${verifierCalls})\n` +
        `  applied: ${top(stats.applied)}\n  events: ${top(stats.events)}\n  refused: ${top(stats.refused)}`,
    );
    // The mix must exercise the market, not only its refusals (checked on full-size runs only).
    if (RUNS < 100) return;
    for (const type of ['loanOriginated', 'loanOriginated(several lenders)', 'repayment', 'loanRepaid', 'loanDefaulted', 'installmentLate', 'committed', 'orderClosed']) {
      expect(stats.events.get(type) ?? 0, `no ${type} events in ${stats.runs} runs`).toBeGreaterThan(0);
    }
    for (const type of ['take-offer', 'fund-request', 'accept-funding', 'repay', 'prepay', 'cancel-order', 'declare-default', 'mint', 'burn']) {
      expect(stats.applied.get(type) ?? 0, `no ${type} applied in ${stats.runs} runs`).toBeGreaterThan(0);
    }
  });
});

/**
 * Regressions the property test found: a tiny loan's schedule can hold installments of zero
 * (6 units at 0 % over 4 pays 2, 2, 2, 0; 1 unit pays 0, 0, 0, 1). They owe nothing, so they
 * count as paid when reached (docs/protocol.md §9.7) and never fall late or default a loan.
 */
describe('installments of zero', () => {
  function tinyLoan(principal: bigint, installments: number) {
    const state = testState();
    const wallets = new Wallets();
    const lender = testKey('zero-lender');
    const borrower = testKey('zero-borrower');
    let time = 1_000;
    const run = (tx: { encoded: string }) => {
      const out = processTransaction(state, { height: 1, time }, tx.encoded);
      if (!out.ok) throw out.refusal;
      return out.events;
    };
    run(wallets.sign(lender, 'faucet', { asset: 'USD', amount: 1_000n }));
    run(wallets.sign(borrower, 'faucet', { asset: 'USD', amount: 1_000n }));
    run(wallets.sign(lender, 'post-lend-offer', {
      asset: 'USD', amount: principal, minTicket: 1n, maxTicket: principal, aprBps: 0,
      term: 60 * installments, schedule: 'amortizing', installments, expiresAt: 100_000,
    }));
    run(wallets.sign(borrower, 'take-offer', { orderId: 1, amount: principal }));
    const at = (t: number) => {
      time = t;
      return endBlock(state, { height: 2, time });
    };
    return { state, run, at, repay: (amount: bigint) => run(wallets.sign(borrower, 'repay', { loanId: 1, amount })), borrower: borrower.account };
  }

  it('closes a loan whose last installment is zero when the others are paid', () => {
    const { state, repay, at, borrower } = tinyLoan(6n, 4);
    expect(state.loan(1)!.plan.map((p) => p.principal)).toEqual([2n, 2n, 2n, 0n]);
    repay(6n);
    expect(state.loan(1)!.status).toBe('repaid');
    at(10_000);
    expect(state.credit(borrower)).toMatchObject({ loansRepaid: 1, repaidOnTime: 1, latePayments: 0, defaults: 0 });
  });

  it('counts leading zeros as paid from origination, so nothing is late before the first real due date', () => {
    const { state, repay, at, borrower } = tinyLoan(1n, 4); // 0, 0, 0, 1 due at 1060 … 1240
    expect(state.loan(1)!.paidInstallments).toBe(3);
    expect(at(1_200).filter((e) => e.type === 'installmentLate' || e.type === 'loanDefaulted')).toEqual([]);
    expect(state.loan(1)!.status).toBe('active');
    repay(1n);
    expect(state.loan(1)!.status).toBe('repaid');
    expect(state.credit(borrower)).toMatchObject({ repaidOnTime: 1, latePayments: 0 });
  });

  it('never makes a zero installment late behind an unpaid one', () => {
    const { state, at, borrower } = tinyLoan(1n, 2); // 1, 0 due at 1060 and 1120
    expect(state.loan(1)!.plan.map((p) => p.principal)).toEqual([1n, 0n]);
    at(1_150); // past grace of both: only the first is late
    expect(state.loan(1)!.lateInstallments).toBe(1);
    at(1_180); // the first installment's default time
    expect(state.loan(1)!.status).toBe('defaulted');
    expect(state.credit(borrower)).toMatchObject({ latePayments: 1, defaults: 1 });
  });
});
