import { describe, expect, it } from 'vitest';
import { testKey } from '../test/fixtures.js';
import { MAX_OPEN_PROPOSALS, validatorsAt } from './validator-set.js';
import { outsider, powersOf, ValidatorChain } from './validator-test-kit.js';

const newcomer = testKey('newcomer');
const candidate = (i: number) => testKey(`candidate-${i}`);

describe('propose-validator-change and approve-validator-change, four validators of power 1', () => {
  it('a proposal opens with the proposer as its first approval', () => {
    const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
    const events = chain.propose(5, chain.key(0), newcomer.account, 1);
    const proposal = { id: 1, account: newcomer.account, power: 1, proposer: chain.key(0).account, height: 5, approvals: [chain.key(0).account] };
    expect(chain.record().proposals).toEqual([proposal]);
    expect(chain.record().nextProposal).toBe(2);
    expect(events).toEqual([
      { type: 'validatorChangeProposed', proposal: { ...proposal, approvals: [] } },
      { type: 'validatorChangeApproved', proposal: 1, approver: chain.key(0).account, approvedPower: 1, totalPower: 4 },
    ]);
    expect(validatorsAt(chain.record(), 1_000)).toHaveLength(4);
  });

  it('two of four approvals are not 2/3: the proposal stays open', () => {
    const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
    chain.propose(5, chain.key(0), newcomer.account, 1);
    const events = chain.approve(6, chain.key(1), 1);
    expect(events).toEqual([{ type: 'validatorChangeApproved', proposal: 1, approver: chain.key(1).account, approvedPower: 2, totalPower: 4 }]);
    expect(chain.record().proposals[0]?.approvals).toEqual([chain.key(0).account, chain.key(1).account]);
    expect(chain.record().adoptedAt).toBe(0);
  });

  it('the third approval adopts the change at its height H; the new set commits from H+2', () => {
    const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
    const before = chain.record().validators;
    chain.propose(5, chain.key(0), newcomer.account, 1);
    chain.approve(6, chain.key(1), 1);
    const events = chain.approve(7, chain.key(2), 1);
    const after = [...before, { account: newcomer.account, power: 1 }];
    expect(chain.record()).toEqual({ validators: after, from: 9, previous: before, adoptedAt: 7, proposals: [], nextProposal: 2 });
    expect(events).toEqual([
      { type: 'validatorChangeApproved', proposal: 1, approver: chain.key(2).account, approvedPower: 3, totalPower: 4 },
      { type: 'validatorSetChanged', proposal: 1, account: newcomer.account, power: 1, from: 9, validators: after, dropped: [] },
    ]);
    expect(validatorsAt(chain.record(), 7)).toEqual(before);
    expect(validatorsAt(chain.record(), 8)).toEqual(before);
    expect(validatorsAt(chain.record(), 9)).toEqual(after);
  });

  it('adopting a change drops every other open proposal', () => {
    const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
    chain.propose(5, chain.key(3), chain.key(3).account, 0);
    chain.propose(5, chain.key(0), newcomer.account, 1);
    chain.propose(5, chain.key(1), chain.key(1).account, 3);
    chain.approve(6, chain.key(1), 2);
    const events = chain.approve(6, chain.key(2), 2);
    expect(events.at(-1)).toMatchObject({ type: 'validatorSetChanged', proposal: 2, dropped: [1, 3] });
    expect(chain.record().proposals).toEqual([]);
    expect(chain.record().nextProposal).toBe(4);
    expect(chain.refusedApproval(6, chain.key(0), 1)).toBe('PROPOSAL_NOT_FOUND');
    expect(chain.refusedApproval(9, chain.key(0), 3)).toBe('PROPOSAL_NOT_FOUND');
  });

  it('refuses proposals at H and H+1 while the adopted change is pending, and takes them from H+2', () => {
    const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
    chain.propose(5, chain.key(0), newcomer.account, 1);
    chain.approve(5, chain.key(1), 1);
    chain.approve(5, chain.key(2), 1);
    expect(chain.refusedProposal(5, chain.key(3), candidate(0).account, 1)).toBe('VALIDATOR_CHANGE_PENDING');
    expect(chain.refusedProposal(6, chain.key(3), candidate(0).account, 1)).toBe('VALIDATOR_CHANGE_PENDING');
    // The newcomer is not a validator before H+2, and is one from H+2 on.
    expect(chain.refusedProposal(6, newcomer, candidate(0).account, 1)).toBe('NOT_A_VALIDATOR');
    chain.propose(7, newcomer, candidate(0).account, 1);
    expect(chain.record().proposals).toMatchObject([{ id: 2, proposer: newcomer.account, height: 7 }]);
  });

  it('removes a validator, keeping the others in order; it validates until H+2', () => {
    const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
    chain.propose(5, chain.key(1), chain.key(1).account, 0);
    chain.approve(5, chain.key(2), 1);
    chain.approve(6, chain.key(3), 1);
    expect(powersOf(chain.record().validators)).toEqual([0, 2, 3].map((i) => [chain.key(i).account, 1]));
    expect(validatorsAt(chain.record(), 7).map((v) => v.account)).toContain(chain.key(1).account);
    expect(chain.refusedProposal(7, chain.key(1), newcomer.account, 1)).toBe('VALIDATOR_CHANGE_PENDING');
    expect(chain.refusedProposal(8, chain.key(1), newcomer.account, 1)).toBe('NOT_A_VALIDATOR');
  });

  it('after a change, approvals are weighed against the new set', () => {
    const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
    chain.propose(5, chain.key(0), newcomer.account, 1);
    chain.approve(5, chain.key(1), 1);
    chain.approve(5, chain.key(2), 1);
    // Five validators of power 1: three approvals are 3 of 5 (not over 2/3), four are.
    chain.propose(7, newcomer, chain.key(3).account, 0);
    chain.approve(7, chain.key(0), 2);
    const third = chain.approve(8, chain.key(1), 2);
    expect(third).toEqual([{ type: 'validatorChangeApproved', proposal: 2, approver: chain.key(1).account, approvedPower: 3, totalPower: 5 }]);
    const fourth = chain.approve(8, chain.key(2), 2);
    expect(fourth.at(-1)).toMatchObject({ type: 'validatorSetChanged', from: 10 });
    expect(chain.record().previous.map((v) => v.account)).toEqual([0, 1, 2, 3].map((i) => chain.key(i).account).concat(newcomer.account));
  });
});

describe('validator changes with unequal powers [5, 2, 2, 1]', () => {
  it('the three smaller validators (5 of 10) cannot adopt a change', () => {
    const chain = ValidatorChain.withPowers([5, 2, 2, 1]);
    chain.propose(3, chain.key(1), newcomer.account, 4);
    chain.approve(3, chain.key(2), 1);
    const events = chain.approve(4, chain.key(3), 1);
    expect(events).toEqual([{ type: 'validatorChangeApproved', proposal: 1, approver: chain.key(3).account, approvedPower: 5, totalPower: 10 }]);
    expect(chain.record().proposals).toHaveLength(1);
  });

  it('the largest with one of power 2 (7 of 10) adopt it', () => {
    const chain = ValidatorChain.withPowers([5, 2, 2, 1]);
    chain.propose(3, chain.key(3), newcomer.account, 4);
    expect(chain.approve(3, chain.key(0), 1)).toHaveLength(1); // 6 of 10: 18 > 20 is false
    const events = chain.approve(4, chain.key(1), 1);
    expect(events.at(-1)).toMatchObject({ type: 'validatorSetChanged', from: 6 });
    expect(chain.record().validators.map((v) => v.power)).toEqual([5, 2, 2, 1, 4]);
  });

  it('changes a power in place', () => {
    const chain = ValidatorChain.withPowers([5, 2, 2, 1]);
    chain.propose(3, chain.key(0), chain.key(2).account, 7);
    chain.approve(3, chain.key(2), 1);
    expect(powersOf(chain.record().validators)).toEqual([5, 2, 7, 1].map((power, i) => [chain.key(i).account, power]));
    expect(chain.record().from).toBe(5);
  });
});

describe('a single-validator chain', () => {
  it('adopts its validator’s proposal at once', () => {
    const chain = ValidatorChain.withPowers([3]);
    const events = chain.propose(2, chain.key(0), newcomer.account, 1);
    expect(events.map((e) => e.type)).toEqual(['validatorChangeProposed', 'validatorChangeApproved', 'validatorSetChanged']);
    expect(chain.record()).toMatchObject({ from: 4, adoptedAt: 2, proposals: [], nextProposal: 2 });
    expect(powersOf(chain.record().validators)).toEqual([[chain.key(0).account, 3], [newcomer.account, 1]]);
  });

  it('refuses removing its last validator', () => {
    const chain = ValidatorChain.withPowers([3]);
    expect(chain.refusedProposal(2, chain.key(0), chain.key(0).account, 0)).toBe('INVALID_VALIDATOR_CHANGE');
  });

  it('may hand over to another validator in two changes', () => {
    const chain = ValidatorChain.withPowers([1]);
    chain.propose(2, chain.key(0), newcomer.account, 1);
    chain.propose(4, chain.key(0), newcomer.account, 3); // 1 of 2 power adopts nothing
    expect(chain.record().proposals).toHaveLength(1);
    chain.approve(4, newcomer, 2);
    chain.propose(6, newcomer, chain.key(0).account, 0); // 3 of 4
    expect(powersOf(validatorsAt(chain.record(), 8))).toEqual([[newcomer.account, 3]]);
  });
});

describe('refusals leave the state unchanged', () => {
  it('NOT_A_VALIDATOR: a signer outside the set proposes or approves', () => {
    const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
    expect(chain.refusedProposal(2, outsider, newcomer.account, 1)).toBe('NOT_A_VALIDATOR');
    chain.propose(2, chain.key(0), newcomer.account, 1);
    expect(chain.refusedApproval(2, outsider, 1)).toBe('NOT_A_VALIDATOR');
    expect(chain.refusedApproval(2, newcomer, 1)).toBe('NOT_A_VALIDATOR');
  });

  it('NOT_A_VALIDATOR: a chain with no validators record governs none', () => {
    const chain = ValidatorChain.withoutValidators();
    expect(chain.refusedProposal(2, outsider, newcomer.account, 1)).toBe('NOT_A_VALIDATOR');
    expect(chain.refusedApproval(2, outsider, 1)).toBe('NOT_A_VALIDATOR');
    expect(chain.state.validatorSet()).toBeUndefined();
  });

  it('INVALID_VALIDATOR_CHANGE: a no-op, or removing an account that is not a validator', () => {
    const chain = ValidatorChain.withPowers([1, 2, 1, 1]);
    expect(chain.refusedProposal(2, chain.key(0), chain.key(1).account, 2)).toBe('INVALID_VALIDATOR_CHANGE');
    expect(chain.refusedProposal(2, chain.key(0), newcomer.account, 0)).toBe('INVALID_VALIDATOR_CHANGE');
  });

  it('INVALID_VALIDATOR_CHANGE: adding an account no one can sign for', () => {
    const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
    // The identity point: a small-order key under which no precommit would ever verify.
    expect(chain.refusedProposal(2, chain.key(0), `01${'00'.repeat(31)}`, 1)).toBe('INVALID_VALIDATOR_CHANGE');
  });

  it('BAD_FIELD: a power outside 0..1,000,000', () => {
    const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
    expect(chain.refusedProposal(2, chain.key(0), newcomer.account, 1_000_001)).toBe('BAD_FIELD');
    expect(chain.refusedProposal(2, chain.key(0), newcomer.account, -1)).toBe('BAD_FIELD');
  });

  it('VALIDATOR_CHANGE_PENDING: a proposal before an adopted change takes effect', () => {
    const chain = ValidatorChain.withPowers([1]);
    chain.propose(2, chain.key(0), newcomer.account, 1);
    expect(chain.refusedProposal(3, chain.key(0), candidate(1).account, 1)).toBe('VALIDATOR_CHANGE_PENDING');
  });

  it('PROPOSAL_EXISTS: a second open proposal for the same account', () => {
    const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
    chain.propose(2, chain.key(0), newcomer.account, 1);
    expect(chain.refusedProposal(3, chain.key(1), newcomer.account, 2)).toBe('PROPOSAL_EXISTS');
    expect(chain.refusedProposal(3, chain.key(0), newcomer.account, 1)).toBe('PROPOSAL_EXISTS');
  });

  it(`TOO_MANY_PROPOSALS: a proposal beyond ${MAX_OPEN_PROPOSALS} open ones`, () => {
    const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
    for (let i = 0; i < MAX_OPEN_PROPOSALS; i++) chain.propose(2, chain.key(i % 4), candidate(i).account, 1);
    expect(chain.record().proposals).toHaveLength(MAX_OPEN_PROPOSALS);
    expect(chain.refusedProposal(3, chain.key(0), candidate(MAX_OPEN_PROPOSALS).account, 1)).toBe('TOO_MANY_PROPOSALS');
    // Adopting one drops the others, which frees every slot.
    chain.approve(3, chain.key(1), 1);
    chain.approve(3, chain.key(2), 1);
    chain.propose(5, chain.key(0), candidate(MAX_OPEN_PROPOSALS).account, 1);
  });

  it('PROPOSAL_NOT_FOUND: approving a proposal that was never opened', () => {
    const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
    expect(chain.refusedApproval(2, chain.key(0), 1)).toBe('PROPOSAL_NOT_FOUND');
    chain.propose(2, chain.key(0), newcomer.account, 1);
    expect(chain.refusedApproval(2, chain.key(1), 2)).toBe('PROPOSAL_NOT_FOUND');
  });

  it('ALREADY_APPROVED: the proposer approving its own proposal, or an approver twice', () => {
    const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
    chain.propose(2, chain.key(0), newcomer.account, 1);
    expect(chain.refusedApproval(2, chain.key(0), 1)).toBe('ALREADY_APPROVED');
    chain.approve(3, chain.key(1), 1);
    expect(chain.refusedApproval(3, chain.key(1), 1)).toBe('ALREADY_APPROVED');
  });

  it('a refused transaction uses no nonce', () => {
    const chain = ValidatorChain.withPowers([1, 1, 1, 1]);
    chain.refusedProposal(2, chain.key(0), newcomer.account, 0);
    expect(chain.state.account(chain.key(0).account).nonce).toBe(0n);
    chain.propose(2, chain.key(0), newcomer.account, 1);
    expect(chain.state.account(chain.key(0).account).nonce).toBe(1n);
  });
});
