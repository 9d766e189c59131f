/**
 * A market chain for the audit benchmark, built on a real on-disk store the way a node builds
 * one: blocks made by `Chain.propose` from signed transactions, each committed with a
 * certificate signed by the single validator. Actors, in rounds: every fourth round two faucet
 * payouts, then each round a transfer to a neighbour and a lend offer, then a take of the
 * neighbour's offer with collateral, then repayments of part of its two latest loans.
 * Transactions go into blocks in the order the actors sent them (each actor's in nonce order),
 * at most BLOCK_TXS a block.
 *
 * Keys come from fixed seeds, so the genesis is the same for the same parameters and a built
 * chain is kept in a folder under the OS temp dir, named by them, for the next run.
 */
import { createHash, createPrivateKey, createPublicKey, sign as cryptoSign } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  blockHash,
  bodyDecoder,
  type CanonicalValue,
  type CommitCertificate,
  decodeTransaction,
  type MarketEvent,
  precommitBytes,
  type SignedTransaction,
  toHex,
} from '../contracts/index.js';
import { CHAIN_ID, testGenesis } from '../contracts/test/fixtures.js';
import type { Genesis } from '../node/home/genesis-file.js';
import { Chain } from '../node/ledger/chain.js';
import { CHOSEN_LEVEL_OPTIONS, openLevelStore } from '../node/store/index.js';
import { type BenchSigner, signBench } from './workload.js';

/** Transactions in a full block (the last block of a phase holds what is left). */
export const BLOCK_TXS = 1_000;
const GENESIS_TIME = 1_000;
const BLOCK_SECONDS = 2;
// v2: the genesis state holds the validator set, so a chain cached by v1 has other state roots.
const LAYOUT = 'v2';

export interface AuditBenchChain {
  readonly dir: string;
  readonly genesis: Genesis;
  readonly actors: readonly BenchSigner[];
  readonly txs: number;
  readonly blocks: number;
  /** Seconds spent building it in this run; 0 when it was found built. */
  readonly buildSeconds: number;
}

// An ed25519 private key in PKCS#8 DER is this prefix and the 32-byte seed.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

function seededSigner(name: string): BenchSigner {
  const seed = createHash('sha256').update(name).digest();
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  const spki = new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
  return { account: Buffer.from(spki.subarray(12)).toString('hex'), spki, privateKey };
}

function benchGenesis(actors: readonly BenchSigner[], validator: BenchSigner): Genesis {
  const allocations = actors.flatMap((actor) => [
    { account: actor.account, asset: 'USD', amount: 1_000_000_000_000n },
    { account: actor.account, asset: 'COL', amount: 100_000_000_000n },
  ]);
  return { genesisTime: GENESIS_TIME, market: testGenesis({ allocations }), validators: [{ account: validator.account, power: 1 }] };
}

/** One signed transaction waiting for its block, with what the builder learns from its events. */
interface Pending {
  readonly signed: SignedTransaction<unknown>;
  readonly onEvents?: (events: readonly MarketEvent[]) => void;
}

class Builder {
  private readonly nonces: bigint[];
  private time = GENESIS_TIME;
  txs = 0;

  constructor(
    readonly chain: Chain,
    private readonly actors: readonly BenchSigner[],
    private readonly validator: BenchSigner,
  ) {
    this.nonces = actors.map(() => 0n);
  }

  sign(actor: number, type: string, body: CanonicalValue, onEvents?: Pending['onEvents']): Pending {
    const nonce = this.nonces[actor]!;
    this.nonces[actor] = nonce + 1n;
    const { wire } = signBench(CHAIN_ID, this.actors[actor]!, type, nonce, body);
    return { signed: decodeTransaction(wire, { chainId: CHAIN_ID, bodyOf: bodyDecoder }), ...(onEvents ? { onEvents } : {}) };
  }

  /** Commits `pending` in blocks of at most BLOCK_TXS; every transaction must apply. */
  async commitAll(pending: readonly Pending[]): Promise<void> {
    for (let at = 0; at < pending.length; at += BLOCK_TXS) {
      const slice = pending.slice(at, at + BLOCK_TXS);
      this.time += BLOCK_SECONDS;
      const height = this.chain.head().height + 1;
      const proposal = this.chain.propose(
        this.time,
        slice.map((entry) => entry.signed),
        this.validator.account,
      );
      const [refused] = proposal.refused;
      if (refused) throw new Error(`bench chain, block ${height}: a ${refused.tx.tx.type} was refused (${refused.refusal.code}: ${refused.refusal.message})`);
      const hash = blockHash(proposal.block.header);
      const signature = cryptoSign(null, precommitBytes(CHAIN_ID, height, 0, hash), this.validator.privateKey);
      const certificate: CommitCertificate = { height, round: 0, blockHash: hash, precommits: [{ validator: this.validator.account, signature: toHex(signature) }] };
      await this.chain.commit(proposal, certificate);
      slice.forEach((entry, index) => entry.onEvents?.(proposal.executed.txEvents[index] ?? []));
      this.txs += slice.length;
    }
  }
}

async function build(dir: string, target: number, actors: readonly BenchSigner[], validator: BenchSigner, genesis: Genesis): Promise<number> {
  // The node's store options, without the fsync per block: the build is not what is measured.
  const store = await openLevelStore(dir, { ...CHOSEN_LEVEL_OPTIONS, sync: false });
  try {
    const builder = new Builder(await Chain.open(store, genesis), actors, validator);
    const offers: (number | undefined)[] = actors.map(() => undefined);
    const loans: number[][] = actors.map(() => []);
    const phase = async (make: (actor: number) => Pending[]) => {
      const pending = actors.flatMap((_, actor) => make(actor)).slice(0, target - builder.txs);
      await builder.commitAll(pending);
    };
    for (let round = 0; builder.txs < target; round++) {
      await phase((actor) => [
        ...(round % 4 === 0
          ? [builder.sign(actor, 'faucet', { asset: 'USD', amount: 50_000_000_000n }), builder.sign(actor, 'faucet', { asset: 'COL', amount: 5_000_000_000n })]
          : []),
        builder.sign(actor, 'transfer', { asset: 'USD', to: actors[(actor + 1) % actors.length]!.account, amount: BigInt(1_000 + round) }),
        builder.sign(
          actor,
          'post-lend-offer',
          {
            asset: 'USD',
            term: 3_600 * 24 + (round % 5) * 600,
            schedule: round % 2 === 0 ? 'amortizing' : 'bullet',
            installments: 1 + (round % 4),
            amount: 1_000_000n,
            minTicket: 1_000n,
            maxTicket: 1_000_000n,
            aprBps: 400 + ((actor * 37 + round * 11) % 900),
            collateral: { asset: 'COL', ratioBps: 5_000 },
            expiresAt: 2 ** 39,
          },
          (events) => {
            for (const event of events) if (event.type === 'orderPosted') offers[actor] = event.order.id;
          },
        ),
      ]);
      if (builder.txs >= target) break;
      // Each actor takes its neighbour's offer whole, as a borrower, which closes the offer.
      await phase((actor) => {
        const offer = offers[(actor + 1) % actors.length];
        if (offer === undefined) return [];
        return [
          builder.sign(actor, 'take-offer', { orderId: offer, amount: 1_000_000n }, (events) => {
            for (const event of events) if (event.type === 'loanOriginated') loans[actor]!.push(event.loan.id);
          }),
        ];
      });
      if (builder.txs >= target) break;
      await phase((actor) => loans[actor]!.slice(-2).map((loanId) => builder.sign(actor, 'repay', { loanId, amount: 200_000n })));
    }
    return builder.chain.head().height;
  } finally {
    await store.close();
  }
}

/** The benchmark's chain of `txs` transactions from `actorCount` actors: found in the cache, or built there. */
export async function auditBenchChain(txs: number, actorCount: number): Promise<AuditBenchChain> {
  const actors = Array.from({ length: actorCount }, (_, i) => seededSigner(`audit-bench-actor-${i}`));
  const validator = seededSigner('audit-bench-validator');
  const genesis = benchGenesis(actors, validator);
  const dir = join(tmpdir(), `lendnet-bench-audit-${LAYOUT}-${txs}tx-${actorCount}actors-${BLOCK_TXS}perblock`);
  // Written once the build is complete, beside the store (which LevelDB owns).
  const marker = `${dir}.built`;
  if (existsSync(marker)) {
    const blocks = Number(await readFile(marker, 'utf8'));
    return { dir, genesis, actors, txs, blocks, buildSeconds: 0 };
  }
  await rm(dir, { recursive: true, force: true });
  const started = performance.now();
  const blocks = await build(dir, txs, actors, validator, genesis);
  await writeFile(marker, String(blocks));
  return { dir, genesis, actors, txs, blocks, buildSeconds: (performance.now() - started) / 1000 };
}
