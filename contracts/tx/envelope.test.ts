import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCanonical, fromHex, toHex, utf8, type CanonicalValue } from '../codec/canonical.js';
import { isRefusal, type Refusal } from '../errors.js';
import { processTransaction } from '../machine.js';
import { MAX_AMOUNT } from '../money.js';
import type { MarketState } from '../state/market-state.js';
import { CHAIN_ID, signed, testKey, testState } from '../test/fixtures.js';
import { bodyDecoder } from '../txs/registry.js';
import { decodeTransaction, encodeEnvelope, hasValidSignature, MAX_TX_BYTES, signBytes, signBytesOf, signTransaction, txId, type Transaction } from './envelope.js';
import { isValidAccountKey, keyPairFromSecret, verifySignature } from './keys.js';

const alice = testKey('alice');
const bob = testKey('bob');
const decodeOptions = { chainId: CHAIN_ID, bodyOf: bodyDecoder };

/** The refusal `run` throws; fails the test if it throws anything else or nothing. */
function refusalOf(run: () => unknown): Refusal {
  try {
    run();
  } catch (error) {
    if (isRefusal(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal, but the input was accepted');
}

function decodeRefusal(input: Uint8Array | string, options: Parameters<typeof decodeTransaction>[1] = decodeOptions): Refusal {
  return refusalOf(() => decodeTransaction(input, options));
}

/** The whole state as one string, to compare before and after. */
function snapshot(state: MarketState): string {
  return encodeCanonical(state.entries() as unknown as CanonicalValue);
}

const transferBody = { asset: 'USD', to: bob.account, amount: 250_000_000n };
const transfer = signed(alice, 0n, 'transfer', transferBody);

/** A valid signature's hex, for envelopes whose decoding must fail before any signature check. */
const anySignature = transfer.signature;

/** The canonical wire of an envelope built from parts, not necessarily a valid transaction. */
function envelope(parts: Record<string, CanonicalValue | undefined>): string {
  return encodeCanonical({ body: transferBody, chainId: CHAIN_ID, nonce: 0n, signature: anySignature, signer: alice.account, type: 'transfer', ...parts });
}

/** A transfer's wire with its body JSON text replaced (the rest left canonical). */
function withBodyText(bodyText: string): string {
  const wire = transfer.encoded;
  const start = wire.indexOf('{', 1);
  const end = wire.indexOf('}', start) + 1;
  return `${wire.slice(0, start)}${bodyText}${wire.slice(end)}`;
}

describe('signing and decoding', () => {
  it('signs the domain tag, the chain id and the canonical rest', () => {
    const tx: Transaction<CanonicalValue> = { chainId: CHAIN_ID, type: 'transfer', signer: alice.account, nonce: 0n, body: transferBody };
    const expected = `lendnet/tx/v1\n${CHAIN_ID}\n{"body":{"amount":"250000000","asset":"USD","to":"${bob.account}"},"nonce":"0","signer":"${alice.account}","type":"transfer"}`;
    expect(new TextDecoder().decode(signBytes(tx))).toBe(expected);
    expect(verifySignature(alice.publicKey, signBytes(tx), fromHex(transfer.signature))).toBe(true);
    expect(transfer.encoded).toBe(encodeEnvelope(tx, transfer.signature));
    expect(transfer.id).toBe(txId(transfer.encoded));
    expect(transfer.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('decodes its own wire to the same transaction, from text or bytes', () => {
    for (const input of [transfer.encoded, utf8(transfer.encoded)]) {
      const decoded = decodeTransaction(input, decodeOptions);
      expect(decoded.tx).toEqual(transfer.tx);
      expect(decoded.id).toBe(transfer.id);
      expect(decoded.encoded).toBe(transfer.encoded);
      expect(hasValidSignature(decoded)).toBe(true);
    }
  });
});

// ---- arbitrary valid transactions -----------------------------------------------------

const secretKey = fc.uint8Array({ minLength: 32, maxLength: 32 });
const account = secretKey.map((secret) => keyPairFromSecret(secret).account);
const asset = fc.stringMatching(/^[A-Z][A-Z0-9]{1,11}$/);
const amount = fc.oneof(fc.bigInt({ min: 1n, max: MAX_AMOUNT }), fc.constantFrom(1n, MAX_AMOUNT));
const sequenceId = fc.oneof(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1, max: 1000 }));
const apr = fc.integer({ min: 0, max: 100_000 });
const time = fc.integer({ min: 0, max: 2 ** 40 });
const terms = {
  asset,
  term: fc.integer({ min: 1, max: 2 ** 32 }),
  schedule: fc.constantFrom('amortizing' as const, 'bullet' as const),
  installments: fc.integer({ min: 1, max: 1000 }),
};

const validBody: fc.Arbitrary<{ type: string; body: CanonicalValue }> = fc.oneof(
  fc.record({ type: fc.constant('transfer'), body: fc.record({ asset, to: account, amount }) }),
  fc.record({ type: fc.constant('mint'), body: fc.record({ asset, to: account, amount }) }),
  fc.record({ type: fc.constantFrom('burn', 'faucet'), body: fc.record({ asset, amount }) }),
  fc.record({
    type: fc.constant('post-lend-offer'),
    body: fc.record(
      {
        ...terms,
        amount,
        minTicket: amount,
        maxTicket: amount,
        aprBps: apr,
        collateral: fc.record({ asset, ratioBps: fc.integer({ min: 1, max: 10_000_000 }) }),
        expiresAt: time,
      },
      { requiredKeys: ['asset', 'term', 'schedule', 'installments', 'amount', 'minTicket', 'maxTicket', 'aprBps', 'expiresAt'] },
    ),
  }),
  fc.record({
    type: fc.constant('post-borrow-request'),
    body: fc.record(
      { ...terms, amount, maxAprBps: apr, collateral: fc.record({ asset, amount }), partial: fc.boolean(), expiresAt: time },
      { requiredKeys: ['asset', 'term', 'schedule', 'installments', 'amount', 'maxAprBps', 'partial', 'expiresAt'] },
    ),
  }),
  fc.record({ type: fc.constantFrom('cancel-order', 'accept-funding'), body: fc.record({ orderId: sequenceId }) }),
  fc.record({ type: fc.constantFrom('take-offer', 'fund-request'), body: fc.record({ orderId: sequenceId, amount }) }),
  fc.record({ type: fc.constant('repay'), body: fc.record({ loanId: sequenceId, amount }) }),
  fc.record({ type: fc.constantFrom('prepay', 'declare-default'), body: fc.record({ loanId: sequenceId }) }),
);

describe('round trips', () => {
  it('every valid transaction signs, encodes and decodes to the same transaction and id', () => {
    fc.assert(
      fc.property(
        secretKey,
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,63}$/),
        fc.oneof(fc.bigInt({ min: 0n, max: MAX_AMOUNT }), fc.constantFrom(0n, MAX_AMOUNT)),
        validBody,
        (secret, chainId, nonce, { type, body }) => {
          const signer = keyPairFromSecret(secret).account;
          const tx: Transaction<CanonicalValue> = { chainId, type, signer, nonce, body };
          const signedTx = signTransaction(tx, secret);
          const decoded = decodeTransaction(utf8(signedTx.encoded), { chainId, bodyOf: bodyDecoder });
          expect(decoded.tx).toEqual(tx);
          expect(decoded.id).toBe(signedTx.id);
          expect(decoded.encoded).toBe(signedTx.encoded);
          expect(decoded.signature).toBe(signedTx.signature);
          expect(encodeEnvelope(decoded.tx as Transaction<CanonicalValue>, decoded.signature)).toBe(signedTx.encoded);
          expect(hasValidSignature(decoded)).toBe(true);
          // The sign bytes cut from the wire form are the sign bytes of the decoded transaction.
          expect(signBytesOf(decoded)).toEqual(signBytes(decoded.tx as Transaction<CanonicalValue>));
          // A wire form that does not match the transaction is not cut from: the bytes are encoded afresh.
          expect(signBytesOf({ ...decoded, encoded: decoded.encoded.replace('"nonce":"', '"nonce":"1') })).toEqual(signBytes(decoded.tx as Transaction<CanonicalValue>));
        },
      ),
      { numRuns: 150 },
    );
  });
});

// ---- refusals -------------------------------------------------------------------------

describe('decoding refuses with a code', () => {
  it('TX_TOO_LARGE above MAX_TX_BYTES, before anything else', () => {
    const padded = transfer.encoded + ' '.repeat(MAX_TX_BYTES + 1 - transfer.encoded.length);
    expect(decodeRefusal(padded).code).toBe('TX_TOO_LARGE');
    expect(decodeRefusal(utf8(padded)).details).toEqual({ size: MAX_TX_BYTES + 1, limit: MAX_TX_BYTES });
  });

  it('MALFORMED for bad JSON and invalid UTF-8', () => {
    expect(decodeRefusal(transfer.encoded.slice(0, -1)).code).toBe('MALFORMED');
    expect(decodeRefusal('').code).toBe('MALFORMED');
    const bytes = utf8(transfer.encoded);
    const at = transfer.encoded.indexOf('USD');
    const broken = Uint8Array.from([...bytes.slice(0, at), 0xc3, 0x28, ...bytes.slice(at)]);
    expect(decodeRefusal(broken).code).toBe('MALFORMED');
    expect(decodeRefusal(Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes])).code).toBe('MALFORMED');
  });

  it('NON_CANONICAL for whitespace, unsorted or duplicate keys and needless escapes', () => {
    const wire = transfer.encoded;
    const cases = [
      wire.replace('","', '", "'), // a space between members
      `${wire}\n`,
      wire.replace('{', '{ '),
      withBodyText(`{"asset":"USD","amount":"250000000","to":"${bob.account}"}`), // body keys unsorted
      `{"type":"transfer",${wire.slice(1, wire.lastIndexOf(',"type"'))}}`, // envelope keys unsorted
      withBodyText(`{"amount":"1","amount":"250000000","asset":"USD","to":"${bob.account}"}`), // a duplicate key
      withBodyText(`{"amount":"250000000","asset":"\\u0055SD","to":"${bob.account}"}`), // an escaped capital
    ];
    for (const input of cases) expect(decodeRefusal(input).code, input).toBe('NON_CANONICAL');
  });

  it('BAD_FIELD, not NON_CANONICAL, for JSON numbers, null and leading zeros: fields are typed first', () => {
    expect(decodeRefusal(withBodyText(`{"amount":250000000,"asset":"USD","to":"${bob.account}"}`)).details).toEqual({ field: 'tx.body.amount' });
    expect(decodeRefusal(withBodyText(`{"amount":"0250000000","asset":"USD","to":"${bob.account}"}`)).code).toBe('BAD_FIELD');
    expect(decodeRefusal(withBodyText(`{"amount":null,"asset":"USD","to":"${bob.account}"}`)).code).toBe('BAD_FIELD');
    expect(decodeRefusal(transfer.encoded.replace('"nonce":"0"', '"nonce":0')).details).toEqual({ field: 'tx.nonce' });
    expect(decodeRefusal(envelope({ nonce: '00' })).details).toEqual({ field: 'tx.nonce' });
    expect(decodeRefusal(envelope({ nonce: '-1' })).code).toBe('BAD_FIELD');
  });

  it('BAD_FIELD for values of the wrong format or range', () => {
    const cases: Array<[Record<string, CanonicalValue>, string]> = [
      [{ nonce: 1n << 64n }, 'tx.nonce'],
      [{ chainId: 'Lendnet' }, 'tx.chainId'],
      [{ chainId: '-lendnet' }, 'tx.chainId'],
      [{ signature: anySignature.toUpperCase() }, 'tx.signature'],
      [{ signature: anySignature.slice(2) }, 'tx.signature'],
      [{ signer: alice.account.toUpperCase() }, 'tx.signer'],
      [{ type: 'Transfer' }, 'tx.type'],
      [{ body: 'transfer' }, 'tx.body'],
      [{ body: { ...transferBody, asset: 'usd' } }, 'tx.body.asset'],
      [{ body: { ...transferBody, to: 'bob' } }, 'tx.body.to'],
      [{ type: 'repay', body: { loanId: 0, amount: 1n } }, 'tx.body.loanId'],
      [{ type: 'prepay', body: { loanId: 1n << 53n } }, 'tx.body.loanId'],
      [{ type: 'post-borrow-request', body: { asset: 'USD', amount: 1n, maxAprBps: 100_001, term: 60, schedule: 'bullet', installments: 1, partial: true, expiresAt: 1 } }, 'tx.body.maxAprBps'],
      [{ type: 'post-borrow-request', body: { asset: 'USD', amount: 1n, maxAprBps: 100, term: 60, schedule: 'balloon', installments: 1, partial: true, expiresAt: 1 } }, 'tx.body.schedule'],
      [{ type: 'post-borrow-request', body: { asset: 'USD', amount: 1n, maxAprBps: 100, term: 60, schedule: 'bullet', installments: 1, partial: 'yes', expiresAt: 1 } }, 'tx.body.partial'],
    ];
    for (const [parts, field] of cases) {
      const refusal = decodeRefusal(envelope(parts));
      expect([refusal.code, refusal.details.field], field).toEqual(['BAD_FIELD', field]);
    }
  });

  it('UNKNOWN_FIELD in the envelope, in a body and for a "__proto__" key', () => {
    expect(decodeRefusal(envelope({ memo: 'hi' })).details).toEqual({ field: 'tx.memo' });
    expect(decodeRefusal(envelope({ body: { ...transferBody, memo: 'hi' } })).details).toEqual({ field: 'tx.body.memo' });
    const protoInBody = withBodyText(`{"__proto__":{"admin":true},"amount":"250000000","asset":"USD","to":"${bob.account}"}`);
    expect(decodeRefusal(protoInBody).details).toEqual({ field: 'tx.body.__proto__' });
    const protoInEnvelope = `{"__proto__":"x",${transfer.encoded.slice(1)}`;
    expect(decodeRefusal(protoInEnvelope).code).toBe('UNKNOWN_FIELD');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    const collateralExtra = { asset: 'USD', amount: 1n, maxAprBps: 100, term: 60, schedule: 'bullet', installments: 1, partial: true, expiresAt: 1, collateral: { asset: 'COL', amount: 1n, ratioBps: 1 } };
    expect(decodeRefusal(envelope({ type: 'post-borrow-request', body: collateralExtra })).details).toEqual({ field: 'tx.body.collateral.ratioBps' });
  });

  it('MISSING_FIELD in the envelope and in a body', () => {
    expect(decodeRefusal(envelope({ signature: undefined })).details).toEqual({ field: 'tx.signature' });
    expect(decodeRefusal(envelope({ body: { asset: 'USD', to: bob.account } })).details).toEqual({ field: 'tx.body.amount' });
    expect(decodeRefusal(envelope({ type: 'post-lend-offer', body: { asset: 'USD' } })).code).toBe('MISSING_FIELD');
  });

  it('AMOUNT_OUT_OF_RANGE above 2^64 - 1, and ZERO_AMOUNT for zero', () => {
    const tooMuch = signed(alice, 0n, 'transfer', { ...transferBody, amount: 1n << 64n });
    expect(decodeRefusal(tooMuch.encoded).details).toEqual({ field: 'tx.body.amount', max: MAX_AMOUNT.toString() });
    expect(decodeTransaction(signed(alice, 0n, 'transfer', { ...transferBody, amount: MAX_AMOUNT }).encoded, decodeOptions).tx.body).toMatchObject({ amount: MAX_AMOUNT });
    expect(decodeRefusal(signed(alice, 0n, 'transfer', { ...transferBody, amount: 0n }).encoded).code).toBe('ZERO_AMOUNT');
  });

  it('UNKNOWN_TX_TYPE for a well-formed type no one defined', () => {
    const refusal = decodeRefusal(signed(alice, 0n, 'launch-rocket', transferBody).encoded);
    expect([refusal.code, refusal.details.type]).toEqual(['UNKNOWN_TX_TYPE', 'launch-rocket']);
  });

  it('WRONG_CHAIN for a transaction signed for another chain', () => {
    const other = signed(alice, 0n, 'transfer', transferBody, 'lendnet-other');
    expect(decodeRefusal(other.encoded).details).toEqual({ expected: CHAIN_ID, got: 'lendnet-other' });
    expect(decodeTransaction(other.encoded, { bodyOf: bodyDecoder }).tx.chainId).toBe('lendnet-other');
  });

  it('BAD_PUBLIC_KEY for a small-order or non-canonical signer key', () => {
    const smallOrder = [
      '0100000000000000000000000000000000000000000000000000000000000000', // the identity
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2
      '0000000000000000000000000000000000000000000000000000000000000000', // order 4
      '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
    ];
    for (const key of smallOrder) {
      expect(ed25519.Point.fromBytes(fromHex(key)).isSmallOrder()).toBe(true);
      expect(decodeRefusal(envelope({ signer: key })).code).toBe('BAD_PUBLIC_KEY');
    }
    // y = p + 3: a point of large order, but written with y >= p, which only ZIP-215 decoding accepts.
    const nonCanonical = 'f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f';
    expect(ed25519.Point.fromBytes(fromHex(nonCanonical), true).isSmallOrder()).toBe(false);
    expect(() => ed25519.Point.fromBytes(fromHex(nonCanonical), false)).toThrow();
    expect(decodeRefusal(envelope({ signer: nonCanonical })).code).toBe('BAD_PUBLIC_KEY');
    // x = 0 with the sign bit set ("negative zero"): the identity written non-canonically.
    expect(decodeRefusal(envelope({ signer: '0100000000000000000000000000000000000000000000000000000000000080' })).code).toBe('BAD_PUBLIC_KEY');
    // Not a point at all (y = 2 has no x on the curve).
    expect(() => ed25519.Point.fromBytes(fromHex(`02${'00'.repeat(31)}`), true)).toThrow();
    expect(decodeRefusal(envelope({ signer: `02${'00'.repeat(31)}` })).code).toBe('BAD_PUBLIC_KEY');
  });

  it('BAD_PUBLIC_KEY for a recipient no one can sign for', () => {
    const refusal = decodeRefusal(envelope({ body: { ...transferBody, to: '01'.padEnd(64, '0') } }));
    expect([refusal.code, refusal.details.field]).toEqual(['BAD_PUBLIC_KEY', 'tx.body.to']);
  });

  it('accepts a key with a small-order component: it is not itself of small order', () => {
    const torsion = ed25519.Point.fromBytes(fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'));
    const mixed = ed25519.Point.fromBytes(alice.publicKey).add(torsion).toBytes();
    expect(isValidAccountKey(mixed)).toBe(true);
    expect(decodeTransaction(envelope({ signer: toHex(mixed) }), decodeOptions).tx.signer).toBe(toHex(mixed));
  });
});

// ---- the state machine's entry point --------------------------------------------------

function fundedState(): MarketState {
  const state = testState({ allocations: [{ account: alice.account, asset: 'USD', amount: 1_000_000_000n }] });
  return state;
}

/** The same envelope with bit `bit` of its signature flipped. */
function flipSignatureBit(wire: string, bit: number): string {
  const parsed = JSON.parse(wire) as { signature: string };
  const signature = fromHex(parsed.signature);
  signature[bit >> 3] = (signature[bit >> 3] as number) ^ (1 << (bit & 7));
  return wire.replace(parsed.signature, toHex(signature));
}

describe('processTransaction', () => {
  it('refuses a flipped signature bit with BAD_SIGNATURE and changes nothing', () => {
    const state = fundedState();
    const before = snapshot(state);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 511 }), (bit) => {
        const outcome = processTransaction(state, { height: 1, time: 1_000 }, flipSignatureBit(transfer.encoded, bit));
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expect(outcome.refusal.code).toBe('BAD_SIGNATURE');
        expect(snapshot(state)).toBe(before);
      }),
      { numRuns: 64, examples: [[0], [255], [256], [511], [510]] },
    );
    // The untouched transaction is valid, so the signature alone was the reason.
    const outcome = processTransaction(state, { height: 1, time: 1_000 }, transfer.encoded);
    expect(outcome.ok).toBe(true);
    expect(state.balance(bob.account, 'USD')).toBe(250_000_000n);
  });

  it('refuses a valid signature over another chain or nonce, changing nothing', () => {
    const state = fundedState();
    const before = snapshot(state);
    const wrongNonce = processTransaction(state, { height: 1, time: 1_000 }, signed(alice, 1n, 'transfer', transferBody).encoded);
    const wrongChain = processTransaction(state, { height: 1, time: 1_000 }, signed(alice, 0n, 'transfer', transferBody, 'lendnet-other').encoded);
    expect([wrongNonce.ok ? 'ok' : wrongNonce.refusal.code, wrongChain.ok ? 'ok' : wrongChain.refusal.code]).toEqual(['BAD_NONCE', 'WRONG_CHAIN']);
    expect(snapshot(state)).toBe(before);
  });
});

// ---- mutations ------------------------------------------------------------------------

type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly mask: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number };

const jsonish = fc.constantFrom(' ', ',', '"', '0', '1', ':', '{', '}', '[', ']', '\\', 'a', 'null', '"x":"1",', '\n', 'é').map(utf8);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), jsonish) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
);

function mutate(input: Uint8Array, change: Mutation): Uint8Array {
  const at = change.at % (input.length + 1);
  switch (change.kind) {
    case 'flip': {
      if (input.length === 0) return input;
      const out = input.slice();
      const index = change.at % input.length;
      out[index] = (out[index] as number) ^ change.mask;
      return out;
    }
    case 'truncate':
      return input.slice(0, at);
    case 'insert':
      return Uint8Array.from([...input.slice(0, at), ...change.bytes, ...input.slice(at)]);
    case 'delete':
      return Uint8Array.from([...input.slice(0, at), ...input.slice(at + change.count)]);
  }
}

describe('mutated wire transactions', () => {
  const wires = [
    transfer.encoded,
    signed(alice, 0n, 'post-lend-offer', {
      asset: 'USD', amount: 500_000_000n, minTicket: 1_000_000n, maxTicket: 500_000_000n, aprBps: 1200,
      term: 1200, schedule: 'amortizing', installments: 12, collateral: { asset: 'COL', ratioBps: 5000 }, expiresAt: 100_000,
    }).encoded,
    signed(alice, 0n, 'repay', { loanId: 1, amount: 5_000_000n }).encoded,
    signed(alice, 0n, 'faucet', { asset: 'COL', amount: 1_000n }).encoded,
  ].map(utf8);

  it('never make decodeTransaction throw anything but a Refusal, and only canonical bytes decode', () => {
    fc.assert(
      fc.property(fc.constantFrom(...wires), fc.array(mutation, { minLength: 1, maxLength: 4 }), (wire, changes) => {
        const input = changes.reduce(mutate, wire);
        try {
          const decoded = decodeTransaction(input, decodeOptions);
          expect(toHex(utf8(decoded.encoded))).toBe(toHex(input));
          expect(decoded.id).toBe(txId(decoded.encoded));
        } catch (error) {
          if (!isRefusal(error)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never change the state unless processTransaction says ok', () => {
    let state = fundedState();
    let before = snapshot(state);
    fc.assert(
      fc.property(fc.constantFrom(...wires), fc.array(mutation, { minLength: 1, maxLength: 4 }), (wire, changes) => {
        const input = changes.reduce(mutate, wire);
        const outcome = processTransaction(state, { height: 1, time: 1_000 }, input);
        if (outcome.ok) {
          // A mutation that still carries a valid signature: start again from a clean state.
          state = fundedState();
          before = snapshot(state);
          return;
        }
        expect(isRefusal(outcome.refusal)).toBe(true);
        expect(snapshot(state)).toBe(before);
      }),
      { numRuns: 400 },
    );
  });
});
