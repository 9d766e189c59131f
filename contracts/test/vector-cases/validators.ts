/** validators.json: validator-set changes proposed and approved by transaction, and their refusals. */
import type { Validator } from '../../chain/block.js';
import type { RefusalCode } from '../../errors.js';
import type { KeyPair } from '../../tx/keys.js';
import { MAX_OPEN_PROPOSALS, validatorsAt } from '../../validators/validator-set.js';
import { testKey } from '../fixtures.js';
import type { VectorCase } from '../vector-format.js';
import { refusal, Scenario } from './scenario.js';
import { dave, eventsOf, market, T0 } from './shared.js';

const [v0, v1, v2, v3] = [0, 1, 2, 3].map((i) => testKey(`validator-${i}`)) as [KeyPair, KeyPair, KeyPair, KeyPair];
const newcomer = testKey('newcomer');
const candidate = (i: number): KeyPair => testKey(`candidate-${i}`);

/** The genesis set of validators `keys`, with these powers (1 each unless stated). */
function validators(keys: readonly KeyPair[], powers: readonly number[] = keys.map(() => 1)): Validator[] {
  return keys.map((key, i) => ({ account: key.account, power: powers[i]! }));
}

const FOUR = validators([v0, v1, v2, v3]);
const ALONE = validators([v0]);

const propose = (s: Scenario, key: KeyPair, account: string, power: number): string => s.sign(key, 'propose-validator-change', { account, power });
const approve = (s: Scenario, key: KeyPair, proposal: number): string => s.sign(key, 'approve-validator-change', { proposal });

/** A case on a chain committed by `set`, whose market holds no money. */
function networkCase(name: string, description: string, set: readonly Validator[], body: (s: Scenario) => void): VectorCase {
  const s = new Scenario(name, description, market([]), set);
  body(s);
  return s.build();
}

/** A refusal on a chain committed by `set`: `setup` runs the pre blocks and returns the wire refused at `time`. */
function networkRefusal(name: string, description: string, set: readonly Validator[], time: number, code: RefusalCode, setup: (s: Scenario) => string): VectorCase {
  return networkCase(name, description, set, (s) => s.refused(time, setup(s), code));
}

export const validatorCases = (): VectorCase[] => [
  networkCase(
    'add-a-validator',
    'Four validators of power 1. Validator 0 proposes the newcomer at height 1 (1 of 4); validators 1 and 2 approve at height 2: 3 of 4 is over 2/3, so the change is adopted at height 2 and the set of five commits from height 4, where the newcomer proposes a change of its own.',
    FOUR,
    (s) => {
      s.tx(T0, propose(s, v0, newcomer.account, 1));
      s.tx(T0 + 10, approve(s, v1, 1));
      const adopted = s.tx(T0 + 10, approve(s, v2, 1));
      s.expect('adopted from', eventsOf(adopted, 'validatorSetChanged')[0]?.from, 4);
      s.endBlock(T0 + 20);
      s.tx(T0 + 30, propose(s, newcomer, v3.account, 2));
      const record = s.state.validatorSet();
      s.expect('validators at height 3', record && validatorsAt(record, 3).length, 4);
      s.expect('validators at height 4', record && validatorsAt(record, 4).length, 5);
      s.expect('open proposals', record?.proposals.map((p) => p.id), [2]);
    },
  ),
  networkCase(
    'remove-a-validator-by-power',
    'Powers 5, 2, 2, 1. Validator 2 proposes raising validator 1 to 3, validator 0 proposes removing validator 3; validator 1’s approval brings the removal to 7 of 10, which adopts it and drops the other proposal.',
    validators([v0, v1, v2, v3], [5, 2, 2, 1]),
    (s) => {
      s.block(T0, propose(s, v2, v1.account, 3));
      s.tx(T0 + 10, propose(s, v0, v3.account, 0));
      const adopted = s.tx(T0 + 10, approve(s, v1, 2));
      s.expect('dropped proposals', eventsOf(adopted, 'validatorSetChanged')[0]?.dropped, [1]);
      s.expect('new powers', s.state.validatorSet()?.validators.map((v) => v.power), [5, 2, 2]);
    },
  ),
  networkCase('single-validator-adopts-at-once', 'A lone validator’s proposal is its own quorum: raising its power is adopted in the same transaction.', ALONE, (s) => {
    const events = s.tx(T0, propose(s, v0, v0.account, 10));
    s.expect('events', events.map((e) => e.type), ['validatorChangeProposed', 'validatorChangeApproved', 'validatorSetChanged']);
    s.expect('from', s.state.validatorSet()?.from, 3);
  }),

  networkRefusal('propose-by-a-non-validator', 'Dave is not a validator.', FOUR, T0, 'NOT_A_VALIDATOR', (s) => propose(s, dave, dave.account, 1)),
  refusal('propose-on-a-chain-without-validators', 'A market run without a network has no validator set to change.', market([]), T0, 'NOT_A_VALIDATOR', (s) => propose(s, v0, newcomer.account, 1)),
  networkRefusal('remove-the-last-validator', 'The lone validator proposes removing itself.', ALONE, T0, 'INVALID_VALIDATOR_CHANGE', (s) => propose(s, v0, v0.account, 0)),
  networkRefusal('add-a-key-no-one-can-sign-with', 'The identity point is a small-order key: no precommit could ever verify under it.', FOUR, T0, 'INVALID_VALIDATOR_CHANGE', (s) =>
    propose(s, v0, `01${'00'.repeat(31)}`, 1),
  ),
  networkRefusal('propose-a-change-that-changes-nothing', 'Validator 1 already has power 1.', FOUR, T0, 'INVALID_VALIDATOR_CHANGE', (s) => propose(s, v0, v1.account, 1)),
  networkRefusal(
    'propose-while-a-change-is-pending',
    'The lone validator adopted a change at height 1, which takes effect at height 3; a proposal at height 2 is refused.',
    ALONE,
    T0 + 10,
    'VALIDATOR_CHANGE_PENDING',
    (s) => {
      s.block(T0, propose(s, v0, newcomer.account, 1));
      return propose(s, v0, candidate(0).account, 1);
    },
  ),
  networkRefusal('propose-for-an-account-already-proposed', 'Validator 0 has proposed the newcomer; validator 1 proposes it again.', FOUR, T0 + 10, 'PROPOSAL_EXISTS', (s) => {
    s.block(T0, propose(s, v0, newcomer.account, 1));
    return propose(s, v1, newcomer.account, 2);
  }),
  networkRefusal(`propose-beyond-${MAX_OPEN_PROPOSALS}-open`, `${MAX_OPEN_PROPOSALS} proposals are open; a further one is refused.`, FOUR, T0 + 10, 'TOO_MANY_PROPOSALS', (s) => {
    s.block(T0, ...Array.from({ length: MAX_OPEN_PROPOSALS }, (_, i) => propose(s, v0, candidate(i).account, 1)));
    return propose(s, v1, candidate(MAX_OPEN_PROPOSALS).account, 1);
  }),
  networkRefusal(
    'approve-a-dropped-proposal',
    'Proposal 1 was dropped when proposal 2 was adopted at height 1; approving it at height 2 is refused.',
    FOUR,
    T0 + 10,
    'PROPOSAL_NOT_FOUND',
    (s) => {
      s.block(T0, propose(s, v0, v3.account, 0), propose(s, v0, newcomer.account, 1), approve(s, v1, 2), approve(s, v2, 2));
      return approve(s, v3, 1);
    },
  ),
  networkRefusal('approve-twice', 'The proposer’s proposal already counts as its approval.', FOUR, T0 + 10, 'ALREADY_APPROVED', (s) => {
    s.block(T0, propose(s, v0, newcomer.account, 1));
    return approve(s, v0, 1);
  }),
];
