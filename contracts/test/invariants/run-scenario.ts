/**
 * One run of a scenario: every action fed as wire bytes through `processTransaction`, every
 * invariant checked after every transaction and every end of block, a state rebuilt from its
 * records run alongside from the scenario's cut, and the whole run replayed from genesis.
 */
import type { MarketEvent } from '../../events.js';
import { endBlock, genesisState, processTransaction } from '../../machine.js';
import type { Allocation, MarketGenesis } from '../../params.js';
import { MarketState } from '../../state/market-state.js';
import { testGenesis } from '../fixtures.js';
import type { Scenario, TxAction } from './actions.js';
import { canon, check } from './check.js';
import { checkBook, checkCredit } from './credit-and-book.js';
import { plan } from './plan.js';
import { checkRebuildAndReplay, checkRebuiltEndBlock, checkRebuiltTx, emptyBlock, outcomeKey, type Block } from './replay.js';
import { checkRepayments, checkTotals, snapshot, type PaidByLoan, type Snapshot } from './repayment-invariants.js';
import { ACCOUNTS, cachedVerify, consensusAccepts, forgetVerdicts, ISSUER, type Actor } from './signing.js';
import { loansById } from './state-queries.js';
import { countApplied, countEvents, countRefused, stats } from './stats.js';
import { checkSupply } from './supply-invariant.js';
import { checkNothingOverdue, checkTimeEvents } from './time-invariants.js';

const END_OF_BLOCK_EVENTS: readonly MarketEvent['type'][] = ['balance', 'orderClosed', 'installmentLate', 'loanDefaulted', 'creditChanged'];

interface Run {
  readonly state: MarketState;
  readonly actors: readonly Actor[];
  /** The actors and the issuer. */
  readonly everyone: readonly Actor[];
  readonly blocks: Block[];
  readonly applied: string[];
  /** Per account, how many of its transactions applied. */
  readonly appliedCount: Map<string, bigint>;
  readonly paidByLoan: PaidByLoan;
  block: Block;
  rebuilt: MarketState | undefined;
  /** When the companion runs each block on a fork: the state that takes the fork in at its end. */
  absorbing?: MarketState;
  /** The state after the last transaction, while no end of block has changed it since. */
  last: Snapshot | undefined;
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

function nonces(run: Run): string {
  return canon(run.everyone.map((a) => run.state.account(a.key.account).nonce));
}

function closeBlock(run: Run): void {
  const { state, block } = run;
  const noncesBefore = nonces(run);
  const loansBefore = loansById(state);
  const events = endBlock(state, block.ctx);
  checkTimeEvents(state, loansBefore, events, block.ctx.time);
  checkNothingOverdue(state, block.ctx.time);
  countEvents(events);
  for (const event of events) check(END_OF_BLOCK_EVENTS.includes(event.type), () => `end of block emitted a ${event.type} event`);
  check(nonces(run) === noncesBefore, () => 'end of block changed a nonce');
  block.endEvents = canon(events);
  if (run.absorbing && run.rebuilt) {
    run.absorbing.absorb(run.rebuilt);
    checkRebuiltEndBlock(run.absorbing, block);
    run.rebuilt = run.absorbing.fork();
  } else if (run.rebuilt) checkRebuiltEndBlock(run.rebuilt, block);
  checkSupply(state);
  checkCredit(state, run.everyone);
  checkBook(state);
  checkTotals(state, run.paidByLoan);
  run.blocks.push(block);
  run.last = undefined;
}

function step(run: Run, index: number, a: TxAction): void {
  stats.steps++;
  const { state, block } = run;
  const planned = plan({ state, actors: run.actors, time: block.ctx.time, applied: run.applied }, a);
  // Only the end of a block changes the state between two steps, and it clears `last`.
  const before = run.last ?? snapshot(state);
  const loansBefore = loansById(state);
  const outcome = processTransaction(state, block.ctx, planned.wire, cachedVerify);
  const after = snapshot(state);
  run.last = after;
  block.wires.push(planned.wire);
  block.outcomes.push(outcomeKey(outcome));

  if (planned.crossCheck) {
    const consensus = consensusAccepts(planned.wire);
    check(consensus === (planned.expect !== 'BAD_SIGNATURE'), () => `the consensus rule says ${consensus} for a ${planned.expect ?? 'valid'} signature`);
  }
  if (outcome.ok) {
    countApplied(planned.type, outcome.events);
    check(planned.expect === undefined, () => `${planned.type} should have been refused with ${planned.expect}, but applied`);
    const signer = planned.signer.key.account;
    run.appliedCount.set(signer, (run.appliedCount.get(signer) ?? 0n) + 1n);
    run.applied.push(planned.wire);
    check(before.canonical !== after.canonical, () => `applied ${planned.type} changed nothing`);
    checkRepayments(state, outcome.events, before, after, run.paidByLoan);
    checkTimeEvents(state, loansBefore, outcome.events, block.ctx.time);
  } else {
    countRefused(planned.type, outcome.refusal.code);
    if (planned.expect) check(outcome.refusal.code === planned.expect, () => `${planned.type} was refused with ${outcome.refusal.code}, expected ${planned.expect}`);
    check(before.canonical === after.canonical, () => `refused ${planned.type} (${outcome.refusal.code}) changed the state`);
  }
  // A signed transaction is never applied twice: every account's nonce counts its applied txs.
  for (const { key } of run.everyone) {
    const nonce = state.account(key.account).nonce;
    const count = run.appliedCount.get(key.account) ?? 0n;
    check(nonce === count, () => `${key.account.slice(0, 8)} has nonce ${nonce} after ${count} applied txs`);
  }
  checkSupply(state);
  if (run.rebuilt) checkRebuiltTx(run.rebuilt, block.ctx, planned.wire, outcome, index);
}

/** Runs the scenario, throwing at the first invariant that does not hold. */
export function runScenario(sc: Scenario): void {
  forgetVerdicts(); // only this run's wires are replayed
  const actors = ACCOUNTS.slice(0, sc.accounts);
  const genesis = genesisOf(sc, actors);
  const run: Run = {
    state: genesisState(genesis),
    actors,
    everyone: [...actors, ISSUER],
    blocks: [],
    applied: [],
    appliedCount: new Map(),
    paidByLoan: new Map(),
    block: emptyBlock({ height: 1, time: 1_000 }),
    rebuilt: undefined,
    last: undefined,
  };
  // At the cut, the run goes on alongside in a state rebuilt from the records; or in a fork of
  // such a state, which must read through to it and never change it; or, block by block, in a
  // fork of it that it takes in at the end of each block, as a node builds a block from its
  // mempool's pending state.
  let forkedFrom: { readonly base: MarketState; readonly records: string } | undefined;
  for (const [i, a] of sc.actions.entries()) {
    if (i === sc.cut) {
      run.rebuilt = MarketState.fromRecords(run.state.entries());
      const companion = stats.runs % 3;
      if (companion === 1) {
        forkedFrom = { base: run.rebuilt, records: canon(run.rebuilt.entries()) };
        run.rebuilt = run.rebuilt.fork();
      } else if (companion === 2) {
        run.absorbing = run.rebuilt;
        run.rebuilt = run.rebuilt.fork();
      }
    }
    if (a.kind === 'advance') {
      closeBlock(run);
      run.block = emptyBlock({ height: run.block.ctx.height + 1, time: run.block.ctx.time + a.seconds });
      continue;
    }
    step(run, i, a);
  }
  closeBlock(run);
  checkRebuildAndReplay(genesis, run.blocks, run.state, run.absorbing ?? run.rebuilt ?? MarketState.fromRecords(run.state.entries()), sc.cut);
  if (forkedFrom) check(canon(forkedFrom.base.entries()) === forkedFrom.records, () => 'running on a fork changed the state it was taken from');
  checkTotals(run.state, run.paidByLoan);
  stats.runs++;
}
