/**
 * A market workload against a running node, for the index's crash test and benchmark: each
 * actor, in rounds, takes faucet funds, transfers, posts a lend offer, takes part of another
 * actor's offer with collateral, and repays part of its loans. Every transaction is signed and
 * submitted as a wallet would; nonces are read from the node when the workload starts, so it
 * can run again on a restarted node.
 */
import { type CanonicalValue, type KeyPair, type MarketEvent, signTransaction } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import type { LedgerNode, SubmitResult } from '../../node/ledger/ledger-node.js';

export interface WorkloadFigures {
  committed: number;
  refused: number;
  readonly refusals: Map<string, number>;
}

export function workloadActors(count: number): KeyPair[] {
  return Array.from({ length: count }, (_, i) => testKey(`market-workload-${i}`));
}

class Actor {
  private nonce: bigint;
  readonly offers: number[] = [];
  readonly loans: number[] = [];

  constructor(
    readonly key: KeyPair,
    private readonly node: LedgerNode,
    private readonly figures: WorkloadFigures,
  ) {
    this.nonce = node.account(key.account).nonce;
  }

  /** Signs and submits; on commit, returns the events the transaction caused. */
  async send(type: string, body: CanonicalValue): Promise<readonly MarketEvent[] | undefined> {
    const signed = signTransaction({ chainId: this.node.chainId, type, signer: this.key.account, nonce: this.nonce, body }, this.key.secretKey);
    const result: SubmitResult = await this.node.submit(signed.encoded);
    if (result.status === 'refused') {
      this.figures.refused += 1;
      this.figures.refusals.set(result.code, (this.figures.refusals.get(result.code) ?? 0) + 1);
      // A refusal consumes no nonce; the node's own count is the truth after a stop or restart.
      this.nonce = this.node.account(this.key.account).nonce;
      return undefined;
    }
    this.nonce += 1n;
    this.figures.committed += 1;
    return (await this.node.eventsOf(result.height))?.txEvents[result.index];
  }
}

/**
 * Runs rounds until `stop()` says so (checked between transactions). Actors act concurrently,
 * each one's transactions in order.
 */
export async function runMarketWorkload(node: LedgerNode, options: { readonly actors: number; readonly stop: () => boolean; readonly rounds?: number }): Promise<WorkloadFigures> {
  const figures: WorkloadFigures = { committed: 0, refused: 0, refusals: new Map() };
  const actors = workloadActors(options.actors).map((key) => new Actor(key, node, figures));
  const rounds = options.rounds ?? Number.MAX_SAFE_INTEGER;
  for (let round = 0; round < rounds && !options.stop(); round++) {
    await Promise.all(actors.map((actor, i) => actRound(actor, actors[(i + 1) % actors.length]!, round, options.stop)));
  }
  return figures;
}

async function actRound(actor: Actor, next: Actor, round: number, stop: () => boolean): Promise<void> {
  const steps: (() => Promise<void>)[] = [
    async () => {
      if (round % 4 === 0) {
        await actor.send('faucet', { asset: 'USD', amount: 50_000_000_000n });
        await actor.send('faucet', { asset: 'COL', amount: 5_000_000_000n });
      }
    },
    async () => void (await actor.send('transfer', { asset: 'USD', to: next.key.account, amount: BigInt(1_000 + round) })),
    async () => {
      const events = await actor.send('post-lend-offer', {
        asset: 'USD',
        term: 3_600 + (round % 5) * 600,
        schedule: round % 2 === 0 ? 'amortizing' : 'bullet',
        installments: 1 + (round % 4),
        amount: 5_000_000n,
        minTicket: 1_000n,
        maxTicket: 5_000_000n,
        aprBps: 400 + ((round * 37) % 900),
        collateral: { asset: 'COL', ratioBps: 5_000 },
        expiresAt: 2 ** 39,
      });
      for (const event of events ?? []) if (event.type === 'orderPosted') actor.offers.push(event.order.id);
    },
    async () => {
      // Takes part of the neighbour's latest offer, as a borrower.
      const offer = next.offers.at(-1);
      if (offer === undefined) return;
      const events = await actor.send('take-offer', { orderId: offer, amount: 1_000_000n });
      for (const event of events ?? []) if (event.type === 'loanOriginated') actor.loans.push(event.loan.id);
    },
    async () => {
      for (const loan of actor.loans.slice(-2)) await actor.send('repay', { loanId: loan, amount: 200_000n });
    },
  ];
  for (const step of steps) {
    if (stop()) return;
    await step();
  }
}
