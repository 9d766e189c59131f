/**
 * Writes the contract vectors (`npm run vectors`): every case below is run with the real
 * market rules and saved as `contracts/test/vectors/<topic>.json` for the one runner
 * (vectors.test.ts) and for anyone re-implementing the rules. Each case also states, by
 * hand, the figures it is about; the generator asserts them before writing anything, so a
 * wrong rule fails here instead of becoming a vector.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { CanonicalValue } from '../codec/canonical.js';
import { REFUSAL_CODES, type RefusalCode } from '../errors.js';
import type { MarketEvent } from '../events.js';
import { endBlock, genesisState, processTransaction } from '../machine.js';
import { MAX_AMOUNT } from '../money.js';
import type { MarketGenesis, NetworkParams } from '../params.js';
import type { MarketState } from '../state/market-state.js';
import type { CreditRecord, Loan, Order } from '../state/records.js';
import { encodeEnvelope, signTransaction } from '../tx/envelope.js';
import type { KeyPair } from '../tx/keys.js';
import { TX_DEFINITIONS } from '../txs/registry.js';
import { CHAIN_ID, testGenesis, testKey } from './fixtures.js';
import {
  coverageOf,
  eventsJson,
  formatVectorJson,
  genesisToJson,
  type Json,
  parseVectorFile,
  type PreBlock,
  replayCase,
  stateSnapshot,
  type VectorCase,
  type VectorStep,
} from './vector-format.js';

// ---- the cast --------------------------------------------------------------------------

/** One dollar and one collateral token, in minor units (USD has 6 decimals, COL 8). */
const USD = 1_000_000n;
const COL = 100_000_000n;

const issuer = testKey('issuer');
const alice = testKey('alice'); // a lender
const bob = testKey('bob'); // a borrower
const carol = testKey('carol'); // a second lender
const dave = testKey('dave'); // a bystander

/** Block times: the story starts at T0; a month is 1/12 of the 365-day year, so 12 % APR is 1 % a month. */
const T0 = 1_000_000;
const MONTH = 2_628_000;
const GRACE = 30;
const DEFAULT_PERIOD = 120;
const LATER = T0 + 30 * 86_400;

type Funds = readonly (readonly [KeyPair, string, bigint])[];

/** Alice and Carol hold dollars to lend; Bob holds collateral and a little cash for interest. */
const LENDING_FUNDS: Funds = [
  [alice, 'USD', 10_000n * USD],
  [carol, 'USD', 10_000n * USD],
  [bob, 'USD', 100n * USD],
  [bob, 'COL', 1_000n * COL],
];

function market(funds: Funds = LENDING_FUNDS, params: Partial<NetworkParams> = {}): MarketGenesis {
  const base = testGenesis();
  return {
    ...base,
    params: { ...base.params, ...params },
    allocations: funds.map(([key, asset, amount]) => ({ account: key.account, asset, amount })),
  };
}

/** Terms shared by most orders: three monthly installments. */
const BULLET_3M = { asset: 'USD', term: 3 * MONTH, schedule: 'bullet', installments: 3 } as const;
const AMORTIZING_3M = { asset: 'USD', term: 3 * MONTH, schedule: 'amortizing', installments: 3 } as const;

function lendOffer(fields: {
  amount: bigint;
  aprBps: number;
  minTicket?: bigint;
  maxTicket?: bigint;
  collateral?: { asset: string; ratioBps: number };
  terms?: typeof BULLET_3M | typeof AMORTIZING_3M;
  expiresAt?: number;
}): Record<string, CanonicalValue> {
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

function borrowRequest(fields: {
  amount: bigint;
  maxAprBps: number;
  partial: boolean;
  collateral?: { asset: string; amount: bigint };
  terms?: typeof BULLET_3M | typeof AMORTIZING_3M;
  expiresAt?: number;
}): Record<string, CanonicalValue> {
  return {
    ...(fields.terms ?? BULLET_3M),
    amount: fields.amount,
    maxAprBps: fields.maxAprBps,
    partial: fields.partial,
    ...(fields.collateral ? { collateral: fields.collateral } : {}),
    expiresAt: fields.expiresAt ?? LATER,
  };
}

// ---- the scenario builder ---------------------------------------------------------------

/**
 * Builds one case by running it: pre blocks first (each transaction must succeed), then the
 * steps, then either nothing more (a post case) or one refused transaction (an error case).
 */
class Scenario {
  readonly state: MarketState;
  private readonly nonces = new Map<string, bigint>();
  private readonly blocks: PreBlock[] = [];
  private readonly steps: VectorStep[] = [];
  private readonly stepEvents: Json[][] = [];
  private errorCode: RefusalCode | undefined;
  private height = 0;
  private lastTime = 0;
  /** Whether the last step's block is still open to transactions at its time. */
  private blockOpen = false;

  constructor(
    readonly name: string,
    readonly description: string,
    readonly genesis: MarketGenesis,
  ) {
    this.state = genesisState(genesis);
  }

  /** Signs with the account's next nonce. */
  sign(key: KeyPair, type: string, body: CanonicalValue): string {
    const nonce = this.nonces.get(key.account) ?? 0n;
    this.nonces.set(key.account, nonce + 1n);
    return signTransaction({ chainId: CHAIN_ID, type, signer: key.account, nonce, body }, key.secretKey).encoded;
  }

  /** The nonce the account's next signed transaction would carry. */
  nextNonce(key: KeyPair): bigint {
    return this.nonces.get(key.account) ?? 0n;
  }

  /** A pre block: every transaction must succeed; the block's end-of-block rules run after them. */
  block(time: number, ...wires: string[]): void {
    if (this.steps.length > 0) this.fail('pre blocks come before the steps');
    this.advance(time, false);
    const ctx = { height: this.height, time };
    wires.forEach((wire, i) => {
      const outcome = processTransaction(this.state, ctx, wire);
      if (!outcome.ok) this.fail(`pre block at ${time}, tx ${i}: refused ${outcome.refusal.code} (${outcome.refusal.message})`);
    });
    endBlock(this.state, ctx);
    this.blocks.push({ height: this.height, time, txs: wires });
  }

  /** A transaction step that must succeed; returns its events. */
  tx(time: number, wire: string): MarketEvent[] {
    this.open(time);
    const outcome = processTransaction(this.state, { height: this.height, time }, wire);
    if (!outcome.ok) this.fail(`step at ${time}: refused ${outcome.refusal.code} (${outcome.refusal.message})`);
    this.steps.push({ height: this.height, time, tx: wire });
    this.stepEvents.push(eventsJson(outcome.events));
    return outcome.events;
  }

  /** The end-of-block rules at `time` as a step; returns their events. */
  endBlock(time: number): MarketEvent[] {
    this.open(time);
    const events = endBlock(this.state, { height: this.height, time });
    this.steps.push({ height: this.height, time, endBlock: true });
    this.stepEvents.push(eventsJson(events));
    this.blockOpen = false;
    return events;
  }

  /** The case's one step: a transaction that must be refused with `code` and change nothing. */
  refused(time: number, wire: string, code: RefusalCode): void {
    if (this.steps.length > 0) this.fail('an error case has exactly one step');
    this.open(time);
    const before = stateSnapshot(this.state);
    const outcome = processTransaction(this.state, { height: this.height, time }, wire);
    if (outcome.ok) this.fail(`expected ${code}, but the transaction succeeded`);
    if (outcome.refusal.code !== code) this.fail(`expected ${code}, got ${outcome.refusal.code} (${outcome.refusal.message})`);
    if (!isDeepStrictEqual(stateSnapshot(this.state), before)) this.fail('a refused transaction changed the state');
    this.steps.push({ height: this.height, time, tx: wire });
    this.errorCode = code;
  }

  /** A figure stated by hand, checked against what the rules did. */
  expect(label: string, actual: unknown, expected: unknown): void {
    if (!isDeepStrictEqual(actual, expected)) {
      this.fail(`expected ${label} = ${show(expected)}, got ${show(actual)}`);
    }
  }

  balance(key: KeyPair, asset: string): bigint {
    return this.state.balance(key.account, asset);
  }

  loan(id: number): Loan {
    return this.state.loan(id) ?? this.fail(`there is no loan ${id}`);
  }

  order(id: number): Order | undefined {
    return this.state.order(id);
  }

  credit(key: KeyPair): CreditRecord {
    return this.state.credit(key.account);
  }

  build(): VectorCase {
    if (this.steps.length === 0) this.fail('a case has at least one step');
    assertConservation(this.state, this.name);
    const base = {
      name: this.name,
      description: this.description,
      pre: { genesis: genesisToJson(this.genesis), blocks: this.blocks },
      txs: this.steps,
    };
    if (this.errorCode) return { ...base, error: { code: this.errorCode } };
    return { ...base, post: { state: stateSnapshot(this.state), events: this.stepEvents } };
  }

  fail(message: string): never {
    throw new Error(`${this.name}: ${message}`);
  }

  private open(time: number): void {
    if (this.blockOpen && time === this.lastTime) return;
    this.advance(time, true);
  }

  private advance(time: number, open: boolean): void {
    if (time <= this.lastTime) this.fail(`block time ${time} is not after ${this.lastTime}`);
    this.height += 1;
    this.lastTime = time;
    this.blockOpen = open;
  }
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** Per asset, minted − burned = Σ balances + Σ escrows (offers, commitments, request and loan collateral). */
function assertConservation(state: MarketState, name: string): void {
  const held = new Map<string, bigint>();
  const add = (asset: string, amount: bigint) => held.set(asset, (held.get(asset) ?? 0n) + amount);
  for (const [key, value] of state.entries()) {
    if (key.startsWith('balance/')) add(key.slice(key.lastIndexOf('/') + 1), value as bigint);
    else if (key.startsWith('order/')) {
      const order = value as Order;
      if (order.side === 'lend') add(order.asset, order.remaining);
      else {
        for (const commitment of order.commitments) add(order.asset, commitment.amount);
        if (order.collateral) add(order.collateral.asset, order.collateral.remaining);
      }
    } else if (key.startsWith('loan/')) {
      const loan = value as Loan;
      if (loan.status === 'active' && loan.collateral) add(loan.collateral.asset, loan.collateral.amount);
    }
  }
  for (const [key, value] of state.entries()) {
    if (!key.startsWith('asset/')) continue;
    const asset = value as { id: string; minted: bigint; burned: bigint };
    const supply = asset.minted - asset.burned;
    if (supply !== (held.get(asset.id) ?? 0n)) throw new Error(`${name}: ${asset.id} supply ${supply} differs from what accounts and escrows hold (${held.get(asset.id) ?? 0n})`);
  }
}

function scenario(name: string, description: string, genesis: MarketGenesis, body: (s: Scenario) => void): VectorCase {
  const s = new Scenario(name, description, genesis);
  body(s);
  return s.build();
}

function eventsOf<T extends MarketEvent['type']>(events: readonly MarketEvent[], type: T): Extract<MarketEvent, { type: T }>[] {
  return events.filter((event): event is Extract<MarketEvent, { type: T }> => event.type === type);
}

// ---- wires that are not what a wallet would send -----------------------------------------

function envelopeOf(wire: string): Record<string, unknown> {
  return JSON.parse(wire) as Record<string, unknown>;
}

/** The wire with one field of the envelope replaced (or removed), written in canonical form. */
function withEnvelopeField(wire: string, field: string, value: CanonicalValue | undefined): string {
  const envelope = envelopeOf(wire);
  if (value === undefined) delete envelope[field];
  else envelope[field] = value;
  return canonicalText(envelope);
}

function canonicalText(value: Record<string, unknown>): string {
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(value[key])}`).join(',')}}`;
}

// ---- assets ----------------------------------------------------------------------------

const assetCases = (): VectorCase[] => [
  scenario('faucet-pays-up-to-its-limit', 'On a devnet anyone may take test funds; exactly the faucet limit is allowed.', market([]), (s) => {
    s.tx(T0, s.sign(dave, 'faucet', { asset: 'USD', amount: 100_000n * USD }));
    const events = s.tx(T0 + 1, s.sign(dave, 'faucet', { asset: 'COL', amount: 5n * COL }));
    s.expect('Dave USD', s.balance(dave, 'USD'), 100_000_000_000n);
    s.expect('Dave COL', s.balance(dave, 'COL'), 500_000_000n);
    s.expect('USD minted', s.state.asset('USD')?.minted, 100_000_000_000n);
    s.expect('faucetPaid event', eventsOf(events, 'faucetPaid')[0]?.amount, 500_000_000n);
  }),
  scenario('issuer-mints-to-an-account', 'The issuer of USD mints a deposit into Bob’s account.', market([]), (s) => {
    s.tx(T0, s.sign(issuer, 'mint', { asset: 'USD', to: bob.account, amount: 250n * USD }));
    s.expect('Bob USD', s.balance(bob, 'USD'), 250_000_000n);
    s.expect('USD minted', s.state.asset('USD')?.minted, 250_000_000n);
    s.expect('issuer USD', s.balance(issuer, 'USD'), 0n);
  }),
  scenario('issuer-burns-from-its-balance', 'The issuer burns part of its own USD: a withdrawal.', market([[issuer, 'USD', 1_000n * USD]]), (s) => {
    s.tx(T0, s.sign(issuer, 'burn', { asset: 'USD', amount: 400n * USD }));
    s.expect('issuer USD', s.balance(issuer, 'USD'), 600_000_000n);
    s.expect('USD burned', s.state.asset('USD')?.burned, 400_000_000n);
    s.expect('USD minted', s.state.asset('USD')?.minted, 1_000_000_000n);
  }),
  scenario('transfer-between-accounts', 'Alice sends USD to Bob, then all she has left to Dave (an emptied balance has no record).', market(), (s) => {
    s.tx(T0, s.sign(alice, 'transfer', { asset: 'USD', to: bob.account, amount: 2_500n * USD }));
    s.tx(T0 + 1, s.sign(alice, 'transfer', { asset: 'USD', to: dave.account, amount: 7_500n * USD }));
    s.expect('Bob USD', s.balance(bob, 'USD'), 2_600_000_000n);
    s.expect('Dave USD', s.balance(dave, 'USD'), 7_500_000_000n);
    s.expect('Alice balance record', s.state.get(`balance/${alice.account}/USD`), undefined);
  }),
];

// ---- orders: posting, cancelling, expiring ----------------------------------------------------

const orderCases = (): VectorCase[] => [
  scenario('post-lend-offer-escrows-funds', 'A lend offer takes its whole amount out of the lender’s balance into escrow.', market(), (s) => {
    s.tx(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 1_000n * USD, aprBps: 1200, minTicket: 100n * USD, maxTicket: 500n * USD, collateral: { asset: 'COL', ratioBps: 15_000 } })));
    s.expect('Alice USD', s.balance(alice, 'USD'), 9_000_000_000n);
    s.expect('offer 1 remaining', s.order(1)?.remaining, 1_000_000_000n);
    s.expect('Alice open orders', s.state.account(alice.account).openOrders, 1);
  }),
  scenario('post-borrow-request-escrows-collateral', 'A borrow request escrows the collateral it offers; no lender money moves yet.', market(), (s) => {
    s.tx(T0, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 500n * USD, maxAprBps: 1500, partial: true, collateral: { asset: 'COL', amount: 600n * COL }, terms: AMORTIZING_3M })));
    s.expect('Bob COL', s.balance(bob, 'COL'), 40_000_000_000n);
    s.expect('Bob USD', s.balance(bob, 'USD'), 100_000_000n);
    s.expect('request 1 remaining', s.order(1)?.remaining, 500_000_000n);
  }),
  scenario('cancel-offer-returns-remaining-escrow', 'Bob took 200 USD of Alice’s 1,000 USD offer; Alice cancels and gets the 800 left.', market(), (s) => {
    s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 1_000n * USD, aprBps: 1000 })));
    s.block(T0 + 10, s.sign(bob, 'take-offer', { orderId: 1, amount: 200n * USD }));
    s.tx(T0 + 20, s.sign(alice, 'cancel-order', { orderId: 1 }));
    s.expect('Alice USD', s.balance(alice, 'USD'), 9_800_000_000n);
    s.expect('offer 1', s.order(1), undefined);
    s.expect('Alice open orders', s.state.account(alice.account).openOrders, 0);
  }),
  scenario('cancel-request-returns-commitments-and-collateral', 'Alice committed 300 USD to Bob’s partial request; Bob cancels: Alice gets her 300 back, Bob his collateral.', market(), (s) => {
    s.block(T0, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 1_000n * USD, maxAprBps: 1200, partial: true, collateral: { asset: 'COL', amount: 800n * COL } })));
    s.block(T0 + 10, s.sign(alice, 'fund-request', { orderId: 1, amount: 300n * USD }));
    s.tx(T0 + 20, s.sign(bob, 'cancel-order', { orderId: 1 }));
    s.expect('Alice USD', s.balance(alice, 'USD'), 10_000_000_000n);
    s.expect('Bob COL', s.balance(bob, 'COL'), 100_000_000_000n);
    s.expect('request 1', s.order(1), undefined);
  }),
  scenario(
    'expiry-returns-escrow-at-end-of-block',
    'An offer and a request (with Carol’s commitment) expire at T0+3600: nothing at 3599, both close at the end of the block at 3600, offer first (lower id).',
    market(),
    (s) => {
      s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 1_000n * USD, aprBps: 1000, expiresAt: T0 + 3600 })));
      s.block(T0 + 10, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 500n * USD, maxAprBps: 1200, partial: true, collateral: { asset: 'COL', amount: 400n * COL }, terms: AMORTIZING_3M, expiresAt: T0 + 3600 })));
      s.block(T0 + 20, s.sign(carol, 'fund-request', { orderId: 2, amount: 100n * USD }));
      s.expect('events before expiry', s.endBlock(T0 + 3599), []);
      const closed = eventsOf(s.endBlock(T0 + 3600), 'orderClosed');
      s.expect('closed orders', closed.map((event) => [event.orderId, event.reason]), [[1, 'expired'], [2, 'expired']]);
      s.expect('Alice USD', s.balance(alice, 'USD'), 10_000_000_000n);
      s.expect('Carol USD', s.balance(carol, 'USD'), 10_000_000_000n);
      s.expect('Bob COL', s.balance(bob, 'COL'), 100_000_000_000n);
    },
  ),
];

// ---- matching ----------------------------------------------------------------------------

const matchingCases = (): VectorCase[] => [
  scenario(
    'take-part-of-an-offer',
    'Bob takes 400 USD of a 1,000 USD offer asking 1.5 COL per USD: he locks 600 COL and the offer keeps 600 USD.',
    market(),
    (s) => {
      s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 1_000n * USD, aprBps: 1200, minTicket: 100n * USD, collateral: { asset: 'COL', ratioBps: 15_000 } })));
      s.tx(T0 + 100, s.sign(bob, 'take-offer', { orderId: 1, amount: 400n * USD }));
      s.expect('offer 1 remaining', s.order(1)?.remaining, 600_000_000n);
      s.expect('loan 1 principal', s.loan(1).principal, 400_000_000n);
      s.expect('loan 1 collateral', s.loan(1).collateral, { asset: 'COL', amount: 60_000_000_000n });
      s.expect('loan 1 plan', s.loan(1).plan, [
        { due: T0 + 100 + MONTH, principal: 0n, interest: 4_000_000n },
        { due: T0 + 100 + 2 * MONTH, principal: 0n, interest: 4_000_000n },
        { due: T0 + 100 + 3 * MONTH, principal: 400_000_000n, interest: 4_000_000n },
      ]);
      s.expect('Bob USD', s.balance(bob, 'USD'), 500_000_000n);
      s.expect('Bob COL', s.balance(bob, 'COL'), 40_000_000_000n);
    },
  ),
  scenario(
    'offer-ticket-bounds',
    'An offer of 1,000 USD lends 300 to 800 at a time: Bob takes the maximum 800, then the 200 left, below the minimum but the whole remainder.',
    market(),
    (s) => {
      s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 1_000n * USD, aprBps: 900, minTicket: 300n * USD, maxTicket: 800n * USD })));
      s.tx(T0 + 10, s.sign(bob, 'take-offer', { orderId: 1, amount: 800n * USD }));
      const last = s.tx(T0 + 20, s.sign(bob, 'take-offer', { orderId: 1, amount: 200n * USD }));
      s.expect('offer closed as filled', eventsOf(last, 'orderClosed')[0]?.reason, 'filled');
      s.expect('loan principals', [s.loan(1).principal, s.loan(2).principal], [800_000_000n, 200_000_000n]);
      s.expect('Alice open orders', s.state.account(alice.account).openOrders, 0);
      s.expect('Bob loans taken', s.credit(bob).loansTaken, 2);
    },
  ),
  scenario(
    'request-funded-by-two-lenders',
    'Bob asks 900 USD (all or nothing) against 1,000 COL; Alice funds 300, Carol 600, and the loan is made with shares 300/600.',
    market(),
    (s) => {
      s.block(T0, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 900n * USD, maxAprBps: 1200, partial: false, collateral: { asset: 'COL', amount: 1_000n * COL } })));
      const first = s.tx(T0 + 10, s.sign(alice, 'fund-request', { orderId: 1, amount: 300n * USD }));
      s.expect('no loan after the first lender', eventsOf(first, 'loanOriginated').length, 0);
      s.tx(T0 + 20, s.sign(carol, 'fund-request', { orderId: 1, amount: 600n * USD }));
      s.expect('loan 1 shares', s.loan(1).shares, [
        { lender: alice.account, principal: 300_000_000n },
        { lender: carol.account, principal: 600_000_000n },
      ]);
      s.expect('loan 1 rate', s.loan(1).aprBps, 1200);
      s.expect('loan 1 collateral', s.loan(1).collateral?.amount, 100_000_000_000n);
      s.expect('Bob USD', s.balance(bob, 'USD'), 1_000_000_000n);
      s.expect('Alice USD', s.balance(alice, 'USD'), 9_700_000_000n);
      s.expect('request 1', s.order(1), undefined);
    },
  ),
  scenario(
    'accept-funding-of-a-partial-request',
    'Bob asks 1,000 USD (partial allowed) against 800 COL; Alice funds 250 and Bob accepts: a 250 USD loan locking 200 COL, the other 600 COL returned.',
    market(),
    (s) => {
      s.block(T0, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 1_000n * USD, maxAprBps: 1100, partial: true, collateral: { asset: 'COL', amount: 800n * COL } })));
      s.block(T0 + 10, s.sign(alice, 'fund-request', { orderId: 1, amount: 250n * USD }));
      const events = s.tx(T0 + 20, s.sign(bob, 'accept-funding', { orderId: 1 }));
      s.expect('request closed as accepted', eventsOf(events, 'orderClosed')[0]?.reason, 'accepted');
      s.expect('loan 1 principal', s.loan(1).principal, 250_000_000n);
      s.expect('loan 1 collateral', s.loan(1).collateral?.amount, 20_000_000_000n);
      s.expect('Bob COL', s.balance(bob, 'COL'), 80_000_000_000n);
      s.expect('Bob USD', s.balance(bob, 'USD'), 350_000_000n);
    },
  ),
  scenario(
    'new-offer-crosses-resting-requests',
    'Requests rest at 10 % (300 USD), 15 % (200 USD) and 8 % (100 USD). A 600 USD offer at 9 % funds the 15 % request, then the 10 % one, each at the request’s rate; the 8 % one does not cross and 100 USD of the offer rests.',
    market(),
    (s) => {
      s.block(
        T0,
        s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 300n * USD, maxAprBps: 1000, partial: true })),
        s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 200n * USD, maxAprBps: 1500, partial: true })),
        s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 100n * USD, maxAprBps: 800, partial: true })),
      );
      const events = s.tx(T0 + 10, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 600n * USD, aprBps: 900 })));
      const loans = eventsOf(events, 'loanOriginated').map((event) => [event.loan.orderId, event.loan.aprBps, event.loan.principal]);
      s.expect('loans made (order, rate, principal)', loans, [[2, 1500, 200_000_000n], [1, 1000, 300_000_000n]]);
      s.expect('offer 4 remaining', s.order(4)?.remaining, 100_000_000n);
      s.expect('request 3 untouched', s.order(3)?.remaining, 100_000_000n);
      s.expect('Bob USD', s.balance(bob, 'USD'), 600_000_000n);
      s.expect('Alice USD', s.balance(alice, 'USD'), 9_400_000_000n);
    },
  ),
  scenario(
    'new-request-crosses-resting-offers',
    'Offers rest at 9 % (Alice, 500), 8 % (Carol, 300), 8 % (Alice, 300) and 12 % (Carol, 500). Bob asks 700 at most 10 %, all or nothing, against 700 COL: he takes the two 8 % offers, oldest first, then 100 of the 9 % one, each at the offer’s rate, with collateral split in proportion (the last take gets what is left).',
    market(),
    (s) => {
      s.block(
        T0,
        s.sign(alice, 'post-lend-offer', lendOffer({ amount: 500n * USD, aprBps: 900 })),
        s.sign(carol, 'post-lend-offer', lendOffer({ amount: 300n * USD, aprBps: 800 })),
        s.sign(alice, 'post-lend-offer', lendOffer({ amount: 300n * USD, aprBps: 800 })),
        s.sign(carol, 'post-lend-offer', lendOffer({ amount: 500n * USD, aprBps: 1200 })),
      );
      const events = s.tx(T0 + 10, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 700n * USD, maxAprBps: 1000, partial: false, collateral: { asset: 'COL', amount: 700n * COL } })));
      const loans = eventsOf(events, 'loanOriginated').map((event) => [event.loan.orderId, event.loan.aprBps, event.loan.principal, event.loan.collateral?.amount]);
      s.expect('loans made (offer, rate, principal, collateral)', loans, [
        [2, 800, 300_000_000n, 30_000_000_000n],
        [3, 800, 300_000_000n, 30_000_000_000n],
        [1, 900, 100_000_000n, 10_000_000_000n],
      ]);
      s.expect('request 5 closed', s.order(5), undefined);
      s.expect('offer 1 remaining', s.order(1)?.remaining, 400_000_000n);
      s.expect('offer 4 untouched', s.order(4)?.remaining, 500_000_000n);
      s.expect('Bob USD', s.balance(bob, 'USD'), 800_000_000n);
      s.expect('Bob COL', s.balance(bob, 'COL'), 30_000_000_000n);
    },
  ),
  scenario(
    'all-or-nothing-request-rests-when-it-cannot-fill',
    'Only 500 USD is offered at or below 10 %; Bob’s all-or-nothing request for 600 matches nothing and rests on the book.',
    market(),
    (s) => {
      s.block(
        T0,
        s.sign(alice, 'post-lend-offer', lendOffer({ amount: 300n * USD, aprBps: 800 })),
        s.sign(carol, 'post-lend-offer', lendOffer({ amount: 200n * USD, aprBps: 900 })),
        s.sign(carol, 'post-lend-offer', lendOffer({ amount: 500n * USD, aprBps: 1100 })),
      );
      const events = s.tx(T0 + 10, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 600n * USD, maxAprBps: 1000, partial: false })));
      s.expect('event types', events.map((event) => event.type), ['orderPosted']);
      s.expect('request 4 remaining', s.order(4)?.remaining, 600_000_000n);
      s.expect('offers untouched', [s.order(1)?.remaining, s.order(2)?.remaining], [300_000_000n, 200_000_000n]);
      s.expect('Bob USD', s.balance(bob, 'USD'), 100_000_000n);
    },
  ),
  scenario(
    'partial-request-takes-what-it-can',
    'The same book, but Bob allows partial funding: he takes 300 at 8 % and 200 at 9 %, and 100 USD of his request rests.',
    market(),
    (s) => {
      s.block(
        T0,
        s.sign(alice, 'post-lend-offer', lendOffer({ amount: 300n * USD, aprBps: 800 })),
        s.sign(carol, 'post-lend-offer', lendOffer({ amount: 200n * USD, aprBps: 900 })),
        s.sign(carol, 'post-lend-offer', lendOffer({ amount: 500n * USD, aprBps: 1100 })),
      );
      s.tx(T0 + 10, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 600n * USD, maxAprBps: 1000, partial: true })));
      s.expect('loan rates', [s.loan(1).aprBps, s.loan(2).aprBps], [800, 900]);
      s.expect('request 4 remaining', s.order(4)?.remaining, 100_000_000n);
      s.expect('offers 1 and 2 closed', [s.order(1), s.order(2)], [undefined, undefined]);
      s.expect('Bob USD', s.balance(bob, 'USD'), 600_000_000n);
    },
  ),
];

// ---- loans: schedules, repayment, prepayment -------------------------------------------------

/** Alice's 1,000 USD offer at 12 % taken whole by Bob at T0+100, against 500 COL. */
function bulletLoan(s: Scenario, terms: typeof BULLET_3M | typeof AMORTIZING_3M = BULLET_3M): number {
  s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 1_000n * USD, aprBps: 1200, collateral: { asset: 'COL', ratioBps: 5000 }, terms })));
  s.block(T0 + 100, s.sign(bob, 'take-offer', { orderId: 1, amount: 1_000n * USD }));
  return T0 + 100;
}

/** Bob's 900 USD request against 1,000 COL, funded 300 by Alice and 600 by Carol at T0+20. */
function twoLenderLoan(s: Scenario): number {
  s.block(T0, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 900n * USD, maxAprBps: 1200, partial: false, collateral: { asset: 'COL', amount: 1_000n * COL } })));
  s.block(T0 + 10, s.sign(alice, 'fund-request', { orderId: 1, amount: 300n * USD }));
  s.block(T0 + 20, s.sign(carol, 'fund-request', { orderId: 1, amount: 600n * USD }));
  return T0 + 20;
}

const loanCases = (): VectorCase[] => [
  scenario(
    'bullet-loan-repaid-on-schedule',
    'A 1,000 USD bullet loan at 12 % over three months: 10 USD interest a month, the principal with the last; paid at each due time, the collateral comes back and the loan counts as repaid on time.',
    market(),
    (s) => {
      const start = bulletLoan(s);
      s.expect('plan', s.loan(1).plan.map((i) => [i.interest, i.principal]), [[10_000_000n, 0n], [10_000_000n, 0n], [10_000_000n, 1_000_000_000n]]);
      s.tx(start + MONTH, s.sign(bob, 'repay', { loanId: 1, amount: 10n * USD }));
      s.expect('no late fee after grace', s.endBlock(start + MONTH + GRACE), []);
      s.tx(start + 2 * MONTH, s.sign(bob, 'repay', { loanId: 1, amount: 10n * USD }));
      const last = s.tx(start + 3 * MONTH, s.sign(bob, 'repay', { loanId: 1, amount: 1_010n * USD }));
      s.expect('collateral returned', eventsOf(last, 'loanRepaid')[0]?.collateralReturned, 50_000_000_000n);
      s.expect('loan 1 status', s.loan(1).status, 'repaid');
      s.expect('Alice USD', s.balance(alice, 'USD'), 10_030_000_000n);
      s.expect('Bob USD', s.balance(bob, 'USD'), 70_000_000n);
      s.expect('Bob COL', s.balance(bob, 'COL'), 100_000_000_000n);
      s.expect('Bob credit', s.credit(bob), { loansTaken: 1, loansRepaid: 1, repaidOnTime: 1, latePayments: 0, defaults: 0 });
    },
  ),
  scenario(
    'amortizing-loan-repaid-on-schedule',
    'A 1,000 USD annuity at 12 % (1 % a month) in three installments: level payment 340.022111 USD, the last absorbing the rounding (340.022113).',
    market(),
    (s) => {
      const start = bulletLoan(s, AMORTIZING_3M);
      s.expect('plan', s.loan(1).plan, [
        { due: start + MONTH, interest: 10_000_000n, principal: 330_022_111n },
        { due: start + 2 * MONTH, interest: 6_699_779n, principal: 333_322_332n },
        { due: start + 3 * MONTH, interest: 3_366_556n, principal: 336_655_557n },
      ]);
      s.tx(start + MONTH, s.sign(bob, 'repay', { loanId: 1, amount: 340_022_111n }));
      s.tx(start + 2 * MONTH, s.sign(bob, 'repay', { loanId: 1, amount: 340_022_111n }));
      s.tx(start + 3 * MONTH, s.sign(bob, 'repay', { loanId: 1, amount: 340_022_113n }));
      s.expect('loan 1 interest paid', s.loan(1).totalPaid.interest, 20_066_335n);
      s.expect('loan 1 status', s.loan(1).status, 'repaid');
      s.expect('Alice USD', s.balance(alice, 'USD'), 10_020_066_335n);
      s.expect('Bob USD', s.balance(bob, 'USD'), 79_933_665n);
    },
  ),
  scenario(
    'repayment-split-between-two-lenders',
    'Alice holds 1/3 of the loan, Carol 2/3. A 10-unit payment splits 3/7 (the odd unit goes to the larger remainder, Carol’s); a 5-unit payment splits 2/3 (now Alice’s remainder is larger).',
    market(),
    (s) => {
      const start = twoLenderLoan(s);
      const first = s.tx(start + 100, s.sign(bob, 'repay', { loanId: 1, amount: 10n }));
      s.expect('first split', eventsOf(first, 'repayment')[0]?.lenders.map((l) => l.interest), [3n, 7n]);
      const second = s.tx(start + 200, s.sign(bob, 'repay', { loanId: 1, amount: 5n }));
      s.expect('second split', eventsOf(second, 'repayment')[0]?.lenders.map((l) => l.interest), [2n, 3n]);
      s.expect('Alice USD', s.balance(alice, 'USD'), 9_700_000_005n);
      s.expect('Carol USD', s.balance(carol, 'USD'), 9_400_000_010n);
      s.expect('loan 1 paid interest on installment 0', s.loan(1).paidInterest, 15n);
    },
  ),
  scenario(
    'prepayment-waives-future-interest',
    'Half way through the first month Bob pays the 1,000 USD bullet loan off: 5 USD of interest earned so far and the principal; the other 25 USD of scheduled interest is waived.',
    market(),
    (s) => {
      const start = bulletLoan(s);
      const events = s.tx(start + MONTH / 2, s.sign(bob, 'prepay', { loanId: 1 }));
      const repayment = eventsOf(events, 'repayment')[0];
      s.expect('prepayment figures', [repayment?.prepay, repayment?.interest, repayment?.principal, repayment?.interestWaived], [true, 5_000_000n, 1_000_000_000n, 25_000_000n]);
      s.expect('loan 1 status', s.loan(1).status, 'repaid');
      s.expect('Alice USD', s.balance(alice, 'USD'), 10_005_000_000n);
      s.expect('Bob USD', s.balance(bob, 'USD'), 95_000_000n);
      s.expect('Bob COL', s.balance(bob, 'COL'), 100_000_000_000n);
      s.expect('Bob repaid on time', s.credit(bob).repaidOnTime, 1);
    },
  ),
];

// ---- lateness and default -----------------------------------------------------------------

const latenessCases = (): VectorCase[] => [
  scenario(
    'late-fee-at-due-plus-grace',
    'The first 10 USD installment goes unpaid: nothing at due+29; at due+30 it is late and a 5 % fee (0.5 USD) is owed; Bob’s next payment pays the fee first.',
    market(),
    (s) => {
      const due = bulletLoan(s) + MONTH;
      s.expect('events at due+29', s.endBlock(due + GRACE - 1), []);
      const late = eventsOf(s.endBlock(due + GRACE), 'installmentLate');
      s.expect('late installment and fee', late.map((event) => [event.installment, event.fee]), [[0, 500_000n]]);
      const repaid = eventsOf(s.tx(due + 40, s.sign(bob, 'repay', { loanId: 1, amount: 10_500_000n })), 'repayment')[0];
      s.expect('payment parts', [repaid?.lateFees, repaid?.interest, repaid?.principal], [500_000n, 10_000_000n, 0n]);
      s.expect('loan 1 progress', [s.loan(1).paidInstallments, s.loan(1).lateFeeOwed, s.loan(1).lateInstallments], [1, 0n, 1]);
      s.expect('Alice USD', s.balance(alice, 'USD'), 9_010_500_000n);
      s.expect('Bob late payments', s.credit(bob).latePayments, 1);
    },
  ),
  scenario(
    'default-at-end-of-block-splits-collateral',
    'Bob never pays the two-lender loan: late at due+30 (fee 0.45 USD), in default at due+120, and the 1,000 COL goes 1/3 to Alice and 2/3 to Carol (the odd unit to Carol’s larger remainder).',
    market(),
    (s) => {
      const due = twoLenderLoan(s) + MONTH;
      s.expect('late fee', eventsOf(s.endBlock(due + GRACE), 'installmentLate').map((event) => event.fee), [450_000n]);
      s.expect('events at due+119', s.endBlock(due + DEFAULT_PERIOD - 1), []);
      const defaulted = eventsOf(s.endBlock(due + DEFAULT_PERIOD), 'loanDefaulted')[0];
      s.expect('collateral split', defaulted?.collateral, [
        { lender: alice.account, amount: 33_333_333_333n },
        { lender: carol.account, amount: 66_666_666_667n },
      ]);
      s.expect('declared by', defaulted?.declaredBy, undefined);
      s.expect('loan 1 status', s.loan(1).status, 'defaulted');
      s.expect('Alice COL', s.balance(alice, 'COL'), 33_333_333_333n);
      s.expect('Carol COL', s.balance(carol, 'COL'), 66_666_666_667n);
      s.expect('Bob credit', s.credit(bob), { loansTaken: 1, loansRepaid: 0, repaidOnTime: 0, latePayments: 1, defaults: 1 });
    },
  ),
  scenario(
    'declare-default-by-transaction',
    'At due+120, before the end of the block, Dave (any account) declares Bob’s loan in default; the 500 COL goes to Alice.',
    market(),
    (s) => {
      const due = bulletLoan(s) + MONTH;
      s.block(due + GRACE); // the end-of-block rule charges the late fee
      const events = s.tx(due + DEFAULT_PERIOD, s.sign(dave, 'declare-default', { loanId: 1 }));
      const defaulted = eventsOf(events, 'loanDefaulted')[0];
      s.expect('declared by', defaulted?.declaredBy, dave.account);
      s.expect('collateral', defaulted?.collateral, [{ lender: alice.account, amount: 50_000_000_000n }]);
      s.expect('loan 1 status', s.loan(1).status, 'defaulted');
      s.expect('Alice COL', s.balance(alice, 'COL'), 50_000_000_000n);
      s.expect('Bob credit', s.credit(bob), { loansTaken: 1, loansRepaid: 0, repaidOnTime: 0, latePayments: 1, defaults: 1 });
    },
  ),
];

// ---- refusals ------------------------------------------------------------------------------

/** A refusal case: `setup` runs the pre blocks and returns the refused wire, sent at `time`. */
function refusal(name: string, description: string, genesis: MarketGenesis, time: number, code: RefusalCode, setup: (s: Scenario) => string): VectorCase {
  return scenario(name, description, genesis, (s) => s.refused(time, setup(s), code));
}

const ALICE_FUNDS: Funds = [[alice, 'USD', 1_000n * USD]];
const transferToBob = (s: Scenario, amount: CanonicalValue = 10n * USD): string => s.sign(alice, 'transfer', { asset: 'USD', to: bob.account, amount });

const decodingRefusals = (): VectorCase[] => [
  refusal('too-large', 'A valid transfer padded with spaces past 4,096 bytes.', market(ALICE_FUNDS), T0, 'TX_TOO_LARGE', (s) => transferToBob(s).padEnd(4100, ' ')),
  refusal('not-json', 'A transfer cut off before its closing brace.', market(ALICE_FUNDS), T0, 'MALFORMED', (s) => transferToBob(s).slice(0, -1)),
  refusal('whitespace', 'A validly signed transfer with a space after the first brace.', market(ALICE_FUNDS), T0, 'NON_CANONICAL', (s) => `{ ${transferToBob(s).slice(1)}`),
  refusal('unsorted-keys', 'A validly signed transfer whose envelope keys are not in sorted order.', market(ALICE_FUNDS), T0, 'NON_CANONICAL', (s) => {
    const envelope = envelopeOf(transferToBob(s));
    const { type, ...rest } = envelope;
    return JSON.stringify({ type, ...rest });
  }),
  refusal('unknown-envelope-field', 'The envelope carries a field the format does not have.', market(ALICE_FUNDS), T0, 'UNKNOWN_FIELD', (s) => withEnvelopeField(transferToBob(s), 'memo', 'hello')),
  refusal('unknown-body-field', 'A signed transfer whose body has an extra field.', market(ALICE_FUNDS), T0, 'UNKNOWN_FIELD', (s) =>
    s.sign(alice, 'transfer', { asset: 'USD', to: bob.account, amount: 10n * USD, memo: 'rent' }),
  ),
  refusal('missing-signature', 'The envelope has no signature.', market(ALICE_FUNDS), T0, 'MISSING_FIELD', (s) => withEnvelopeField(transferToBob(s), 'signature', undefined)),
  refusal('fractional-amount', 'An amount written with a decimal point.', market(ALICE_FUNDS), T0, 'BAD_FIELD', (s) => transferToBob(s, '10.5')),
  refusal('amount-above-max', 'An amount of 2^64, one above the largest amount.', market(ALICE_FUNDS), T0, 'AMOUNT_OUT_OF_RANGE', (s) => transferToBob(s, MAX_AMOUNT + 1n)),
  refusal('zero-amount', 'A transfer of nothing.', market(ALICE_FUNDS), T0, 'ZERO_AMOUNT', (s) => transferToBob(s, 0n)),
  refusal('unknown-type', 'A well-formed, signed envelope of a type the chain does not have.', market(ALICE_FUNDS), T0, 'UNKNOWN_TX_TYPE', (s) => s.sign(alice, 'lend-everything', {})),
  refusal('wrong-chain', 'A transfer signed for another chain.', market(ALICE_FUNDS), T0, 'WRONG_CHAIN', () =>
    signTransaction({ chainId: 'lendnet-other', type: 'transfer', signer: alice.account, nonce: 0n, body: { asset: 'USD', to: bob.account, amount: 10n * USD } }, alice.secretKey).encoded,
  ),
  refusal('small-order-signer', 'The signer is the identity point, a small-order key no one can be held to.', market(ALICE_FUNDS), T0, 'BAD_PUBLIC_KEY', () =>
    encodeEnvelope({ chainId: CHAIN_ID, type: 'faucet', signer: `01${'00'.repeat(31)}`, nonce: 0n, body: { asset: 'USD', amount: 1n } }, '00'.repeat(64)),
  ),
  refusal('small-order-recipient', 'A transfer to a small-order key, which no one could ever spend from.', market(ALICE_FUNDS), T0, 'BAD_PUBLIC_KEY', (s) =>
    s.sign(alice, 'transfer', { asset: 'USD', to: `01${'00'.repeat(31)}`, amount: 10n * USD }),
  ),
  refusal('signature-of-another-transaction', 'A transfer of 20 USD carrying Alice’s signature of a transfer of 10 USD.', market(ALICE_FUNDS), T0, 'BAD_SIGNATURE', () => {
    const tx = { chainId: CHAIN_ID, type: 'transfer', signer: alice.account, nonce: 0n, body: { asset: 'USD', to: bob.account, amount: 10n * USD } };
    const signature = signTransaction(tx, alice.secretKey).signature;
    return encodeEnvelope({ ...tx, body: { ...tx.body, amount: 20n * USD } }, signature);
  }),
  refusal('replayed-transaction', 'The same signed transfer sent again after it was applied.', market(ALICE_FUNDS), T0 + 10, 'BAD_NONCE', (s) => {
    const wire = transferToBob(s);
    s.block(T0, wire);
    return wire;
  }),
  refusal('nonce-from-the-future', 'Alice’s first transaction carries nonce 1.', market(ALICE_FUNDS), T0, 'BAD_NONCE', () =>
    signTransaction({ chainId: CHAIN_ID, type: 'transfer', signer: alice.account, nonce: 1n, body: { asset: 'USD', to: bob.account, amount: 10n * USD } }, alice.secretKey).encoded,
  ),
];

const assetRefusals = (): VectorCase[] => [
  refusal('unknown-asset', 'A transfer of an asset not declared in genesis.', market(ALICE_FUNDS), T0, 'UNKNOWN_ASSET', (s) => s.sign(alice, 'transfer', { asset: 'EUR', to: bob.account, amount: 1n })),
  refusal('mint-by-non-issuer', 'Bob tries to mint USD.', market(ALICE_FUNDS), T0, 'NOT_ISSUER', (s) => s.sign(bob, 'mint', { asset: 'USD', to: bob.account, amount: 1n })),
  refusal('burn-by-non-issuer', 'Alice tries to burn her USD; only the issuer burns.', market(ALICE_FUNDS), T0, 'NOT_ISSUER', (s) => s.sign(alice, 'burn', { asset: 'USD', amount: 1n })),
  refusal('mint-beyond-supply-cap', 'With 1,000 USD in existence, the issuer mints the largest amount: the supply would pass 2^64 − 1.', market(ALICE_FUNDS), T0, 'SUPPLY_CAP_EXCEEDED', (s) =>
    s.sign(issuer, 'mint', { asset: 'USD', to: bob.account, amount: MAX_AMOUNT }),
  ),
  refusal('faucet-on-a-non-devnet-chain', 'A chain whose genesis says devnet: false has no faucet.', market(ALICE_FUNDS, { devnet: false }), T0, 'FAUCET_DISABLED', (s) =>
    s.sign(dave, 'faucet', { asset: 'USD', amount: 1n * USD }),
  ),
  refusal('faucet-above-limit', 'One unit above the 100,000 USD faucet limit.', market(ALICE_FUNDS), T0, 'FAUCET_LIMIT', (s) => s.sign(dave, 'faucet', { asset: 'USD', amount: 100_000n * USD + 1n })),
  refusal('transfer-above-balance', 'Alice holds 1,000 USD and sends 1,000.000001.', market(ALICE_FUNDS), T0, 'INSUFFICIENT_FUNDS', (s) => transferToBob(s, 1_000n * USD + 1n)),
];

const orderRefusals = (): VectorCase[] => [
  refusal('term-below-minimum', 'A 30-second term where the network’s minimum is 60.', market(), T0, 'INVALID_TERMS', (s) =>
    s.sign(alice, 'post-lend-offer', { ...lendOffer({ amount: 100n * USD, aprBps: 1000 }), term: 30, installments: 1 }),
  ),
  refusal('term-not-divisible-by-installments', 'A 100-second term in 3 installments.', market(), T0, 'INVALID_TERMS', (s) =>
    s.sign(bob, 'post-borrow-request', { ...borrowRequest({ amount: 100n * USD, maxAprBps: 1000, partial: true }), term: 100, installments: 3 }),
  ),
  refusal('collateral-in-the-loan-asset', 'An offer asking for USD collateral on a USD loan.', market(), T0, 'INVALID_TERMS', (s) =>
    s.sign(alice, 'post-lend-offer', lendOffer({ amount: 100n * USD, aprBps: 1000, collateral: { asset: 'USD', ratioBps: 10_000 } })),
  ),
  refusal('expiry-not-in-the-future', 'An offer expiring at the block time itself.', market(), T0, 'EXPIRY_IN_PAST', (s) => s.sign(alice, 'post-lend-offer', lendOffer({ amount: 100n * USD, aprBps: 1000, expiresAt: T0 }))),
  refusal('open-order-limit', 'With at most one open order per account, Alice posts a second offer.', market(LENDING_FUNDS, { maxOpenOrdersPerAccount: 1 }), T0 + 10, 'TOO_MANY_ORDERS', (s) => {
    s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 100n * USD, aprBps: 1000 })));
    return s.sign(alice, 'post-lend-offer', lendOffer({ amount: 100n * USD, aprBps: 1100 }));
  }),
  refusal('offer-above-balance', 'Alice offers more USD than she holds.', market(), T0, 'INSUFFICIENT_FUNDS', (s) => s.sign(alice, 'post-lend-offer', lendOffer({ amount: 10_000n * USD + 1n, aprBps: 1000 }))),
  refusal('request-collateral-above-balance', 'Bob offers more COL than he holds as collateral.', market(), T0, 'INSUFFICIENT_FUNDS', (s) =>
    s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 100n * USD, maxAprBps: 1000, partial: true, collateral: { asset: 'COL', amount: 1_000n * COL + 1n } })),
  ),
  refusal('cancel-unknown-order', 'There is no order 7.', market(), T0, 'ORDER_NOT_FOUND', (s) => s.sign(alice, 'cancel-order', { orderId: 7 })),
  refusal('take-expired-offer', 'The offer expires at T0+3600; Bob takes it in the block at T0+3600, before the end-of-block rule closes it.', market(), T0 + 3600, 'OFFER_EXPIRED', (s) => {
    s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 100n * USD, aprBps: 1000, expiresAt: T0 + 3600 })));
    return s.sign(bob, 'take-offer', { orderId: 1, amount: 50n * USD });
  }),
  refusal('take-a-request', 'take-offer names a borrow request.', market(), T0 + 10, 'WRONG_ORDER_SIDE', (s) => {
    s.block(T0, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 100n * USD, maxAprBps: 1000, partial: true })));
    return s.sign(carol, 'take-offer', { orderId: 1, amount: 50n * USD });
  }),
  refusal('cancel-someone-elses-order', 'Bob tries to cancel Alice’s offer.', market(), T0 + 10, 'NOT_ORDER_OWNER', (s) => {
    s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 100n * USD, aprBps: 1000 })));
    return s.sign(bob, 'cancel-order', { orderId: 1 });
  }),
  refusal('take-own-offer', 'Alice tries to borrow from her own offer.', market(), T0 + 10, 'SELF_MATCH', (s) => {
    s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 100n * USD, aprBps: 1000 })));
    return s.sign(alice, 'take-offer', { orderId: 1, amount: 50n * USD });
  }),
  refusal('take-below-minimum-ticket', 'The offer lends 300 to 800 at a time; Bob asks 299.', market(), T0 + 10, 'TICKET_OUT_OF_RANGE', (s) => {
    s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 1_000n * USD, aprBps: 900, minTicket: 300n * USD, maxTicket: 800n * USD })));
    return s.sign(bob, 'take-offer', { orderId: 1, amount: 299n * USD });
  }),
  refusal('take-above-maximum-ticket', 'The offer lends 300 to 800 at a time; Bob asks 801.', market(), T0 + 10, 'TICKET_OUT_OF_RANGE', (s) => {
    s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 1_000n * USD, aprBps: 900, minTicket: 300n * USD, maxTicket: 800n * USD })));
    return s.sign(bob, 'take-offer', { orderId: 1, amount: 801n * USD });
  }),
  refusal('take-more-than-remains', 'The offer has 100 USD; Bob asks 101.', market(), T0 + 10, 'EXCEEDS_REMAINING', (s) => {
    s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 100n * USD, aprBps: 1000 })));
    return s.sign(bob, 'take-offer', { orderId: 1, amount: 101n * USD });
  }),
  refusal('fund-more-than-remains', 'The request needs 100 USD; Alice funds 101.', market(), T0 + 10, 'EXCEEDS_REMAINING', (s) => {
    s.block(T0, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 100n * USD, maxAprBps: 1000, partial: true })));
    return s.sign(alice, 'fund-request', { orderId: 1, amount: 101n * USD });
  }),
  refusal('take-without-enough-collateral', 'The offer asks 1.5 COL per USD; 700 USD needs 1,050 COL and Bob holds 1,000.', market(), T0 + 10, 'INSUFFICIENT_COLLATERAL', (s) => {
    s.block(T0, s.sign(alice, 'post-lend-offer', lendOffer({ amount: 1_000n * USD, aprBps: 1000, collateral: { asset: 'COL', ratioBps: 15_000 } })));
    return s.sign(bob, 'take-offer', { orderId: 1, amount: 700n * USD });
  }),
  refusal('one-lender-too-many', 'With at most one lender per loan, Carol funds a request Alice already funded.', market(LENDING_FUNDS, { maxLendersPerLoan: 1 }), T0 + 20, 'LENDER_LIMIT', (s) => {
    s.block(T0, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 500n * USD, maxAprBps: 1000, partial: true })));
    s.block(T0 + 10, s.sign(alice, 'fund-request', { orderId: 1, amount: 100n * USD }));
    return s.sign(carol, 'fund-request', { orderId: 1, amount: 100n * USD });
  }),
  refusal('accept-all-or-nothing-request', 'Bob accepts partial funding of a request he posted as all or nothing.', market(), T0 + 20, 'PARTIAL_NOT_ALLOWED', (s) => {
    s.block(T0, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 500n * USD, maxAprBps: 1000, partial: false })));
    s.block(T0 + 10, s.sign(alice, 'fund-request', { orderId: 1, amount: 100n * USD }));
    return s.sign(bob, 'accept-funding', { orderId: 1 });
  }),
  refusal('accept-with-nothing-committed', 'Bob accepts the funding of a request no lender has funded.', market(), T0 + 10, 'NOTHING_COMMITTED', (s) => {
    s.block(T0, s.sign(bob, 'post-borrow-request', borrowRequest({ amount: 500n * USD, maxAprBps: 1000, partial: true })));
    return s.sign(bob, 'accept-funding', { orderId: 1 });
  }),
];

const loanRefusals = (): VectorCase[] => [
  refusal('repay-unknown-loan', 'There is no loan 9.', market(), T0, 'LOAN_NOT_FOUND', (s) => s.sign(bob, 'repay', { loanId: 9, amount: 1n })),
  refusal('repay-a-repaid-loan', 'Bob paid the loan off; a further payment is refused.', market(), T0 + 1000, 'LOAN_CLOSED', (s) => {
    bulletLoan(s);
    s.block(T0 + 500, s.sign(bob, 'prepay', { loanId: 1 }));
    return s.sign(bob, 'repay', { loanId: 1, amount: 1n });
  }),
  refusal('prepay-by-a-lender', 'Only the borrower may pay a loan off early.', market(), T0 + 1000, 'NOT_BORROWER', (s) => {
    bulletLoan(s);
    return s.sign(alice, 'prepay', { loanId: 1 });
  }),
  refusal('repay-more-than-owed', 'The loan owes 1,030 USD in all; Bob sends 1,030.000001.', market(), T0 + 1000, 'OVERPAYMENT', (s) => {
    bulletLoan(s);
    return s.sign(bob, 'repay', { loanId: 1, amount: 1_030n * USD + 1n });
  }),
  refusal('declare-default-too-early', 'One second before due+120 the loan is late but not in default.', market(), T0 + 100 + MONTH + DEFAULT_PERIOD - 1, 'NOT_IN_DEFAULT', (s) => {
    bulletLoan(s);
    return s.sign(alice, 'declare-default', { loanId: 1 });
  }),
];

// ---- writing -------------------------------------------------------------------------------

const TOPICS: readonly (readonly [string, () => VectorCase[]])[] = [
  ['assets', assetCases],
  ['orders', orderCases],
  ['matching', matchingCases],
  ['loans', loanCases],
  ['lateness-default', latenessCases],
  ['refusals-decoding', decodingRefusals],
  ['refusals-assets', assetRefusals],
  ['refusals-orders', orderRefusals],
  ['refusals-loans', loanRefusals],
];

/** Re-reads a written file and replays it, so what is written is exactly what the runner checks. */
function verifyFile(file: string, text: string): void {
  for (const vector of parseVectorFile(text, file)) {
    const replay = replayCase(vector);
    const last = replay.outcomes.at(-1);
    if (vector.error) {
      if (!last || last.ok || last.code !== vector.error.code) throw new Error(`${file} ${vector.name}: replay did not refuse with ${vector.error.code}`);
      if (!isDeepStrictEqual(replay.after, replay.before)) throw new Error(`${file} ${vector.name}: replayed refusal changed the state`);
    } else if (vector.post) {
      const events = replay.outcomes.map((outcome) => (outcome.ok ? outcome.events : undefined));
      if (!isDeepStrictEqual(events, vector.post.events) || !isDeepStrictEqual(replay.after, vector.post.state)) {
        throw new Error(`${file} ${vector.name}: replay differs from the generated outcome`);
      }
    }
  }
}

function main(): void {
  const outDir = fileURLToPath(new URL('./vectors/', import.meta.url));
  const files = new Map<string, string>();
  const all: VectorCase[] = [];
  for (const [topic, build] of TOPICS) {
    const cases = build();
    all.push(...cases);
    const file = `${topic}.json`;
    const text = formatVectorJson(cases);
    verifyFile(file, text);
    files.set(file, text);
  }

  const { txTypes, refusalCodes } = coverageOf(all);
  const missingTypes = TX_DEFINITIONS.map((d) => d.type).filter((type) => !txTypes.has(type));
  const missingCodes = REFUSAL_CODES.filter((code) => !refusalCodes.has(code));
  if (missingTypes.length > 0 || missingCodes.length > 0) {
    throw new Error(`vectors do not cover: ${[...missingTypes.map((t) => `tx ${t}`), ...missingCodes.map((c) => `refusal ${c}`)].join(', ')}`);
  }

  mkdirSync(outDir, { recursive: true });
  for (const existing of readdirSync(outDir)) {
    // The runner replays every file here; one this generator no longer writes is left for a person to delete.
    if (existing.endsWith('.json') && !files.has(existing)) console.warn(`vectors/${existing} is not written by this generator: delete it if it is stale`);
  }
  for (const [file, text] of files) writeFileSync(new URL(`./vectors/${file}`, import.meta.url), text);
  console.log(`wrote ${all.length} cases in ${files.size} files to contracts/test/vectors`);
}

main();
