import { describe, expect, it } from 'vitest';
import { type BlockHeader, blockHash, type CommitCertificate, GENESIS_PREVIOUS_HASH, precommitBytes, type Validator, validatorsHash } from '../chain/block.js';
import { type CanonicalValue, encodeCanonical, parseJson, toHex } from '../codec/canonical.js';
import { stateProofOf, stateRootOf, stateValueBytes } from '../proofs/state-proof.js';
import { encodeRecord } from '../state/record-codec.js';
import { stateKey, type StateValue } from '../state/records.js';
import { CHAIN_ID, testKey } from '../test/fixtures.js';
import { type KeyPair, signMessage } from '../tx/keys.js';
import { ValidatorHistory, ValidatorHistoryError, type ValidatorSetChange, validatorChangesDecoder, verifyValidatorHistory } from './validator-history.js';
import { type ValidatorSetRecord, validatorsAt } from './validator-set.js';
import { ValidatorChain } from './validator-test-kit.js';

const newcomer = testKey('newcomer');
const stranger = testKey('stranger');

type Entries = readonly (readonly [string, StateValue])[];

interface BlockProof {
  readonly height: number;
  /** Every record of the state after the block. */
  readonly entries: Entries;
  /** The set the header names and whose keys sign the commit. */
  readonly set: readonly Validator[];
  readonly signers: readonly KeyPair[];
  readonly chainId?: string;
  /** The record text the change carries, when it is not the state's. */
  readonly recordText?: string;
}

/** A header over the state's root, a commit signed by `signers`, and the `validators` record with its proof. */
function provenChange(block: BlockProof): ValidatorSetChange {
  const records = block.entries.map(([key, value]) => [key, stateValueBytes(value)] as const);
  const chainId = block.chainId ?? CHAIN_ID;
  const header: BlockHeader = {
    chainId,
    height: block.height,
    time: ValidatorChain.timeOf(block.height),
    previousHash: GENESIS_PREVIOUS_HASH,
    txRoot: '00'.repeat(32),
    stateRoot: toHex(stateRootOf(records)),
    validatorsHash: validatorsHash(block.set),
    proposer: block.set[0]!.account,
  };
  const hash = blockHash(header);
  const message = precommitBytes(chainId, block.height, 0, hash);
  const commit: CommitCertificate = {
    height: block.height,
    round: 0,
    blockHash: hash,
    precommits: block.signers.map((key) => ({ validator: key.account, signature: toHex(signMessage(key.secretKey, message)) })),
  };
  const record = block.entries.find(([key]) => key === stateKey.validators())?.[1] as ValidatorSetRecord;
  return { header, commit, record: block.recordText ?? encodeRecord(record), proof: stateProofOf(records, stateKey.validators()) };
}

/** The state's records with the `validators` record replaced. */
function withRecord(entries: Entries, record: ValidatorSetRecord): Entries {
  return entries.map(([key, value]) => [key, key === stateKey.validators() ? record : value] as const);
}

/**
 * A real chain of four validators of power 1: at height 3 three of them add the newcomer (the
 * set of five commits from 5); at height 6 four of the five remove validator-0 (from 8).
 */
function twoChanges() {
  const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
  const [v0, v1, v2, v3] = [0, 1, 2, 3].map((i) => chain.key(i)) as [KeyPair, KeyPair, KeyPair, KeyPair];
  const genesis = chain.record().validators;
  chain.propose(3, v0, newcomer.account, 1);
  chain.approve(3, v1, 1);
  chain.approve(3, v2, 1);
  const afterFirst = chain.state.entries();
  const first = chain.record();
  chain.propose(6, newcomer, v0.account, 0);
  chain.approve(6, v1, 2);
  chain.approve(6, v2, 2);
  chain.approve(6, v3, 2);
  const second = chain.record();
  return {
    genesis,
    first,
    second,
    afterFirst,
    keys: { v0, v1, v2, v3 },
    // Each block is committed by the set the state gives for its height, as a node would.
    change1: provenChange({ height: 3, entries: afterFirst, set: validatorsAt(first, 3), signers: [v0, v1, v2] }),
    change2: provenChange({ height: 6, entries: chain.state.entries(), set: validatorsAt(second, 6), signers: [v1, v2, v3, newcomer] }),
  };
}

function historyError(run: () => unknown): ValidatorHistoryError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidatorHistoryError) return error;
    throw error;
  }
  throw new Error('the history verified');
}

describe('verifyValidatorHistory', () => {
  it('a chain of two changes gives the set of every height', () => {
    const { genesis, first, second, change1, change2, keys } = twoChanges();
    const history = verifyValidatorHistory(CHAIN_ID, genesis, [change1, change2]);
    for (const height of [1, 2, 3, 4]) expect(history.at(height), `height ${height}`).toEqual(genesis);
    for (const height of [5, 6, 7]) expect(history.at(height), `height ${height}`).toEqual(first.validators);
    for (const height of [8, 9, 1_000]) expect(history.at(height), `height ${height}`).toEqual(second.validators);
    expect(history.sets().map((epoch) => epoch.from)).toEqual([1, 5, 8]);
    expect(history.at(7).map((v) => v.account)).toEqual([keys.v0, keys.v1, keys.v2, keys.v3, newcomer].map((key) => key.account));
    expect(history.at(8).map((v) => v.account)).toEqual([keys.v1, keys.v2, keys.v3, newcomer].map((key) => key.account));
  });

  it('no changes leave the genesis set at every height', () => {
    const { genesis } = twoChanges();
    const history = verifyValidatorHistory(CHAIN_ID, genesis, []);
    expect(history.at(1)).toEqual(genesis);
    expect(history.at(10_000)).toEqual(genesis);
  });

  it('extend returns a new history and leaves the one it extends as it was', () => {
    const { genesis, first, change1 } = twoChanges();
    const base = ValidatorHistory.ofGenesis(genesis);
    const extended = base.extend(CHAIN_ID, change1);
    expect(base.at(5)).toEqual(genesis);
    expect(extended.at(5)).toEqual(first.validators);
    expect(base.sets()).toHaveLength(1);
  });

  it('changes survive the canonical JSON they travel in', () => {
    const { genesis, change1, change2 } = twoChanges();
    const wire = encodeCanonical([change1, change2] as unknown as CanonicalValue);
    const decoded = validatorChangesDecoder(parseJson(wire, 1 << 20), 'changes');
    expect(decoded).toEqual([change1, change2]);
    expect(verifyValidatorHistory(CHAIN_ID, genesis, decoded).at(8)).toHaveLength(4);
  });
});

describe('verifyValidatorHistory refuses', () => {
  it('a change for another chain', () => {
    const { genesis, change1 } = twoChanges();
    const error = historyError(() => verifyValidatorHistory('lendnet-other', genesis, [change1]));
    expect(error.message).toBe(`the validator change at height 3: it is for chain ${CHAIN_ID}`);
  });

  it('a commit with a forged signature', () => {
    const { genesis, change1 } = twoChanges();
    const [first, ...rest] = change1.commit.precommits;
    const forged = { ...first!, signature: toHex(signMessage(stranger.secretKey, precommitBytes(CHAIN_ID, 3, 0, change1.commit.blockHash))) };
    const change = { ...change1, commit: { ...change1.commit, precommits: [forged, ...rest] } };
    const error = historyError(() => verifyValidatorHistory(CHAIN_ID, genesis, [change]));
    expect(error.message).toMatch(/^the validator change at height 3: its commit does not verify .*BAD_PRECOMMIT_SIGNATURE/);
  });

  it('a commit signed by keys outside the set, or by too little power', () => {
    const { genesis, afterFirst, first, keys } = twoChanges();
    const set = validatorsAt(first, 3);
    const outsiders = provenChange({ height: 3, entries: afterFirst, set, signers: [keys.v0, keys.v1, stranger] });
    expect(historyError(() => verifyValidatorHistory(CHAIN_ID, genesis, [outsiders])).message).toContain('UNKNOWN_VALIDATOR');
    const twoOfFour = provenChange({ height: 3, entries: afterFirst, set, signers: [keys.v0, keys.v1] });
    expect(historyError(() => verifyValidatorHistory(CHAIN_ID, genesis, [twoOfFour])).message).toContain('NO_QUORUM');
  });

  it('a change checked against the wrong set, because the one before it was left out', () => {
    const { genesis, change2 } = twoChanges();
    const error = historyError(() => verifyValidatorHistory(CHAIN_ID, genesis, [change2]));
    expect(error.message).toMatch(/^the validator change at height 6: its commit does not verify .*WRONG_VALIDATOR_SET/);
  });

  it('a record whose proof does not match the state root', () => {
    const { genesis, first, change1, change2 } = twoChanges();
    const altered = encodeRecord({ ...first, validators: first.validators.map((v) => ({ ...v, power: 5 })) });
    const error = historyError(() => verifyValidatorHistory(CHAIN_ID, genesis, [{ ...change1, record: altered }]));
    expect(error.message).toBe("the validator change at height 3: its record's proof does not verify against the block's state root");
    const otherProof = historyError(() => verifyValidatorHistory(CHAIN_ID, genesis, [{ ...change1, proof: change2.proof }]));
    expect(otherProof.message).toContain("proof does not verify against the block's state root");
  });

  it('a record that is not in canonical form', () => {
    const { genesis, change1 } = twoChanges();
    const spaced = JSON.stringify(JSON.parse(change1.record), null, 1);
    const error = historyError(() => verifyValidatorHistory(CHAIN_ID, genesis, [{ ...change1, record: spaced }]));
    expect(error.message).toBe('the validator change at height 3: its record is not a validator set in canonical form');
  });

  it('a record that was not adopted in that block', () => {
    const { genesis, first, afterFirst, change1, keys } = twoChanges();
    // Height 4's state still holds the record adopted at 3: a proof of it adopts nothing.
    const height4 = provenChange({ height: 4, entries: afterFirst, set: validatorsAt(first, 4), signers: [keys.v0, keys.v1, keys.v2] });
    expect(historyError(() => verifyValidatorHistory(CHAIN_ID, genesis, [height4])).message).toBe('the validator change at height 4: its record was not adopted in this block');
    const height7 = provenChange({ height: 7, entries: afterFirst, set: validatorsAt(first, 7), signers: [keys.v1, keys.v2, keys.v3, newcomer] });
    expect(historyError(() => verifyValidatorHistory(CHAIN_ID, genesis, [change1, height7])).message).toBe('the validator change at height 7: its record was not adopted in this block');
  });

  it('a record whose set takes effect at the wrong height', () => {
    const { genesis, first, afterFirst, keys } = twoChanges();
    const early = withRecord(afterFirst, { ...first, from: 4 });
    const change = provenChange({ height: 3, entries: early, set: genesis, signers: [keys.v0, keys.v1, keys.v2] });
    expect(historyError(() => verifyValidatorHistory(CHAIN_ID, genesis, [change])).message).toBe('the validator change at height 3: its record was not adopted in this block');
  });

  it('a record whose previous set is not the one in effect', () => {
    const { genesis, first, afterFirst, keys } = twoChanges();
    const forged = withRecord(afterFirst, { ...first, previous: genesis.slice(0, 3) });
    const change = provenChange({ height: 3, entries: forged, set: genesis, signers: [keys.v0, keys.v1, keys.v2] });
    expect(historyError(() => verifyValidatorHistory(CHAIN_ID, genesis, [change])).message).toBe('the validator change at height 3: the set its record replaces is not the one in effect');
  });

  it('a record that leaves no validator', () => {
    const { genesis, first, afterFirst, keys } = twoChanges();
    const empty = withRecord(afterFirst, { ...first, validators: [] });
    const change = provenChange({ height: 3, entries: empty, set: genesis, signers: [keys.v0, keys.v1, keys.v2] });
    expect(historyError(() => verifyValidatorHistory(CHAIN_ID, genesis, [change])).message).toBe('the validator change at height 3: its record holds no valid set');
  });

  it('a change adopted before the one before it took effect', () => {
    const { genesis, first, afterFirst, change1, keys } = twoChanges();
    // Adopted at 4, while the set adopted at 3 commits only from 5.
    const hasty = withRecord(afterFirst, { ...first, validators: first.validators.slice(1), previous: first.validators, adoptedAt: 4, from: 6 });
    const change = provenChange({ height: 4, entries: hasty, set: validatorsAt(first, 4), signers: [keys.v0, keys.v1, keys.v2] });
    const error = historyError(() => verifyValidatorHistory(CHAIN_ID, genesis, [change1, change]));
    expect(error.message).toBe('the validator change at height 4: it comes before the set of height 5 took effect');
  });

  it('changes out of height order', () => {
    const { genesis, change1, change2 } = twoChanges();
    const error = historyError(() => verifyValidatorHistory(CHAIN_ID, genesis, [change2, change1]));
    expect(error.message).toMatch(/^the validator change at height 6: /);
    expect(error.name).toBe('ValidatorHistoryError');
  });
});
