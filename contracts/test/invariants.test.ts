/**
 * Property tests of the market's invariants (DESIGN.md §4): random sequences of valid and
 * invalid transactions from many accounts, across blocks whose time advances by random
 * steps, fed as wire bytes through `processTransaction`, with every invariant checked after
 * every transaction and every end of block. The pieces live in ./invariants/: the actions and
 * their arbitraries, planning them into wires, signing and cached verification, the
 * invariants, the rebuild and replay checks, and the run that wires them together.
 *
 * A failure prints the fast-check seed; rerun it with INVARIANTS_SEED=<seed> (and
 * INVARIANTS_RUNS to change the number of sequences).
 *
 * Wires are signed with node:crypto and verified by a cached node:crypto verifier, for speed
 * (./invariants/signing.ts). The first test below checks they are byte-identical to
 * `signTransaction`'s; every tampered signature, and the first honest wires of each run, are
 * also checked against the consensus rule `verifySignature`, which must agree.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endBlock, processTransaction } from '../machine.js';
import { encodeEnvelope, signBytes, signTransaction } from '../tx/envelope.js';
import { testKey, testState, Wallets } from './fixtures.js';
import { scenario } from './invariants/arbitraries.js';
import { runScenario } from './invariants/run-scenario.js';
import { ACCOUNTS, cachedVerify, ISSUER, signWith, unsignedTx } from './invariants/signing.js';
import { stats, statsReport } from './invariants/stats.js';

const SEED = process.env.INVARIANTS_SEED ? Number(process.env.INVARIANTS_SEED) : Date.now() % 2 ** 31;
const RUNS = process.env.INVARIANTS_RUNS ? Number(process.env.INVARIANTS_RUNS) : 150;

/** What a full-size run must have seen at least once: the mix must exercise the market, not only its refusals. */
const EXPECTED_EVENTS = ['loanOriginated', 'loanOriginated(several lenders)', 'repayment', 'loanRepaid', 'loanDefaulted', 'installmentLate', 'committed', 'orderClosed'];
const EXPECTED_APPLIED = ['take-offer', 'fund-request', 'accept-funding', 'repay', 'prepay', 'cancel-order', 'declare-default', 'mint', 'burn'];

describe('market invariants under random transaction sequences', () => {
  it('signs wires byte-identical to signTransaction, and the verifier agrees with the consensus rule', () => {
    for (const [i, actor] of [...ACCOUNTS, ISSUER].entries()) {
      const body = { asset: 'USD', to: ISSUER.key.account, amount: BigInt(i + 1) };
      const tx = unsignedTx(actor, BigInt(i), 'transfer', body);
      const signature = signWith(tx, actor);
      expect(encodeEnvelope(tx, signature)).toBe(signTransaction(tx, actor.key.secretKey).encoded);
      expect(cachedVerify(actor.key.publicKey, signBytes(tx), Buffer.from(signature, 'hex'))).toBe(true);
      expect(cachedVerify(actor.key.publicKey, signBytes({ ...tx, nonce: tx.nonce + 1n }), Buffer.from(signature, 'hex'))).toBe(false);
    }
  });

  it(`hold after every step (seed ${SEED}, ${RUNS} runs)`, () => {
    const started = performance.now();
    try {
      fc.assert(fc.property(scenario, (sc) => runScenario(sc)), { seed: SEED, numRuns: RUNS });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const cause = error instanceof Error && error.cause instanceof Error ? `\ncaused by: ${error.cause.message}` : '';
      throw new Error(`invariants failed; reproduce with INVARIANTS_SEED=${SEED}${cause}\n${message}`);
    }
    console.log(statsReport(SEED, (performance.now() - started) / 1000));
    // checked on full-size runs only
    if (RUNS < 100) return;
    for (const type of EXPECTED_EVENTS) expect(stats.events.get(type) ?? 0, `no ${type} events in ${stats.runs} runs`).toBeGreaterThan(0);
    for (const type of EXPECTED_APPLIED) expect(stats.applied.get(type) ?? 0, `no ${type} applied in ${stats.runs} runs`).toBeGreaterThan(0);
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
