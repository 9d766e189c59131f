/**
 * Test support: a market chain with a validator set, driven through `processTransaction` one
 * signed transaction at a time, with each account's nonce read from the state so a refused
 * transaction costs no nonce.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Validator } from '../chain/block.js';
import type { CanonicalValue } from '../codec/canonical.js';
import type { RefusalCode } from '../errors.js';
import type { MarketEvent } from '../events.js';
import { genesisState, processTransaction, type TxOutcome } from '../machine.js';
import type { MarketState } from '../state/market-state.js';
import { CHAIN_ID, signed, testGenesis, testKey } from '../test/fixtures.js';
import type { KeyPair } from '../tx/keys.js';
import type { ValidatorSetRecord } from './validator-set.js';

/** The deterministic key of validator `i` in these tests. */
export const validatorKey = (i: number): KeyPair => testKey(`validator-${i}`);

/** An account that validates nothing. */
export const outsider = testKey('outsider');

export class ValidatorChain {
  /** The block time of a height: ten seconds a block. */
  static timeOf(height: number): number {
    return 1_000 + 10 * height;
  }

  /** A chain whose genesis set is one validator of each power, `validator-0` first. */
  static withPowers(powers: readonly number[]): ValidatorChain {
    const keys = powers.map((_, i) => validatorKey(i));
    return new ValidatorChain(keys, genesisState(testGenesis(), keys.map((key, i) => ({ account: key.account, power: powers[i]! }))));
  }

  /** A market with no validators record, as the contracts' own tests run it. */
  static withoutValidators(): ValidatorChain {
    return new ValidatorChain([], genesisState(testGenesis()));
  }

  private constructor(
    readonly keys: readonly KeyPair[],
    readonly state: MarketState,
  ) {}

  /** The genesis validator `i`. */
  key(i: number): KeyPair {
    return this.keys[i] ?? validatorKey(i);
  }

  record(): ValidatorSetRecord {
    const record = this.state.validatorSet();
    if (!record) throw new Error('this chain has no validators record');
    return record;
  }

  submit(height: number, key: KeyPair, type: string, body: CanonicalValue, chainId = CHAIN_ID): TxOutcome {
    const tx = signed(key, this.state.account(key.account).nonce, type, body, chainId);
    return processTransaction(this.state, { height, time: ValidatorChain.timeOf(height) }, tx.encoded);
  }

  /** A transaction that must apply; returns its events. */
  ok(height: number, key: KeyPair, type: string, body: CanonicalValue): MarketEvent[] {
    const outcome = this.submit(height, key, type, body);
    if (!outcome.ok) throw new Error(`${type} at height ${height} was refused: ${outcome.refusal.code} (${outcome.refusal.message})`);
    return outcome.events;
  }

  /** A transaction that must be refused and leave every record as it was; returns the code. */
  refused(height: number, key: KeyPair, type: string, body: CanonicalValue, chainId = CHAIN_ID): RefusalCode {
    const before = this.state.entries();
    const outcome = this.submit(height, key, type, body, chainId);
    if (outcome.ok) throw new Error(`${type} at height ${height} was accepted`);
    if (!isDeepStrictEqual(this.state.entries(), before)) throw new Error(`the refused ${type} changed the state`);
    return outcome.refusal.code;
  }

  propose(height: number, key: KeyPair, account: string, power: number): MarketEvent[] {
    return this.ok(height, key, 'propose-validator-change', { account, power });
  }

  approve(height: number, key: KeyPair, proposal: number): MarketEvent[] {
    return this.ok(height, key, 'approve-validator-change', { proposal });
  }

  refusedProposal(height: number, key: KeyPair, account: string, power: number): RefusalCode {
    return this.refused(height, key, 'propose-validator-change', { account, power });
  }

  refusedApproval(height: number, key: KeyPair, proposal: number): RefusalCode {
    return this.refused(height, key, 'approve-validator-change', { proposal });
  }
}

/** A set as [account, power] pairs, for short expectations. */
export function powersOf(validators: readonly Validator[]): [string, number][] {
  return validators.map((v) => [v.account, v.power]);
}
