/** refusals-decoding.json: wires refused before any market rule looks at them (size, form, fields, key, signature, nonce). */
import type { CanonicalValue } from '../../codec/canonical.js';
import { MAX_AMOUNT } from '../../money.js';
import { encodeEnvelope, signTransaction } from '../../tx/envelope.js';
import { CHAIN_ID } from '../fixtures.js';
import type { VectorCase } from '../vector-format.js';
import { refusal } from './scenario.js';
import { ALICE_FUNDS, alice, bob, firstBlockRefusal, market, T0, transferToBob, USD } from './shared.js';

// ---- wires that are not what a wallet would send -----------------------------------------

function envelopeOf(wire: string): Record<string, unknown> {
  return JSON.parse(wire) as Record<string, unknown>;
}

/** The wire with one field of the envelope replaced (or removed), written in canonical form. */
function withEnvelopeField(wire: string, field: string, value: CanonicalValue | undefined): string {
  const envelope = envelopeOf(wire);
  if (value === undefined) delete envelope[field];
  else envelope[field] = value;
  return canonicalText(envelope);
}

function canonicalText(value: Record<string, unknown>): string {
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(value[key])}`).join(',')}}`;
}

/** Alice's transfer of 10 USD to Bob, unsigned, for the cases that sign it themselves. */
function aliceTransfer(chainId = CHAIN_ID, nonce = 0n) {
  return { chainId, type: 'transfer', signer: alice.account, nonce, body: { asset: 'USD', to: bob.account, amount: 10n * USD } };
}

// ---- the cases ----------------------------------------------------------------------------

export const decodingRefusals = (): VectorCase[] => [
  firstBlockRefusal('too-large', 'A valid transfer padded with spaces past 4,096 bytes.', 'TX_TOO_LARGE', (s) => transferToBob(s).padEnd(4100, ' ')),
  firstBlockRefusal('not-json', 'A transfer cut off before its closing brace.', 'MALFORMED', (s) => transferToBob(s).slice(0, -1)),
  firstBlockRefusal('whitespace', 'A validly signed transfer with a space after the first brace.', 'NON_CANONICAL', (s) => `{ ${transferToBob(s).slice(1)}`),
  firstBlockRefusal('unsorted-keys', 'A validly signed transfer whose envelope keys are not in sorted order.', 'NON_CANONICAL', (s) => {
    const envelope = envelopeOf(transferToBob(s));
    const { type, ...rest } = envelope;
    return JSON.stringify({ type, ...rest });
  }),
  firstBlockRefusal('unknown-envelope-field', 'The envelope carries a field the format does not have.', 'UNKNOWN_FIELD', (s) => withEnvelopeField(transferToBob(s), 'memo', 'hello')),
  firstBlockRefusal('unknown-body-field', 'A signed transfer whose body has an extra field.', 'UNKNOWN_FIELD', (s) =>
    s.sign(alice, 'transfer', { asset: 'USD', to: bob.account, amount: 10n * USD, memo: 'rent' }),
  ),
  firstBlockRefusal('missing-signature', 'The envelope has no signature.', 'MISSING_FIELD', (s) => withEnvelopeField(transferToBob(s), 'signature', undefined)),
  firstBlockRefusal('fractional-amount', 'An amount written with a decimal point.', 'BAD_FIELD', (s) => transferToBob(s, '10.5')),
  firstBlockRefusal('amount-above-max', 'An amount of 2^64, one above the largest amount.', 'AMOUNT_OUT_OF_RANGE', (s) => transferToBob(s, MAX_AMOUNT + 1n)),
  firstBlockRefusal('zero-amount', 'A transfer of nothing.', 'ZERO_AMOUNT', (s) => transferToBob(s, 0n)),
  firstBlockRefusal('unknown-type', 'A well-formed, signed envelope of a type the chain does not have.', 'UNKNOWN_TX_TYPE', (s) => s.sign(alice, 'lend-everything', {})),
  firstBlockRefusal('wrong-chain', 'A transfer signed for another chain.', 'WRONG_CHAIN', () => signTransaction(aliceTransfer('lendnet-other'), alice.secretKey).encoded),
  firstBlockRefusal('small-order-signer', 'The signer is the identity point, a small-order key no one can be held to.', 'BAD_PUBLIC_KEY', () =>
    encodeEnvelope({ chainId: CHAIN_ID, type: 'faucet', signer: `01${'00'.repeat(31)}`, nonce: 0n, body: { asset: 'USD', amount: 1n } }, '00'.repeat(64)),
  ),
  firstBlockRefusal('small-order-recipient', 'A transfer to a small-order key, which no one could ever spend from.', 'BAD_PUBLIC_KEY', (s) =>
    s.sign(alice, 'transfer', { asset: 'USD', to: `01${'00'.repeat(31)}`, amount: 10n * USD }),
  ),
  firstBlockRefusal('signature-of-another-transaction', 'A transfer of 20 USD carrying Alice’s signature of a transfer of 10 USD.', 'BAD_SIGNATURE', () => {
    const tx = aliceTransfer();
    const signature = signTransaction(tx, alice.secretKey).signature;
    return encodeEnvelope({ ...tx, body: { ...tx.body, amount: 20n * USD } }, signature);
  }),
  refusal('replayed-transaction', 'The same signed transfer sent again after it was applied.', market(ALICE_FUNDS), T0 + 10, 'BAD_NONCE', (s) => {
    const wire = transferToBob(s);
    s.block(T0, wire);
    return wire;
  }),
  firstBlockRefusal('nonce-from-the-future', 'Alice’s first transaction carries nonce 1.', 'BAD_NONCE', () => signTransaction(aliceTransfer(CHAIN_ID, 1n), alice.secretKey).encoded),
];
