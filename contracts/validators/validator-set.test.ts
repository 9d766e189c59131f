import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Validator } from '../chain/block.js';
import { isRefusal } from '../errors.js';
import { genesisState } from '../machine.js';
import { decodeRecord, encodeRecord } from '../state/record-codec.js';
import { stateKey } from '../state/records.js';
import { testGenesis, testKey } from '../test/fixtures.js';
import {
  ADOPTION_DELAY,
  applyChange,
  approvedBy,
  checkChange,
  genesisValidatorSet,
  MAX_VALIDATORS,
  requireNoChangeInFlight,
  requireValidator,
  totalPower,
  type ValidatorSetRecord,
  validatorsAt,
} from './validator-set.js';
import { outsider, validatorKey } from './validator-test-kit.js';

const set = (powers: readonly number[]): Validator[] => powers.map((power, i) => ({ account: validatorKey(i).account, power }));
const account = (i: number): string => validatorKey(i).account;
const newcomer = testKey('newcomer').account;

/** The refusal code `run` throws, or 'none'. */
function codeOf(run: () => void): string {
  try {
    run();
    return 'none';
  } catch (error) {
    if (isRefusal(error)) return error.code;
    throw error;
  }
}

describe('the genesis validators record', () => {
  it('genesisState writes the set, committing from height 1, with no proposals', () => {
    const validators = set([1, 1, 1, 1]);
    const state = genesisState(testGenesis(), validators);
    expect(state.validatorSet()).toEqual({ validators, from: 1, previous: validators, adoptedAt: 0, proposals: [], nextProposal: 1 });
    expect(state.entries().map(([key]) => key)).toContain(stateKey.validators());
  });

  it('a market run without a network has no validators record', () => {
    const state = genesisState(testGenesis());
    expect(state.validatorSet()).toBeUndefined();
    expect(state.entries().map(([key]) => key)).not.toContain(stateKey.validators());
  });

  it('keeps only account and power of each validator, in genesis order', () => {
    const record = genesisValidatorSet([{ account: account(2), power: 7 }, { account: account(0), power: 3 }]);
    expect(record.validators).toEqual([{ account: account(2), power: 7 }, { account: account(0), power: 3 }]);
    expect(record.previous).toEqual(record.validators);
  });

  it('is what docs/protocol.md §13.1 shows for a genesis of powers 2 and 1', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/protocol.md', import.meta.url)), 'utf8');
    const shown = /^```json lendnet-validators-record\n(.*)\n```$/m.exec(doc)?.[1];
    expect(shown).toBe(encodeRecord(genesisValidatorSet(set([2, 1]))));
  });

  it('round-trips through its canonical encoding', () => {
    const record: ValidatorSetRecord = {
      ...genesisValidatorSet(set([5, 2])),
      proposals: [{ id: 3, account: newcomer, power: 4, proposer: account(0), height: 9, approvals: [account(0)] }],
      nextProposal: 4,
    };
    const text = encodeRecord(record);
    expect(decodeRecord(stateKey.validators(), text)).toEqual(record);
  });
});

describe('validatorsAt', () => {
  const before = set([1, 1, 1, 1]);
  const after = set([1, 1, 1]);
  const record: ValidatorSetRecord = { validators: after, from: 12, previous: before, adoptedAt: 12 - ADOPTION_DELAY, proposals: [], nextProposal: 2 };

  it('gives the previous set below `from` and the new set from `from` on', () => {
    expect(validatorsAt(record, 10)).toBe(before);
    expect(validatorsAt(record, 11)).toBe(before);
    expect(validatorsAt(record, 12)).toBe(after);
    expect(validatorsAt(record, 1_000)).toBe(after);
  });

  it('gives the genesis set at every height of a fresh chain', () => {
    const genesis = genesisValidatorSet(before);
    expect(validatorsAt(genesis, 1)).toEqual(before);
    expect(validatorsAt(genesis, 99)).toEqual(before);
  });
});

describe('applyChange', () => {
  const validators = set([1, 2, 3]);

  it('appends a new validator at the end', () => {
    expect(applyChange(validators, { account: newcomer, power: 4 })).toEqual([...validators, { account: newcomer, power: 4 }]);
  });

  it('changes a power in place', () => {
    expect(applyChange(validators, { account: account(1), power: 9 })).toEqual([validators[0], { account: account(1), power: 9 }, validators[2]]);
  });

  it('removes a validator with power 0, keeping the others in order', () => {
    expect(applyChange(validators, { account: account(1), power: 0 })).toEqual([validators[0], validators[2]]);
  });

  it('leaves the set it was given untouched', () => {
    applyChange(validators, { account: account(0), power: 0 });
    expect(validators).toEqual(set([1, 2, 3]));
  });
});

describe('checkChange', () => {
  it('accepts an add, a power change and a removal', () => {
    expect(codeOf(() => checkChange(set([1, 1]), { account: newcomer, power: 1 }))).toBe('none');
    expect(codeOf(() => checkChange(set([1, 1]), { account: account(0), power: 5 }))).toBe('none');
    expect(codeOf(() => checkChange(set([1, 1]), { account: account(0), power: 0 }))).toBe('none');
  });

  it('refuses removing an account that is not a validator', () => {
    expect(codeOf(() => checkChange(set([1, 1]), { account: newcomer, power: 0 }))).toBe('INVALID_VALIDATOR_CHANGE');
  });

  it('refuses adding a key that breaks the account-key rule, but lets such a validator be removed', () => {
    const identity = `01${'00'.repeat(31)}`;
    expect(codeOf(() => checkChange(set([1, 1]), { account: identity, power: 1 }))).toBe('INVALID_VALIDATOR_CHANGE');
    const withDeadKey = [...set([1, 1]), { account: identity, power: 1 }];
    expect(codeOf(() => checkChange(withDeadKey, { account: identity, power: 0 }))).toBe('none');
  });

  it('refuses a change to the power a validator already has', () => {
    expect(codeOf(() => checkChange(set([1, 3]), { account: account(1), power: 3 }))).toBe('INVALID_VALIDATOR_CHANGE');
  });

  it('refuses removing the last validator', () => {
    expect(codeOf(() => checkChange(set([4]), { account: account(0), power: 0 }))).toBe('INVALID_VALIDATOR_CHANGE');
  });

  it('refuses growing a set past MAX_VALIDATORS', () => {
    const full = Array.from({ length: MAX_VALIDATORS }, (_, i) => ({ account: i.toString(16).padStart(64, '0'), power: 1 }));
    expect(codeOf(() => checkChange(full, { account: newcomer, power: 1 }))).toBe('INVALID_VALIDATOR_CHANGE');
    expect(codeOf(() => checkChange(full, { account: full[0]!.account, power: 2 }))).toBe('none');
  });
});

describe('approvedBy', () => {
  it('needs more than 2/3 of the power: 3 of 4 equal validators, not 2', () => {
    const validators = set([1, 1, 1, 1]);
    expect(approvedBy(validators, [account(0), account(1)])).toEqual({ power: 2n, total: 4n, adopted: false });
    expect(approvedBy(validators, [account(0), account(1), account(2)])).toEqual({ power: 3n, total: 4n, adopted: true });
  });

  it('exactly 2/3 is not enough', () => {
    expect(approvedBy(set([1, 1, 1]), [account(0), account(1)]).adopted).toBe(false);
    expect(approvedBy(set([4, 2, 3]), [account(0), account(1)])).toEqual({ power: 6n, total: 9n, adopted: false });
    expect(approvedBy(set([4, 2, 3]), [account(0), account(2)])).toEqual({ power: 7n, total: 9n, adopted: true });
  });

  it('weighs approvers by power, ignoring accounts outside the set and repeats', () => {
    const validators = set([5, 2, 2, 1]);
    expect(approvedBy(validators, [account(1), account(2), account(3)])).toEqual({ power: 5n, total: 10n, adopted: false });
    expect(approvedBy(validators, [account(0), account(1)])).toEqual({ power: 7n, total: 10n, adopted: true });
    expect(approvedBy(validators, [account(0), account(0), outsider.account, newcomer]).power).toBe(5n);
  });

  it('a lone validator is a quorum on its own', () => {
    expect(approvedBy(set([3]), [account(0)]).adopted).toBe(true);
  });

  it('totals power as a bigint', () => {
    expect(totalPower(set([1_000_000, 1_000_000, 7]))).toBe(2_000_007n);
  });
});

describe('requireValidator and requireNoChangeInFlight', () => {
  const before = set([1, 1, 1, 1]);
  const after = set([1, 1, 1]);
  const record: ValidatorSetRecord = { validators: after, from: 12, previous: before, adoptedAt: 10, proposals: [], nextProposal: 2 };

  it('checks the signer against the set in effect at the height', () => {
    expect(requireValidator(record, 11, account(3))).toBe(before);
    expect(codeOf(() => requireValidator(record, 12, account(3)))).toBe('NOT_A_VALIDATOR');
    expect(requireValidator(record, 12, account(0))).toBe(after);
    expect(codeOf(() => requireValidator(record, 11, outsider.account))).toBe('NOT_A_VALIDATOR');
  });

  it('refuses every signer on a chain without a validators record', () => {
    expect(codeOf(() => requireValidator(undefined, 1, account(0)))).toBe('NOT_A_VALIDATOR');
  });

  it('refuses while an adopted change has yet to take effect', () => {
    expect(codeOf(() => requireNoChangeInFlight(record, 10))).toBe('VALIDATOR_CHANGE_PENDING');
    expect(codeOf(() => requireNoChangeInFlight(record, 11))).toBe('VALIDATOR_CHANGE_PENDING');
    expect(codeOf(() => requireNoChangeInFlight(record, 12))).toBe('none');
  });
});
