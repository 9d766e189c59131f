import { createHash, createPrivateKey, createPublicKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { CanonicalValue } from '../../contracts/codec/canonical.js';
import { isRefusal } from '../../contracts/errors.js';
import { applyTransaction, endBlock, genesisState } from '../../contracts/machine.js';
import { devnetParams, type Allocation, type MarketGenesis } from '../../contracts/params.js';
import type { MarketState } from '../../contracts/state/market-state.js';
import type { Loan } from '../../contracts/state/records.js';
import { decodeTransaction, encodeEnvelope, signBytes, type Transaction } from '../../contracts/tx/envelope.js';
import type { BlockContext } from '../../contracts/txs/definition.js';
import { bodyDecoder } from '../../contracts/txs/registry.js';
import { rounded, type BenchCase, type BenchFigure } from '../harness.js';
import { seededRandom } from '../../contracts/test/seeded-random.js';

/**
 * Transactions applied per second by the market's state machine on one core, signatures
 * excluded. A realistic mix from many accounts — 40 % transfers, 20 % lend offers, 20 % takes
 * of those offers (each a new loan with its schedule), 20 % repayments of an installment — in
 * blocks of 1,000 with `endBlock` after each. The workload is planned once by running it on
 * a planning state (so that every take names an open offer and every repayment a live loan
 * and the amount of its next installment), then replayed into fresh states: the timed loop
 * calls only `applyTransaction(state, ctx, tx)` and `endBlock`.
 *
 * A second figure times the decode path too (`decodeTransaction` of the signed wire bytes,
 * then apply), still without checking signatures: what a node pays per transaction once the
 * signature is known good.
 *
 * Every planned transaction is signed with its account's key and decoded from those wire
 * bytes before timing, so the applied objects are exactly what `decodeTransaction` yields.
 */

const CHAIN_ID = 'lendnet-bench';
const ACCOUNTS = 2_000;
const BLOCK_TXS = 1_000;
const MEASURED_BLOCKS = 50;
const DECODE_BLOCKS = 15;
const BLOCK_SECONDS = 2;
const DAY = 86_400;

interface Account {
  readonly account: string;
  readonly privateKey: KeyObject;
}

/** Deterministic accounts: the secret key is SHA-256 of a name, the account its ed25519 public key. */
function accounts(count: number): Account[] {
  const pkcs8 = Buffer.from('302e020100300506032b657004220420', 'hex');
  const out: Account[] = [];
  for (let i = 0; i < count; i += 1) {
    const seed = createHash('sha256').update(`bench-account-${i}`).digest();
    const privateKey = createPrivateKey({ key: Buffer.concat([pkcs8, seed]), format: 'der', type: 'pkcs8' });
    const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    out.push({ account: spki.subarray(12).toString('hex'), privateKey });
  }
  return out;
}

interface PlannedBlock {
  readonly ctx: BlockContext;
  readonly txs: Transaction<unknown>[];
  /** The kind of each transaction, to report the mix. */
  readonly kinds: string[];
}

interface Workload {
  readonly genesis: MarketGenesis;
  readonly setup: PlannedBlock[];
  readonly measured: PlannedBlock[];
  readonly accounts: readonly Account[];
  readonly planningRefusals: number;
}

/**
 * Plans the blocks by running them: offers and loans are chosen from what is really open
 * at that point, and each transaction is applied to the planning state as it is made.
 */
function plan(): Workload {
  const people = accounts(ACCOUNTS);
  const allocations: Allocation[] = [];
  for (const { account } of people) {
    allocations.push({ account, asset: 'USD', amount: 1_000_000_000_000n }); // 1,000,000 USD
    allocations.push({ account, asset: 'COL', amount: 1_000_000_000_000n }); // 10,000 COL
  }
  const issuer = people[0] as Account;
  const genesis: MarketGenesis = {
    params: devnetParams(CHAIN_ID),
    assets: [
      { id: 'USD', name: 'Lendnet dollar', decimals: 6, issuer: issuer.account },
      { id: 'COL', name: 'Collateral token', decimals: 8, issuer: issuer.account },
    ],
    allocations,
  };
  const state = genesisState(genesis);
  const random = seededRandom(20_261_124);
  const pickAccount = () => people[Math.floor(random() * people.length)] as Account;
  const nonces = new Map<string, bigint>();
  const openOffers: { id: number; owner: string; amount: bigint }[] = [];
  const liveLoans: number[] = [];
  let planningRefusals = 0;
  let height = 0;
  let time = 1_700_000_000;

  const block = (mix: (index: number) => 'transfer' | 'offer' | 'take' | 'repay'): PlannedBlock => {
    height += 1;
    time += BLOCK_SECONDS;
    const ctx: BlockContext = { height, time };
    const txs: Transaction<unknown>[] = [];
    const kinds: string[] = [];
    const add = (signer: string, type: string, body: unknown, kind: string) => {
      const nonce = nonces.get(signer) ?? 0n;
      const tx: Transaction<unknown> = { chainId: CHAIN_ID, type, signer, nonce, body };
      try {
        applyTransaction(state, ctx, tx);
        nonces.set(signer, nonce + 1n);
        txs.push(tx);
        kinds.push(kind);
        return true;
      } catch (error) {
        if (!isRefusal(error)) throw error;
        planningRefusals += 1;
        return false;
      }
    };
    for (let i = 0; i < BLOCK_TXS; i += 1) {
      let kind = mix(i);
      if (kind === 'take' && openOffers.length === 0) kind = 'offer';
      if (kind === 'repay' && liveLoans.length === 0) kind = 'transfer';
      switch (kind) {
        case 'transfer': {
          const from = pickAccount();
          let to = pickAccount();
          if (to === from) to = people[(people.indexOf(from) + 1) % people.length] as Account;
          add(from.account, 'transfer', { asset: 'USD', to: to.account, amount: BigInt(1 + Math.floor(random() * 100_000_000)) }, kind);
          break;
        }
        case 'offer': {
          const owner = pickAccount();
          const amount = BigInt(100 + Math.floor(random() * 4_900)) * 1_000_000n; // 100 to 5,000 USD
          const withCollateral = random() < 0.25;
          const body = {
            asset: 'USD',
            term: 12 * 30 * DAY,
            schedule: 'amortizing',
            installments: 12,
            amount,
            minTicket: 1_000_000n,
            maxTicket: amount,
            aprBps: 500 + Math.floor(random() * 1_500),
            ...(withCollateral ? { collateral: { asset: 'COL', ratioBps: 5_000 } } : {}),
            expiresAt: time + 30 * DAY,
          };
          const id = state.counters().nextOrderId;
          if (add(owner.account, 'post-lend-offer', body, kind)) openOffers.push({ id, owner: owner.account, amount });
          break;
        }
        case 'take': {
          const offer = openOffers.shift() as { id: number; owner: string; amount: bigint };
          let borrower = pickAccount();
          if (borrower.account === offer.owner) borrower = people[(people.indexOf(borrower) + 1) % people.length] as Account;
          const loanId = state.counters().nextLoanId;
          if (add(borrower.account, 'take-offer', { orderId: offer.id, amount: offer.amount }, kind)) liveLoans.push(loanId);
          break;
        }
        case 'repay': {
          const at = Math.floor(random() * liveLoans.length);
          const loan = state.loan(liveLoans[at] as number) as Loan;
          const next = loan.plan[loan.paidInstallments] as Loan['plan'][number];
          const amount = loan.lateFeeOwed + next.interest + next.principal - loan.paidInterest - loan.paidPrincipal;
          add(loan.borrower, 'repay', { loanId: loan.id, amount }, kind);
          if (state.loan(loan.id)?.status !== 'active') liveLoans.splice(at, 1);
          break;
        }
      }
    }
    endBlock(state, ctx);
    state.takeChanges();
    return { ctx, txs, kinds };
  };

  // Setup (not timed): a book of offers, then loans taken from half of them.
  const setup = [block(() => 'offer'), block((i) => (i % 2 === 0 ? 'take' : 'transfer'))];
  // The measured mix, 40/20/20/20, interleaved.
  const pattern = ['transfer', 'offer', 'transfer', 'take', 'repay'] as const;
  const measured: PlannedBlock[] = [];
  for (let b = 0; b < MEASURED_BLOCKS; b += 1) measured.push(block((i) => pattern[(i + Math.floor(random() * 5)) % 5] as (typeof pattern)[number]));
  return { genesis, setup, measured, accounts: people, planningRefusals };
}

/** Applies blocks to `state`, timing only applyTransaction and endBlock; returns elapsed ns and refusals. */
function applyBlocks(state: MarketState, blocks: readonly PlannedBlock[]): { ns: bigint; txs: number; refusals: number } {
  let ns = 0n;
  let txs = 0;
  let refusals = 0;
  for (const { ctx, txs: list } of blocks) {
    const started = process.hrtime.bigint();
    for (const tx of list) {
      try {
        applyTransaction(state, ctx, tx);
      } catch (error) {
        if (!isRefusal(error)) throw error;
        refusals += 1;
      }
    }
    endBlock(state, ctx);
    ns += process.hrtime.bigint() - started;
    txs += list.length;
    state.takeChanges(); // what the node persists after each block; not timed
  }
  return { ns, txs, refusals };
}

/** The same, from signed wire bytes: decode (no signature check) and apply. */
function decodeAndApplyBlocks(state: MarketState, blocks: readonly WireBlock[]): { ns: bigint; txs: number; refusals: number } {
  let ns = 0n;
  let txs = 0;
  let refusals = 0;
  const options = { chainId: CHAIN_ID, bodyOf: bodyDecoder };
  for (const { ctx, wires } of blocks) {
    const started = process.hrtime.bigint();
    for (const wire of wires) {
      try {
        applyTransaction(state, ctx, decodeTransaction(wire, options).tx);
      } catch (error) {
        if (!isRefusal(error)) throw error;
        refusals += 1;
      }
    }
    endBlock(state, ctx);
    ns += process.hrtime.bigint() - started;
    txs += wires.length;
    state.takeChanges();
  }
  return { ns, txs, refusals };
}

interface WireBlock {
  readonly ctx: BlockContext;
  readonly wires: string[];
}

/** Signs every planned transaction with its account's key: the canonical wire bytes. */
function sign(work: Workload, blocks: readonly PlannedBlock[]): WireBlock[] {
  const keys = new Map(work.accounts.map((a) => [a.account, a.privateKey]));
  return blocks.map(({ ctx, txs }) => ({
    ctx,
    wires: txs.map((tx) => {
      const canonical = tx as Transaction<CanonicalValue>;
      return encodeEnvelope(canonical, cryptoSign(null, signBytes(canonical), keys.get(tx.signer) as KeyObject).toString('hex'));
    }),
  }));
}

/** Decodes signed wires ahead of time, as a node does before it executes a block. */
function decode(blocks: readonly WireBlock[]): PlannedBlock[] {
  const options = { chainId: CHAIN_ID, bodyOf: bodyDecoder };
  return blocks.map(({ ctx, wires }) => ({ ctx, txs: wires.map((wire) => decodeTransaction(wire, options).tx), kinds: [] }));
}

const bench: BenchCase = {
  name: 'apply',
  run(): BenchFigure[] {
    const work = plan();
    const counts = new Map<string, number>();
    for (const b of work.measured) for (const kind of b.kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const mix = [...counts.entries()].map(([k, v]) => `${k} ${Math.round((100 * v) / total)}%`).join(', ');

    // Pre-sign and pre-decode everything; the timed loops start from decoded transactions.
    const setupWires = sign(work, work.setup);
    const measuredWires = sign(work, work.measured);
    const setup = decode(setupWires);
    const measured = decode(measuredWires);
    const fresh = () => {
      const state = genesisState(work.genesis);
      applyBlocks(state, setup);
      return state;
    };

    // Warm up on one fresh state, then time three more; report the fastest (least disturbed) run.
    applyBlocks(fresh(), measured);
    const runs = [applyBlocks(fresh(), measured), applyBlocks(fresh(), measured), applyBlocks(fresh(), measured)];
    const rates = runs.map((r) => (r.txs * 1e9) / Number(r.ns)).sort((a, b) => a - b);
    const refusals = Math.max(...runs.map((r) => r.refusals));

    // The decode path on the first blocks: decode (no signature check) and apply.
    const decodeBlocks = measuredWires.slice(0, DECODE_BLOCKS);
    decodeAndApplyBlocks(fresh(), decodeBlocks); // warm-up
    const decoded = decodeAndApplyBlocks(fresh(), decodeBlocks);
    const decodeRate = (decoded.txs * 1e9) / Number(decoded.ns);

    return [
      {
        name: 'apply',
        value: rounded(rates[rates.length - 1] as number),
        unit: 'tx/s',
        target: 50_000,
        note:
          `${runs[0]?.txs} txs in ${MEASURED_BLOCKS} blocks of ${BLOCK_TXS} (${mix}), ${ACCOUNTS} accounts; ` +
          `refusals ${refusals} (planning ${work.planningRefusals}); signatures excluded; runs ${rates.map((r) => rounded(r)).join(' / ')} tx/s`,
      },
      {
        name: 'decode + apply (no signature check)',
        value: rounded(decodeRate),
        unit: 'tx/s',
        note: `${decoded.txs} txs from canonical wire bytes; refusals ${decoded.refusals}`,
      },
    ];
  },
};

export default bench;
