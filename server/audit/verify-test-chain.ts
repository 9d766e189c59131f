/**
 * Test support: a real lending market's chain for the audit's tests, built block by block on
 * a store with a clock of its own. Each round, every actor posts a lend offer and pays a
 * neighbour, then takes its other neighbour's offer with collateral; of the loans, a third are
 * prepaid at once, a third are paid in part and then in full, and a third are paid in part and
 * left to default. The validators of each height take turns proposing; all of them but the
 * proposer sign each commit when the others hold a quorum (three of the four of genesis).
 * Optionally the set changes by transaction: a fifth validator joins after the first round, and
 * one of genesis leaves after the second.
 */
import {
  blockHash,
  type CanonicalValue,
  type CommitCertificate,
  isQuorum,
  type KeyPair,
  type MarketEvent,
  precommitBytes,
  type SignedTransaction,
  signMessage,
  toHex,
} from '../../contracts/index.js';
import { CHAIN_ID, testGenesis, testKey, Wallets } from '../../contracts/test/fixtures.js';
import type { Genesis } from '../../node/home/genesis-file.js';
import { Chain } from '../../node/ledger/chain.js';
import type { Store } from '../../node/store/index.js';

export const AUDIT_VALIDATORS: readonly KeyPair[] = [0, 1, 2, 3].map((i) => testKey(`audit-validator-${i}`));
/** The validator that joins, and the one of genesis that leaves, when the chain's set changes. */
export const JOINING_VALIDATOR = testKey('audit-validator-4');
export const LEAVING_VALIDATOR = AUDIT_VALIDATORS[3]!;
const VALIDATOR_KEYS = new Map([...AUDIT_VALIDATORS, JOINING_VALIDATOR].map((key) => [key.account, key]));
const START_TIME = 1_000;
const BLOCK_SECONDS = 10;
/** Loan terms: three installments 100 s apart; unpaid, one defaults 120 s after its due time (devnet). */
const TERM = 300;

export const auditActors = (count: number): KeyPair[] => Array.from({ length: count }, (_, i) => testKey(`audit-actor-${i}`));

export function auditGenesis(actors: number): Genesis {
  const allocations = auditActors(actors).flatMap((key) => [
    { account: key.account, asset: 'USD', amount: 1_000_000_000_000n },
    { account: key.account, asset: 'COL', amount: 100_000_000_000n },
  ]);
  return { genesisTime: START_TIME, market: testGenesis({ allocations }), validators: AUDIT_VALIDATORS.map((v) => ({ account: v.account, power: 1 })) };
}

/** What the workload did, counted as it went. */
export interface AuditChainFigures {
  txs: number;
  loans: number;
  repaid: number;
  defaulted: number;
  /** Repayments made by transactions (each is a row of the index's payments). */
  payments: number;
  /** The heights of the blocks that adopted a change of the validator set. */
  validatorChanges: number[];
}

class Builder {
  private time = START_TIME + BLOCK_SECONDS;
  private readonly wallets = new Wallets();
  readonly figures: AuditChainFigures = { txs: 0, loans: 0, repaid: 0, defaulted: 0, payments: 0, validatorChanges: [] };

  constructor(readonly chain: Chain) {}

  sign(key: KeyPair, type: string, body: CanonicalValue): SignedTransaction<unknown> {
    return this.wallets.sign(key, type, body);
  }

  /** Commits a block of `txs`, all of which must apply; returns each transaction's events. */
  async block(txs: readonly SignedTransaction<unknown>[], advance = BLOCK_SECONDS): Promise<readonly (readonly MarketEvent[])[]> {
    const height = this.chain.head().height + 1;
    const set = this.chain.validatorsAt(height);
    const proposer = set[height % set.length]!.account;
    const proposal = this.chain.propose(this.time, txs, proposer);
    const [refused] = proposal.refused;
    if (refused) throw new Error(`block ${height}: a ${refused.tx.tx.type} was refused (${refused.refusal.code}: ${refused.refusal.message})`);
    const hash = blockHash(proposal.block.header);
    const message = precommitBytes(CHAIN_ID, height, 0, hash);
    const total = set.reduce((sum, v) => sum + BigInt(v.power), 0n);
    const others = set.filter((v) => v.account !== proposer);
    const signers = isQuorum(others.reduce((sum, v) => sum + BigInt(v.power), 0n), total) ? others : set;
    const precommits = signers.map((v) => ({ validator: v.account, signature: toHex(signMessage(VALIDATOR_KEYS.get(v.account)!.secretKey, message)) }));
    const certificate: CommitCertificate = { height, round: 0, blockHash: hash, precommits };
    await this.chain.commit(proposal, certificate);
    this.time += advance;
    const { txEvents, endEvents } = proposal.executed;
    for (const event of [...txEvents.flat(), ...endEvents]) {
      if (event.type === 'loanOriginated') this.figures.loans += 1;
      if (event.type === 'loanRepaid') this.figures.repaid += 1;
      if (event.type === 'loanDefaulted') this.figures.defaulted += 1;
    }
    this.figures.payments += txEvents.flat().filter((event) => event.type === 'repayment').length;
    if (txEvents.flat().some((event) => event.type === 'validatorSetChanged')) this.figures.validatorChanges.push(height);
    this.figures.txs += txs.length;
    return txEvents;
  }

  /**
   * Changes the validator set: a validator of the next height proposes, and in the next block
   * as many others approve as it takes to reach more than 2/3 of the power, which adopts it.
   */
  async changeValidators(change: { readonly account: string; readonly power: number }): Promise<void> {
    const set = this.chain.validatorsAt(this.chain.head().height + 1);
    const [proposer, ...others] = set.map((v) => VALIDATOR_KEYS.get(v.account)!);
    const proposed = await this.block([this.sign(proposer!, 'propose-validator-change', { account: change.account, power: change.power })]);
    const event = proposed[0]!.find((e) => e.type === 'validatorChangeProposed');
    if (event?.type !== 'validatorChangeProposed') throw new Error('the validator change was not proposed');
    const total = set.reduce((sum, v) => sum + BigInt(v.power), 0n);
    let signed = BigInt(set[0]!.power);
    const approvers: KeyPair[] = [];
    for (const key of others) {
      if (isQuorum(signed, total)) break;
      approvers.push(key);
      signed += BigInt(set.find((v) => v.account === key.account)!.power);
    }
    await this.block(approvers.map((key) => this.sign(key, 'approve-validator-change', { proposal: event.proposal.id })));
  }
}

const idOf = (events: readonly MarketEvent[] | undefined, type: 'orderPosted' | 'loanOriginated'): number => {
  for (const event of events ?? []) {
    if (event.type === 'orderPosted' && type === 'orderPosted') return event.order.id;
    if (event.type === 'loanOriginated' && type === 'loanOriginated') return event.loan.id;
  }
  throw new Error(`no ${type} event`);
};

/** Builds the market's chain on an empty store; `actors` should be at least 2. */
export async function buildAuditChain(
  store: Store,
  options: { readonly actors: number; readonly rounds: number; readonly changeValidators?: boolean },
): Promise<{ chain: Chain; genesis: Genesis; figures: AuditChainFigures }> {
  const genesis = auditGenesis(options.actors);
  const builder = new Builder(await Chain.open(store, genesis));
  const actors = auditActors(options.actors);
  const paidInPart: { borrower: KeyPair; loanId: number }[] = [];
  for (let round = 0; round < options.rounds; round++) {
    if (options.changeValidators && round === 1) await builder.changeValidators({ account: JOINING_VALIDATOR.account, power: 1 });
    if (options.changeValidators && round === 2) await builder.changeValidators({ account: LEAVING_VALIDATOR.account, power: 0 });
    const posted = await builder.block(
      actors.flatMap((actor, i) => [
        builder.sign(actor, 'post-lend-offer', {
          asset: 'USD',
          term: TERM,
          schedule: 'amortizing',
          installments: 3,
          amount: 5_000_000n,
          minTicket: 1_000n,
          maxTicket: 5_000_000n,
          aprBps: 500 + ((i * 37 + round * 11) % 900),
          collateral: { asset: 'COL', ratioBps: 5_000 },
          expiresAt: 2 ** 39,
        }),
        builder.sign(actor, 'transfer', { asset: 'USD', to: actors[(i + 1) % actors.length]!.account, amount: BigInt(1_000 + round) }),
      ]),
    );
    const offers = actors.map((_, i) => idOf(posted[i * 2], 'orderPosted'));
    const taken = await builder.block(actors.map((actor, i) => builder.sign(actor, 'take-offer', { orderId: offers[(i + 1) % actors.length]!, amount: 1_000_000n + BigInt(round * 1_000) })));
    const loans = actors.map((borrower, i) => ({ borrower, loanId: idOf(taken[i], 'loanOriginated'), plan: (i + round) % 3 }));
    await builder.block(
      loans.map(({ borrower, loanId, plan }) =>
        plan === 0 ? builder.sign(borrower, 'prepay', { loanId }) : builder.sign(borrower, 'repay', { loanId, amount: plan === 1 ? 100_000n : 400_000n }),
      ),
    );
    paidInPart.push(...loans.filter((loan) => loan.plan === 2));
  }
  // The loans paid in part with more are paid in full; those paid in part with less default
  // once their first installment is 120 s overdue, by the end-of-block rule.
  await builder.block(paidInPart.map(({ borrower, loanId }) => builder.sign(borrower, 'prepay', { loanId })), TERM + 200);
  await builder.block([]);
  await builder.block(actors.slice(0, 2).map((actor, i) => builder.sign(actor, 'transfer', { asset: 'COL', to: actors[i + 1]!.account, amount: 7n })));
  return { chain: builder.chain, genesis, figures: builder.figures };
}
