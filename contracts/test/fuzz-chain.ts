/**
 * Test support for fuzzing: a small chain built by the contracts alone, with everything a
 * decoder of untrusted input meets valid at least once. A validator change (validator-0 adds
 * validator-1 at height 1, so two validators commit from height 3), a lend offer and a borrow
 * request, a loan taken from the offer, a repayment and a commitment to the request; the headers, commit certificates and state proofs of every block;
 * the validator change as a proof of history carries it, and loan 1's loan file.
 */
import { type GenesisDocument, genesisHash } from '../audit/genesis-hash.js';
import { encodeLoanFile, LOAN_FILE_FORMAT, type LoanFile, type LoanFileTransaction } from '../audit/loan-file-format.js';
import { type BlockHeader, blockHash, type CommitCertificate, GENESIS_PREVIOUS_HASH, precommitBytes, validatorsHash } from '../chain/block.js';
import type { Block } from '../chain/block-codec.js';
import { type CanonicalValue, toHex } from '../codec/canonical.js';
import { endBlock, genesisState, processTransaction } from '../machine.js';
import { stateProofOf, stateRootOf, stateValueBytes } from '../proofs/state-proof.js';
import { txInclusionProof, txRoot } from '../proofs/tx-merkle.js';
import { encodeRecord } from '../state/record-codec.js';
import type { MarketState } from '../state/market-state.js';
import { type Loan, stateKey } from '../state/records.js';
import type { SignedTransaction } from '../tx/envelope.js';
import { type KeyPair, signMessage } from '../tx/keys.js';
import type { ValidatorSetChange } from '../validators/validator-history.js';
import { type ValidatorSetRecord, validatorsAt } from '../validators/validator-set.js';
import { CHAIN_ID, signed, testGenesis, testKey } from './fixtures.js';

export const usd = (units: number): bigint => BigInt(units) * 1_000_000n;

export const fuzzKeys = {
  v0: testKey('fuzz-validator-0'),
  v1: testKey('fuzz-validator-1'),
  alice: testKey('alice'),
  bob: testKey('bob'),
  carol: testKey('carol'),
};

/** One block as the chain committed it, with the state's records after it (canonical bytes). */
export interface FuzzBlock {
  readonly block: Block;
  readonly commit: CommitCertificate;
  readonly txs: readonly SignedTransaction<CanonicalValue>[];
  readonly records: readonly (readonly [string, Uint8Array])[];
  /** The `validators` record after the block. */
  readonly validators: ValidatorSetRecord;
}

export interface FuzzChain {
  readonly genesis: GenesisDocument;
  /** The state after the last block. */
  readonly state: MarketState;
  /** By height, from 1. */
  readonly blocks: readonly FuzzBlock[];
  /** The change adopted at height 1, as a proof of validator history carries it. */
  readonly validatorChange: ValidatorSetChange;
  /** Loan 1's file, verifying. */
  readonly loanFile: LoanFile;
  readonly loanFileText: string;
}

const REQUEST = { asset: 'USD', amount: usd(500), maxAprBps: 800, term: 60 * 86_400, schedule: 'bullet', installments: 1, partial: true, expiresAt: 4_000_000_000 };
const OFFER = { asset: 'USD', amount: usd(5_000), minTicket: usd(100), maxTicket: usd(5_000), aprBps: 900, term: 60 * 86_400, schedule: 'amortizing', installments: 2, expiresAt: 4_000_000_000 };

/** Builds the chain; deterministic, so every test that calls it sees the same bytes. */
export function buildFuzzChain(): FuzzChain {
  const { v0, v1, alice, bob, carol } = fuzzKeys;
  const market = testGenesis({
    allocations: [
      { account: alice.account, asset: 'USD', amount: usd(20_000) },
      { account: bob.account, asset: 'USD', amount: usd(1_000) },
    ],
  });
  const genesis: GenesisDocument = { genesisTime: 1_000, market, validators: [{ account: v0.account, power: 1 }] };
  const state = genesisState(market, genesis.validators);
  const keysOf = new Map<string, KeyPair>([v0, v1].map((key) => [key.account, key]));
  const blocks: FuzzBlock[] = [];
  const nonces = new Map<string, bigint>();
  const sign = (key: KeyPair, type: string, body: CanonicalValue) => {
    const nonce = nonces.get(key.account) ?? 0n;
    nonces.set(key.account, nonce + 1n);
    return signed(key, nonce, type, body);
  };

  const commitBlock = (txs: SignedTransaction<CanonicalValue>[]) => {
    const height = blocks.length + 1;
    const ctx = { height, time: 1_000 + 10 * height };
    const set = validatorsAt(state.validatorSet()!, height);
    for (const tx of txs) {
      const outcome = processTransaction(state, ctx, tx.encoded);
      if (!outcome.ok) throw new Error(`the fuzz chain's ${tx.tx.type} was refused: ${outcome.refusal.code}`);
    }
    endBlock(state, ctx);
    const records = state.entries().map(([key, value]) => [key, stateValueBytes(value)] as const);
    const previous = blocks.at(-1);
    const header: BlockHeader = {
      chainId: CHAIN_ID,
      height,
      time: ctx.time,
      previousHash: previous ? blockHash(previous.block.header) : GENESIS_PREVIOUS_HASH,
      txRoot: toHex(txRoot(txs.map((tx) => tx.id))),
      stateRoot: toHex(stateRootOf(records)),
      validatorsHash: validatorsHash(set),
      proposer: v0.account,
    };
    const hash = blockHash(header);
    const message = precommitBytes(CHAIN_ID, height, 0, hash);
    const precommits = set.map((v) => ({ validator: v.account, signature: toHex(signMessage(keysOf.get(v.account)!.secretKey, message)) }));
    const commit: CommitCertificate = { height, round: 0, blockHash: hash, precommits };
    const block: Block = { header, txs: txs.map((tx) => tx.encoded), ...(previous ? { lastCommit: previous.commit } : {}) };
    blocks.push({ block, commit, txs, records, validators: state.validatorSet()! });
  };

  commitBlock([sign(v0, 'propose-validator-change', { account: v1.account, power: 1 })]);
  commitBlock([sign(alice, 'post-lend-offer', OFFER), sign(carol, 'post-borrow-request', REQUEST)]);
  commitBlock([sign(bob, 'take-offer', { orderId: 1, amount: usd(1_000) })]);
  commitBlock([
    sign(alice, 'transfer', { asset: 'USD', to: carol.account, amount: usd(1) }),
    sign(bob, 'repay', { loanId: 1, amount: usd(300) }),
    sign(alice, 'fund-request', { orderId: 2, amount: usd(100) }),
  ]);

  const first = blocks[0]!;
  const validatorChange: ValidatorSetChange = {
    header: first.block.header,
    commit: first.commit,
    record: encodeRecord(first.validators),
    proof: stateProofOf(first.records, stateKey.validators()),
  };

  const last = blocks[3]!;
  const loan = state.loan(1) as Loan;
  const entry = (height: number, index: number): LoanFileTransaction => {
    const { txs } = blocks[height - 1]!;
    const ids = txs.map((tx) => tx.id);
    return { id: ids[index]!, height, index, count: ids.length, encoded: txs[index]!.encoded, proof: txInclusionProof(ids, index) };
  };
  const loanFile: LoanFile = {
    format: LOAN_FILE_FORMAT,
    loanId: 1,
    chainId: CHAIN_ID,
    genesisHash: genesisHash(genesis),
    loan,
    loanState: { height: 4, key: stateKey.loan(1), record: encodeRecord(loan), proof: stateProofOf(last.records, stateKey.loan(1)) },
    transactions: [entry(3, 0), entry(4, 1)],
    headers: [blocks[2]!.block.header, last.block.header],
    commits: [blocks[2]!.commit, last.commit],
    validatorChanges: [validatorChange],
    genesis,
  };
  return { genesis, state, blocks, validatorChange, loanFile, loanFileText: encodeLoanFile(loanFile) };
}
