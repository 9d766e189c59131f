import { amountOwed, type CanonicalValue, devnetParams, type KeyPair } from '../../contracts/index.js';
import { CHAIN_ID, testGenesis, testKey, Wallets } from '../../contracts/test/fixtures.js';
import { DEFAULT_CONFIG } from '../../node/home/config.js';
import type { Genesis } from '../../node/home/genesis-file.js';
import { LedgerNode, type SubmitResult, verifyInThisThread } from '../../node/ledger/ledger-node.js';
import { openMemoryStore } from '../../node/store/index.js';
import type { IndexDatabase } from '../db/database.js';
import { type DatabaseKind, openTestDatabase } from '../db/test-databases.js';
import { Projector } from '../index/projector.js';

/**
 * A single-validator node with its index, on a chain whose loans may run for two seconds and
 * default two seconds after a missed due time, so a test can watch a loan default.
 */
export interface LoanBed {
  readonly node: LedgerNode;
  readonly db: IndexDatabase;
  readonly projector: Projector;
  readonly genesis: Genesis;
  /** Signs with the key's next nonce and submits; resolves with the result once committed or refused. */
  submit(key: KeyPair, type: string, body: CanonicalValue): Promise<SubmitResult>;
  indexed(): Promise<void>;
  close(): Promise<void>;
}

export const usd = (units: number) => BigInt(units) * 1_000_000n;
const DAY = 86_400;
const EXPIRES = 4_000_000_000;

export async function startLoanBed(kind: DatabaseKind): Promise<LoanBed> {
  const validator = testKey('validator');
  const params = { ...devnetParams(CHAIN_ID), minTerm: 2, gracePeriod: 1, defaultPeriod: 2 };
  const genesis: Genesis = { genesisTime: 1_000, market: testGenesis({ params }), validators: [{ account: validator.account, power: 1 }] };
  const node = await LedgerNode.open({
    genesis,
    checkSignatures: verifyInThisThread,
    config: { ...DEFAULT_CONFIG, blockIntervalMs: 20 },
    store: await openMemoryStore(new Map()),
    validatorKey: validator,
    onFatal: (error) => console.error('the test node stopped', error),
  });
  await node.start();
  const db = await openTestDatabase(kind);
  const projector = await Projector.start({ db, node });
  const wallets = new Wallets();
  return {
    node,
    db,
    projector,
    genesis,
    submit: (key, type, body) => node.submit(wallets.sign(key, type, body).encoded),
    async indexed() {
      const deadline = Date.now() + 10_000;
      while (projector.indexedHeight() < node.status().height) {
        if (Date.now() > deadline) throw new Error(`the index is stuck at ${projector.indexedHeight()}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      await node.stop();
      await projector.stop();
      await db.close();
    },
  };
}

/** The keys of the scenario: two lenders and three borrowers. */
export const actors = { alice: testKey('alice'), erin: testKey('erin'), bob: testKey('bob'), carol: testKey('carol'), dave: testKey('dave') };

/** What the scenario made: the ids of the transactions that matter to the tests. */
export interface LoanScenario {
  /** The block where loan 1's and loan 2's repayments were committed together with other transactions. */
  readonly sharedHeight: number;
  readonly repayOne: string;
  readonly repayTwo: string;
}

async function committed(result: Promise<SubmitResult>): Promise<string> {
  const outcome = await result;
  if (outcome.status !== 'committed') throw new Error(`refused: ${outcome.code} ${outcome.message}`);
  return outcome.id;
}

/**
 * Loan 1 (bob) and loan 2 (carol) from alice's offer; their first repayments in one block with
 * others; loan 1 then repaid in full. With `defaultLoan`, loan 3 made from dave's borrow request
 * funded by alice and erin, left unpaid until it is declared in default.
 */
export async function runLoanScenario(bed: Pick<LoanBed, 'submit' | 'node'>, options: { readonly defaultLoan: boolean }): Promise<LoanScenario> {
  const { alice, erin, bob, carol, dave } = actors;
  const send = (key: KeyPair, type: string, body: CanonicalValue) => committed(bed.submit(key, type, body));
  await Promise.all([alice, erin, bob, carol, dave].map((key) => send(key, 'faucet', { asset: 'USD', amount: usd(key === alice || key === erin ? 20_000 : 1_000) })));
  const offer = { asset: 'USD', amount: usd(5_000), minTicket: usd(100), maxTicket: usd(5_000), aprBps: 900, term: 60 * DAY, schedule: 'amortizing', installments: 2, expiresAt: EXPIRES };
  await send(alice, 'post-lend-offer', offer);
  await send(bob, 'take-offer', { orderId: 1, amount: usd(1_000) });
  await send(carol, 'take-offer', { orderId: 1, amount: usd(500) });
  const [repayOne, repayTwo] = await Promise.all([
    send(bob, 'repay', { loanId: 1, amount: usd(300) }),
    send(carol, 'repay', { loanId: 2, amount: usd(100) }),
    send(erin, 'transfer', { asset: 'USD', to: dave.account, amount: usd(1) }),
    send(alice, 'transfer', { asset: 'USD', to: dave.account, amount: usd(2) }),
  ]);
  const one = await bed.node.transaction(repayOne!);
  const two = await bed.node.transaction(repayTwo!);
  if (!one || !two || one.header.height !== two.header.height) throw new Error('the two repayments were not committed in one block');
  await send(bob, 'repay', { loanId: 1, amount: amountOwed(bed.node.loan(1)!) });
  if (options.defaultLoan) {
    const request = { asset: 'USD', amount: usd(2_000), maxAprBps: 500, term: 2, schedule: 'bullet', installments: 1, partial: true, expiresAt: EXPIRES };
    await send(dave, 'post-borrow-request', request);
    await send(alice, 'fund-request', { orderId: 2, amount: usd(1_200) });
    await send(erin, 'fund-request', { orderId: 2, amount: usd(800) });
    const loan = bed.node.loan(3);
    if (!loan) throw new Error('the funded request made no loan');
    // Due two seconds after it starts, in default two seconds later: declare it once that has passed.
    const defaultsAt = loan.plan[0]!.due + 2;
    while (Math.floor(Date.now() / 1000) <= defaultsAt) await new Promise((resolve) => setTimeout(resolve, 200));
    await send(alice, 'declare-default', { loanId: 3 });
  }
  return { sharedHeight: one.header.height, repayOne: repayOne!, repayTwo: repayTwo! };
}
