import { accountId, integer, object, sequenceId } from '../codec/schema.js';
import { refuse } from '../errors.js';
import type { MarketState } from '../state/market-state.js';
import {
  ADOPTION_DELAY,
  applyChange,
  approvedBy,
  checkChange,
  MAX_OPEN_PROPOSALS,
  MAX_VALIDATOR_POWER,
  requireNoChangeInFlight,
  requireValidator,
  type ValidatorProposal,
  type ValidatorSetRecord,
} from '../validators/validator-set.js';
import { type BlockContext, defineTx } from './definition.js';

/** The state's validator set; a chain without one (a market run without a network) governs none. */
function requireSet(state: MarketState): ValidatorSetRecord {
  return state.validatorSet() ?? refuse('NOT_A_VALIDATOR', 'this chain has no validator set to change');
}

function requireProposal(record: ValidatorSetRecord, id: number): ValidatorProposal {
  return record.proposals.find((p) => p.id === id) ?? refuse('PROPOSAL_NOT_FOUND', `there is no open validator proposal ${id}`, { proposal: id });
}

/**
 * Records a signature on a proposal; once its signers hold more than 2/3 of the power, the
 * change is adopted: the new set commits from ADOPTION_DELAY heights on, and the other open
 * proposals are dropped.
 */
function sign(state: MarketState, ctx: BlockContext, record: ValidatorSetRecord, proposal: ValidatorProposal, signer: string): void {
  const set = requireValidator(record, ctx.height, signer);
  const signed = { ...proposal, approvals: [...proposal.approvals, signer] };
  const tally = approvedBy(set, signed.approvals);
  state.emit({ type: 'validatorChangeApproved', proposal: proposal.id, approver: signer, approvedPower: Number(tally.power), totalPower: Number(tally.total) });
  if (!tally.adopted) {
    state.putValidatorSet({ ...record, proposals: record.proposals.map((p) => (p.id === proposal.id ? signed : p)) });
    return;
  }
  const validators = applyChange(set, proposal);
  const from = ctx.height + ADOPTION_DELAY;
  const dropped = record.proposals.filter((p) => p.id !== proposal.id).map((p) => p.id);
  state.putValidatorSet({ validators, from, previous: set, adoptedAt: ctx.height, proposals: [], nextProposal: record.nextProposal });
  state.emit({ type: 'validatorSetChanged', proposal: proposal.id, account: proposal.account, power: proposal.power, from, validators, dropped });
}

const proposeBody = object({ account: accountId, power: integer(0, MAX_VALIDATOR_POWER) });

/**
 * A validator proposes to add a validator with some power, change one's power, or remove one
 * (power 0). The proposal counts as the proposer's own approval.
 */
export const proposeValidatorChange = defineTx({
  type: 'propose-validator-change',
  body: proposeBody,
  verify(state, ctx, { signer, body }) {
    const record = requireSet(state);
    const set = requireValidator(record, ctx.height, signer);
    requireNoChangeInFlight(record, ctx.height);
    checkChange(set, body);
    if (record.proposals.some((p) => p.account === body.account)) {
      refuse('PROPOSAL_EXISTS', `a proposal for ${body.account.slice(0, 16)}… is already open`, { account: body.account });
    }
    if (record.proposals.length >= MAX_OPEN_PROPOSALS) refuse('TOO_MANY_PROPOSALS', `at most ${MAX_OPEN_PROPOSALS} validator proposals are open at once`);
  },
  execute(state, ctx, { signer, body }) {
    const record = requireSet(state);
    const proposal: ValidatorProposal = { id: record.nextProposal, account: body.account, power: body.power, proposer: signer, height: ctx.height, approvals: [] };
    const opened = { ...record, proposals: [...record.proposals, proposal], nextProposal: record.nextProposal + 1 };
    state.emit({ type: 'validatorChangeProposed', proposal });
    sign(state, ctx, opened, proposal, signer);
  },
});

const approveBody = object({ proposal: sequenceId });

/** A validator signs an open proposal. */
export const approveValidatorChange = defineTx({
  type: 'approve-validator-change',
  body: approveBody,
  verify(state, ctx, { signer, body }) {
    const record = requireSet(state);
    requireValidator(record, ctx.height, signer);
    const proposal = requireProposal(record, body.proposal);
    if (proposal.approvals.includes(signer)) refuse('ALREADY_APPROVED', `proposal ${body.proposal} already holds this validator's signature`, { proposal: body.proposal });
  },
  execute(state, ctx, { signer, body }) {
    const record = requireSet(state);
    sign(state, ctx, record, requireProposal(record, body.proposal), signer);
  },
});
