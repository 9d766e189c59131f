/**
 * Test support: a real chain (node/ledger's Chain on a real store) grown from a random market
 * scenario of the contracts' property tests, with a clock of its own so that loans go late,
 * default and expire within a test. Each action is one block; an `advance` action is an empty
 * block later in time, where the end-of-block rules run.
 */
import {
  type Allocation,
  blockHash,
  bodyDecoder,
  type CommitCertificate,
  decodeTransaction,
  hasValidSignature,
  isRefusal,
  type MarketGenesis,
  precommitBytes,
  type SignedTransaction,
  signMessage,
  toHex,
} from '../../contracts/index.js';
import { testGenesis, testKey } from '../../contracts/test/fixtures.js';
import type { Scenario } from '../../contracts/test/invariants/actions.js';
import { plan } from '../../contracts/test/invariants/plan.js';
import { ACCOUNTS, ISSUER } from '../../contracts/test/invariants/signing.js';
import { fastVerify } from '../../node/crypto/fast-verifier.js';
import type { Genesis } from '../../node/home/genesis-file.js';
import { Chain } from '../../node/ledger/chain.js';
import type { Store } from '../../node/store/index.js';
import type { BlockSource } from './projector.js';

const VALIDATOR = testKey('scenario-validator');
const START_TIME = 1_000;

export function scenarioGenesis(sc: Scenario): Genesis {
  const allocations: Allocation[] = [];
  ACCOUNTS.slice(0, sc.accounts).forEach((actor, i) => {
    const a = sc.allocations[i];
    if (a && a.usd > 0n) allocations.push({ account: actor.key.account, asset: 'USD', amount: a.usd });
    if (a && a.col > 0n) allocations.push({ account: actor.key.account, asset: 'COL', amount: a.col });
  });
  allocations.push({ account: ISSUER.key.account, asset: 'USD', amount: 50_000_000_000n }, { account: ISSUER.key.account, asset: 'COL', amount: 20_000_000_000n });
  const market: MarketGenesis = testGenesis({ allocations });
  return { genesisTime: START_TIME, market, validators: [{ account: VALIDATOR.account, power: 1 }] };
}

/** A chain on `store` with a block source over it for the projector, growing block by block. */
export class ScenarioChain implements BlockSource {
  private readonly listeners = new Set<() => void>();
  private readonly applied: string[] = [];
  private time = START_TIME;

  private constructor(
    readonly chain: Chain,
    readonly genesis: Genesis,
  ) {}

  static async open(store: Store, genesis: Genesis): Promise<ScenarioChain> {
    return new ScenarioChain(await Chain.open(store, genesis), genesis);
  }

  get chainId(): string {
    return this.genesis.market.params.chainId;
  }

  status() {
    return this.chain.head();
  }

  block(height: number) {
    return this.chain.block(height);
  }

  commitOf(height: number) {
    return this.chain.commitOf(height);
  }

  eventsOf(height: number) {
    return this.chain.eventsOf(height);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs the scenario's actions from `from`, one block each; returns how many transactions applied. */
  async run(sc: Scenario, from = 0, to = sc.actions.length): Promise<number> {
    let applied = 0;
    for (const action of sc.actions.slice(from, to)) {
      if (action.kind === 'advance') {
        this.time += action.seconds;
        await this.commit([]);
        continue;
      }
      const planned = plan({ state: this.chain.state, actors: ACCOUNTS.slice(0, sc.accounts), time: this.time, applied: this.applied }, action);
      let signed: SignedTransaction<unknown>;
      try {
        signed = decodeTransaction(planned.wire, { chainId: this.chainId, bodyOf: bodyDecoder });
      } catch (error) {
        if (isRefusal(error)) continue;
        throw error;
      }
      if (!hasValidSignature(signed, fastVerify)) continue;
      if ((await this.commit([signed])) > 0) {
        this.applied.push(planned.wire);
        applied += 1;
      }
    }
    return applied;
  }

  /** Proposes and commits one block of `candidates` at the chain's clock; returns how many were included. */
  async commit(candidates: readonly SignedTransaction<unknown>[]): Promise<number> {
    const time = Math.max(this.time, this.chain.head().time);
    const proposal = this.chain.propose(time, candidates, VALIDATOR.account);
    const { height } = proposal.block.header;
    const hash = blockHash(proposal.block.header);
    const signature = toHex(signMessage(VALIDATOR.secretKey, precommitBytes(this.chainId, height, 0, hash)));
    const certificate: CommitCertificate = { height, round: 0, blockHash: hash, precommits: [{ validator: VALIDATOR.account, signature }] };
    await this.chain.commit(proposal, certificate);
    for (const listener of this.listeners) listener();
    return proposal.executed.included.length;
  }
}
