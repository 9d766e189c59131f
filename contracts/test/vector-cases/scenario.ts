import { isDeepStrictEqual } from 'node:util';
import type { Validator } from '../../chain/block.js';
import type { CanonicalValue } from '../../codec/canonical.js';
import type { RefusalCode } from '../../errors.js';
import type { MarketEvent } from '../../events.js';
import { endBlock, genesisState, processTransaction } from '../../machine.js';
import type { MarketGenesis } from '../../params.js';
import type { MarketState } from '../../state/market-state.js';
import type { CreditRecord, Loan, Order } from '../../state/records.js';
import { signTransaction } from '../../tx/envelope.js';
import type { KeyPair } from '../../tx/keys.js';
import { CHAIN_ID } from '../fixtures.js';
import { eventsJson, genesisToJson, type Json, type PreBlock, stateSnapshot, type VectorCase, type VectorStep } from '../vector-format.js';

/**
 * Builds one case by running it: pre blocks first (each transaction must succeed), then the
 * steps, then either nothing more (a post case) or one refused transaction (an error case).
 */
export class Scenario {
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
    /** For a chain committed by a network: its genesis validators (the state's `validators` record). */
    readonly validators?: readonly Validator[],
  ) {
    this.state = genesisState(genesis, validators);
  }

  /** Signs with the account's next nonce. */
  sign(key: KeyPair, type: string, body: CanonicalValue): string {
    const nonce = this.nonces.get(key.account) ?? 0n;
    this.nonces.set(key.account, nonce + 1n);
    return signTransaction({ chainId: CHAIN_ID, type, signer: key.account, nonce, body }, key.secretKey).encoded;
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
      pre: { genesis: genesisToJson(this.genesis, this.validators), blocks: this.blocks },
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

/** A case that must run as `body` says; the case is what it did. */
export function scenario(name: string, description: string, genesis: MarketGenesis, body: (s: Scenario) => void): VectorCase {
  const s = new Scenario(name, description, genesis);
  body(s);
  return s.build();
}

/** A refusal case: `setup` runs the pre blocks and returns the refused wire, sent at `time`. */
export function refusal(name: string, description: string, genesis: MarketGenesis, time: number, code: RefusalCode, setup: (s: Scenario) => string): VectorCase {
  return scenario(name, description, genesis, (s) => s.refused(time, setup(s), code));
}
