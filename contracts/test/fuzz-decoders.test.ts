import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeGenesisDocument, genesisDocumentDecoder, genesisHash } from '../audit/genesis-hash.js';
import { decodeLoanFile, verifyLoanFile, verifyLoanFileText, type LoanFileVerdict } from '../audit/loan-file.js';
import { decodeBlock, decodeCommit, encodeBlock, encodeCommit } from '../chain/block-codec.js';
import { type CanonicalValue, encodeCanonical, utf8 } from '../codec/canonical.js';
import { genesisState, processTransaction } from '../machine.js';
import { MarketState } from '../state/market-state.js';
import { decodeRecord, encodeRecord } from '../state/record-codec.js';
import { decodeTransaction, signTransaction } from '../tx/envelope.js';
import type { KeyPair } from '../tx/keys.js';
import { bodyDecoder } from '../txs/registry.js';
import { validatorChangesDecoder, ValidatorHistoryError, verifyValidatorHistory } from '../validators/validator-history.js';
import { CHAIN_ID, signed } from './fixtures.js';
import { buildFuzzChain, fuzzKeys, usd } from './fuzz-chain.js';
import {
  byteMutations,
  decodeOrRefuse,
  isCodedRefusal,
  type Json,
  jsonMutations,
  mutateBytesAll,
  mutateJsonAll,
  randomInput,
  textOf,
} from './fuzz-kit.js';

/**
 * Every decoder of untrusted input in contracts/, fed random bytes and mutations of valid
 * encodings: each gives a coded Refusal (or, for the loan file verifier, a failing verdict),
 * never another error, never a change to the state, and never accepts what it should not.
 */

const RUNS = 300;
const chain = buildFuzzChain();
const { v0, alice, bob, carol } = fuzzKeys;
const decodeOptions = { chainId: CHAIN_ID, bodyOf: bodyDecoder };
const parse = (text: string) => JSON.parse(text) as Json;

/** The wire of every transaction type, as committed or signed on the side. */
const wires: readonly string[] = [
  ...chain.blocks.flatMap((block) => block.block.txs),
  signed(alice, 0n, 'faucet', { asset: 'USD', amount: 5n }).encoded,
  signed(alice, 0n, 'burn', { asset: 'USD', amount: 5n }).encoded,
  signed(alice, 0n, 'mint', { asset: 'COL', to: bob.account, amount: 5n }).encoded,
  signed(alice, 0n, 'cancel-order', { orderId: 1 }).encoded,
  signed(bob, 0n, 'prepay', { loanId: 1 }).encoded,
  signed(alice, 0n, 'declare-default', { loanId: 1 }).encoded,
  signed(carol, 0n, 'accept-funding', { orderId: 2 }).encoded,
  signed(v0, 0n, 'approve-validator-change', { proposal: 1 }).encoded,
];

/** Asserts that a decoded value re-encodes to exactly the input: only canonical bytes decode. */
function expectCanonical(input: Uint8Array | string, encoded: string): void {
  expect(encoded).toBe(typeof input === 'string' ? input : new TextDecoder().decode(input));
}

describe('decodeTransaction', () => {
  it('refuses random input with a code, or decodes exactly its canonical bytes', () => {
    fc.assert(
      fc.property(randomInput, (input) => {
        const decoded = decodeOrRefuse(() => decodeTransaction(input, decodeOptions));
        if (decoded) expectCanonical(input, decoded.encoded);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses JSON mutations of valid wires with a code, written canonically or not', () => {
    fc.assert(
      fc.property(fc.constantFrom(...wires), jsonMutations, fc.boolean(), (wire, changes, canonical) => {
        const input = textOf(mutateJsonAll(parse(wire), changes), canonical);
        const decoded = decodeOrRefuse(() => decodeTransaction(input, decodeOptions));
        if (decoded) expectCanonical(input, decoded.encoded);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses byte mutations of every type of wire with a code', () => {
    fc.assert(
      fc.property(fc.constantFrom(...wires), byteMutations, (wire, changes) => {
        const input = mutateBytesAll(utf8(wire), changes);
        const decoded = decodeOrRefuse(() => decodeTransaction(input, decodeOptions));
        if (decoded) expectCanonical(input, decoded.encoded);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('processTransaction on a live market', () => {
  /** What an account signs, before the mutation: a type and a body. */
  const templates: readonly { readonly key: KeyPair; readonly type: string; readonly body: CanonicalValue }[] = [
    { key: alice, type: 'transfer', body: { asset: 'USD', to: carol.account, amount: usd(1) } },
    { key: bob, type: 'repay', body: { loanId: 1, amount: usd(10) } },
    { key: bob, type: 'prepay', body: { loanId: 1 } },
    { key: alice, type: 'declare-default', body: { loanId: 1 } },
    { key: bob, type: 'take-offer', body: { orderId: 1, amount: usd(200) } },
    { key: alice, type: 'fund-request', body: { orderId: 2, amount: usd(50) } },
    { key: carol, type: 'accept-funding', body: { orderId: 2 } },
    { key: alice, type: 'cancel-order', body: { orderId: 1 } },
    { key: carol, type: 'post-borrow-request', body: { asset: 'USD', amount: usd(50), maxAprBps: 800, term: 86_400, schedule: 'bullet', installments: 1, partial: false, expiresAt: 4_000_000_000, collateral: { asset: 'COL', amount: 5n } } },
    { key: alice, type: 'post-lend-offer', body: { asset: 'USD', amount: usd(50), minTicket: 1n, maxTicket: usd(50), aprBps: 100, term: 86_400, schedule: 'amortizing', installments: 3, expiresAt: 4_000_000_000, collateral: { asset: 'COL', ratioBps: 5_000 } } },
    { key: v0, type: 'propose-validator-change', body: { account: carol.account, power: 2 } },
    { key: v0, type: 'approve-validator-change', body: { proposal: 1 } },
    { key: alice, type: 'faucet', body: { asset: 'USD', amount: 1n } },
    { key: alice, type: 'burn', body: { asset: 'USD', amount: 1n } },
  ];
  const fresh = () => MarketState.fromRecords(chain.state.entries());
  const snapshot = (state: MarketState) => encodeCanonical(state.entries() as unknown as CanonicalValue);
  const contexts = [{ height: 5, time: 1_050 }, { height: 5, time: 1_000 + 200 * 86_400 }];

  it('refuses bodies mutated and signed anew with a code and changes nothing, or applies them', () => {
    let state = fresh();
    let before = snapshot(state);
    let applied = 0;
    fc.assert(
      fc.property(fc.constantFrom(...templates), jsonMutations, fc.constantFrom(...contexts), ({ key, type, body }, changes, ctx) => {
        const mutated = mutateJsonAll({ type, body: parse(encodeCanonical(body)) }, changes);
        const fields = typeof mutated === 'object' && mutated !== null && !Array.isArray(mutated) ? mutated : { body: mutated };
        let wire: string;
        try {
          const tx = { chainId: CHAIN_ID, type: fields.type as string, signer: key.account, nonce: state.account(key.account).nonce, body: fields.body as CanonicalValue };
          wire = signTransaction(tx, key.secretKey).encoded;
        } catch {
          return; // a body with no canonical form cannot be signed
        }
        const outcome = processTransaction(state, ctx, wire);
        if (outcome.ok) {
          applied++;
          state = fresh();
          before = snapshot(state);
          return;
        }
        expect(isCodedRefusal(outcome.refusal)).toBe(true);
        expect(snapshot(state)).toBe(before);
      }),
      { numRuns: RUNS },
    );
    // Some mutations leave a valid transaction (an amount changed, a field moved): the rules ran, not only the decoder.
    expect(applied).toBeGreaterThan(0);
  });

  it('refuses mutated wires of committed transactions without changing the state', () => {
    const state = fresh();
    const before = snapshot(state);
    fc.assert(
      fc.property(fc.constantFrom(...wires), fc.oneof(byteMutations.map((changes) => ({ changes })), jsonMutations.map((json) => ({ json }))), (wire, mutation) => {
        const input = 'changes' in mutation ? mutateBytesAll(utf8(wire), mutation.changes) : textOf(mutateJsonAll(parse(wire), mutation.json), true);
        const outcome = processTransaction(state, contexts[0]!, input);
        // A wire signed with nonce 0 of an account that has moved on applies nowhere here.
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expect(isCodedRefusal(outcome.refusal)).toBe(true);
        expect(snapshot(state)).toBe(before);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('blocks and commit certificates', () => {
  const last = chain.blocks[3]!;
  const blockWire = encodeBlock(last.block);
  const commitWire = encodeCommit(last.commit);

  it('random input is refused with a code', () => {
    fc.assert(
      fc.property(randomInput, (input) => {
        const block = decodeOrRefuse(() => decodeBlock(input));
        if (block) expectCanonical(input, encodeBlock(block));
        const commit = decodeOrRefuse(() => decodeCommit(input));
        if (commit) expectCanonical(input, encodeCommit(commit));
      }),
      { numRuns: RUNS },
    );
  });

  it('JSON and byte mutations of a block are refused with a code, or decode to exactly their bytes', () => {
    fc.assert(
      fc.property(fc.oneof(byteMutations.map((changes) => ({ changes })), fc.record({ json: jsonMutations, canonical: fc.boolean() })), (mutation) => {
        const input = 'changes' in mutation ? mutateBytesAll(utf8(blockWire), mutation.changes) : textOf(mutateJsonAll(parse(blockWire), mutation.json), mutation.canonical);
        const block = decodeOrRefuse(() => decodeBlock(input));
        if (block) expectCanonical(input, encodeBlock(block));
      }),
      { numRuns: RUNS },
    );
  });

  it('JSON and byte mutations of a commit certificate are refused with a code, or decode to exactly their bytes', () => {
    fc.assert(
      fc.property(fc.oneof(byteMutations.map((changes) => ({ changes })), fc.record({ json: jsonMutations, canonical: fc.boolean() })), (mutation) => {
        const input = 'changes' in mutation ? mutateBytesAll(utf8(commitWire), mutation.changes) : textOf(mutateJsonAll(parse(commitWire), mutation.json), mutation.canonical);
        const commit = decodeOrRefuse(() => decodeCommit(input));
        if (commit) expectCanonical(input, encodeCommit(commit));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('stored records', () => {
  const records = chain.state.entries().map(([key, value]) => ({ key, text: encodeRecord(value) }));
  const kinds = [...new Set(records.map(({ key }) => key.split('/')[0]))].sort();

  it('the chain holds a record of every kind, both order sides and a proposal', () => {
    expect(kinds).toEqual(['account', 'asset', 'balance', 'counters', 'credit', 'loan', 'order', 'params', 'validators']);
    expect(records.filter(({ text }) => text.includes('"side":"borrow"') && text.includes('"commitments":[{'))).toHaveLength(1);
    expect(records.some(({ text }) => text.includes('"side":"lend"'))).toBe(true);
  });

  it('mutations of a record of every kind are refused with a code, or decode to exactly their text', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...records),
        fc.oneof(byteMutations.map((changes) => ({ changes })), fc.record({ json: jsonMutations, canonical: fc.boolean() })),
        fc.boolean(),
        ({ key, text }, mutation, asBytes) => {
          const mutated = 'changes' in mutation ? mutateBytesAll(utf8(text), mutation.changes) : utf8(textOf(mutateJsonAll(parse(text), mutation.json), mutation.canonical));
          const input = asBytes ? mutated : new TextDecoder().decode(mutated);
          const record = decodeOrRefuse(() => decodeRecord(key, input));
          if (record !== undefined) expectCanonical(input, encodeRecord(record));
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('a record under a random or mismatched key is refused with a code', () => {
    const key = fc.oneof(fc.constantFrom(...records.map((r) => r.key)), fc.constantFrom('params', 'validators', 'order/', 'loan/x', 'balance/', 'nothing').chain((prefix) => fc.string({ maxLength: 20 }).map((rest) => prefix + rest)));
    fc.assert(
      fc.property(key, fc.oneof(fc.constantFrom(...records.map((r) => r.text)).map(utf8), randomInput), (recordKey, input) => {
        const record = decodeOrRefuse(() => decodeRecord(recordKey, input));
        if (record !== undefined) expectCanonical(input, encodeRecord(record));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('proofs of validator history', () => {
  const change = chain.validatorChange;
  const changes = parse(encodeCanonical([{ header: { ...change.header }, commit: { ...change.commit, precommits: change.commit.precommits.map((p) => ({ ...p })) }, record: change.record, proof: { siblings: change.proof.siblings } }]));
  const genesisSet = chain.genesis.validators;

  it('the unmutated change decodes and verifies', () => {
    const decoded = validatorChangesDecoder(changes, 'changes');
    expect(decoded).toEqual([change]);
    expect(verifyValidatorHistory(CHAIN_ID, genesisSet, decoded).sets()).toHaveLength(2);
  });

  it('random JSON is refused with a code', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        decodeOrRefuse(() => validatorChangesDecoder(value, 'changes'));
      }),
      { numRuns: RUNS },
    );
  });

  it('a mutated change is refused with a code, or fails to verify with a ValidatorHistoryError, unless it is the real history or a prefix of it', () => {
    fc.assert(
      fc.property(jsonMutations, (mutations) => {
        const decoded = decodeOrRefuse(() => validatorChangesDecoder(mutateJsonAll(changes, mutations), 'changes'));
        if (decoded === undefined) return;
        const history = decodeOrRefuse(() => verifyValidatorHistory(CHAIN_ID, genesisSet, decoded), (error) => error instanceof ValidatorHistoryError);
        // Leaving changes out proves less, not something false: the empty history verifies too.
        if (history !== undefined) expect([[], [change]]).toContainEqual(decoded);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('genesis documents', () => {
  const genesisText = encodeGenesisDocument(chain.genesis);

  it('a mutated genesis is refused with a code, or decodes to a document a chain starts from or refuses with a code', () => {
    fc.assert(
      fc.property(fc.oneof(jsonMutations, fc.jsonValue({ maxDepth: 4 }).map((value) => ({ random: value }))), (mutation) => {
        const value = Array.isArray(mutation) ? mutateJsonAll(parse(genesisText), mutation) : mutation.random;
        const genesis = decodeOrRefuse(() => genesisDocumentDecoder(value, 'genesis'));
        if (genesis === undefined) return;
        expect(genesisHash(genesis)).toMatch(/^[0-9a-f]{64}$/);
        decodeOrRefuse(() => genesisState(genesis.market, genesis.validators));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('loan files', () => {
  const original = parse(chain.loanFileText);
  const decodedOriginal = decodeLoanFile(original);

  /** A verdict that is a verdict: a named fault found by the checks, not an error they ran into. */
  function expectVerdict(verdict: LoanFileVerdict, file: unknown): void {
    if (!verdict.ok) {
      expect(verdict.failure?.what).not.toMatch(/^the file could not be verified/);
      return;
    }
    // It passes only when it is the same file read the same way, save transactions left out:
    // the format proves what it lists, not that it lists all (docs/audit-file.md §1).
    const decoded = decodeLoanFile(file);
    const all = decodedOriginal.transactions;
    let next = 0;
    const listed = decoded.transactions.every((tx) => {
      while (next < all.length && !isDeepStrictEqual(all[next], tx)) next++;
      return next++ < all.length;
    });
    expect(listed).toBe(true);
    expect(isDeepStrictEqual({ ...decoded, transactions: [] }, { ...decodedOriginal, transactions: [] })).toBe(true);
  }

  it('the unmutated file verifies', () => {
    expect(verifyLoanFileText(chain.loanFileText)).toMatchObject({ ok: true, checks: { validatorChanges: 1, headers: 2, commits: 2, txs: 2 } });
  });

  it('random JSON is refused by the decoder with a code, and fails the verifier', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 5 }), fc.record({ format: fc.constant('lendnet-loan-file/2'), loanId: fc.jsonValue() })), (value) => {
        decodeOrRefuse(() => decodeLoanFile(value));
        const verdict = verifyLoanFile(value);
        expect(verdict.ok).toBe(false);
        expectVerdict(verdict, value);
      }),
      { numRuns: RUNS },
    );
  });

  it('a file mutated in its JSON fails with a named fault, unless it changed nothing or only left transactions out', () => {
    fc.assert(
      fc.property(jsonMutations, (mutations) => {
        const file = mutateJsonAll(original, mutations);
        decodeOrRefuse(() => decodeLoanFile(file));
        expectVerdict(verifyLoanFile(file), file);
      }),
      { numRuns: RUNS },
    );
  });

  it('a file mutated in its bytes fails with a named fault, unless only its layout changed', () => {
    fc.assert(
      fc.property(byteMutations, (changes) => {
        const text = mutateBytesAll(utf8(chain.loanFileText), changes);
        const verdict = verifyLoanFileText(text);
        if (verdict.ok) expectVerdict(verdict, JSON.parse(new TextDecoder().decode(text)));
        else expect(verdict.failure?.what).not.toMatch(/could not be verified|could not be read/);
      }),
      { numRuns: RUNS },
    );
  });

  it('a stated loan with a key that has no canonical form fails with a named fault (found by fuzzing)', () => {
    const loan = { ...(decodedOriginal.loan as object), '\ufeffpaidInstallments': '0' };
    const verdict = verifyLoanFile({ ...(original as object), loan });
    expect(verdict.ok).toBe(false);
    expect(verdict.failure?.what).toMatch(/^the loan's terms stated in the file hold a value with no canonical form/);
  });

  it('the stated loan may not be swapped for another record of the chain', () => {
    for (const [key, value] of chain.state.entries()) {
      if (key === 'loan/1') continue;
      const verdict = verifyLoanFile({ ...(original as object), loan: parse(encodeRecord(value)) });
      expect(verdict.ok).toBe(false);
      expectVerdict(verdict, original);
    }
  });
});
