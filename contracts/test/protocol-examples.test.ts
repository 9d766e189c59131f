import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeCanonical, fromHex, toHex, type CanonicalValue } from '../codec/canonical.js';
import { REFUSAL_CODES } from '../errors.js';
import { buildPlan } from '../loans/schedule.js';
import { collateralRequired, splitProRata } from '../money.js';
import { decodeTransaction, encodeEnvelope, hasValidSignature, MAX_TX_BYTES, SIGN_DOMAIN, signBytes, signTransaction, txId, type Transaction } from '../tx/envelope.js';
import { keyPairFromSecret, signMessage as ed25519Sign, verifySignature } from '../tx/keys.js';
import { bodyDecoder, TX_DEFINITIONS } from '../txs/registry.js';

/**
 * docs/protocol.md is the page a third party writes a wallet from. Its figures are checked
 * here against the code, so the page cannot drift from what the chain runs.
 */
const doc = readFileSync(fileURLToPath(new URL('../../docs/protocol.md', import.meta.url)), 'utf8');

/** The parsed JSON of every fenced block whose info string is `json <tag>`. */
function blocks(tag: string): unknown[] {
  const fence = new RegExp(`^\`\`\`json ${tag}\\n([\\s\\S]*?)\\n\`\`\`$`, 'gm');
  return [...doc.matchAll(fence)].map((match) => JSON.parse(match[1] as string) as unknown);
}

type Json = Record<string, unknown>;

function record(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${what} is not an object`);
  return value as Json;
}

function text(value: Json, key: string): string {
  const field = value[key];
  if (typeof field !== 'string') throw new TypeError(`${key} is not a string`);
  return field;
}

function number(value: Json, key: string): number {
  const field = value[key];
  if (typeof field !== 'number') throw new TypeError(`${key} is not a number`);
  return field;
}

function strings(value: Json, key: string): string[] {
  const field = value[key];
  if (!Array.isArray(field) || !field.every((item) => typeof item === 'string')) throw new TypeError(`${key} is not a list of strings`);
  return field as string[];
}

interface TxExample {
  readonly name: string;
  readonly secretKey: string;
  readonly signer: string;
  readonly chainId: string;
  readonly type: string;
  readonly nonce: string;
  readonly body: CanonicalValue;
  readonly signBytesText: string;
  readonly signBytesHex: string;
  readonly signature: string;
  readonly wire: string;
  readonly txId: string;
}

const EXAMPLE_KEYS = ['name', 'secretKey', 'signer', 'chainId', 'type', 'nonce', 'body', 'signBytesText', 'signBytesHex', 'signature', 'wire', 'txId'];

function txExample(value: unknown): TxExample {
  const example = record(value, 'example');
  expect(Object.keys(example).sort()).toEqual([...EXAMPLE_KEYS].sort());
  const get = (key: string) => text(example, key);
  return {
    name: get('name'),
    secretKey: get('secretKey'),
    signer: get('signer'),
    chainId: get('chainId'),
    type: get('type'),
    nonce: get('nonce'),
    body: record(example.body, 'body') as CanonicalValue,
    signBytesText: get('signBytesText'),
    signBytesHex: get('signBytesHex'),
    signature: get('signature'),
    wire: get('wire'),
    txId: get('txId'),
  };
}

const examples = blocks('lendnet-tx-example').map(txExample);

describe('docs/protocol.md worked examples', () => {
  it('has at least three, covering a transfer, a lend offer with collateral and a repayment', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    const types = examples.map((example) => example.type);
    expect(types).toEqual(expect.arrayContaining(['transfer', 'post-lend-offer', 'repay']));
    expect(examples.some((example) => example.type === 'post-lend-offer' && 'collateral' in record(example.body, 'body'))).toBe(true);
  });

  describe.each(examples.map((example) => [`${example.name} (${example.txId.slice(0, 12)})`, example] as const))('%s', (_label, example) => {
    const secretKey = fromHex(example.secretKey);
    const tx: Transaction<CanonicalValue> = {
      chainId: example.chainId,
      type: example.type,
      signer: example.signer,
      nonce: BigInt(example.nonce),
      body: example.body,
    };

    it('derives the signer from the secret key', () => {
      expect(secretKey.length).toBe(32);
      expect(keyPairFromSecret(secretKey).account).toBe(example.signer);
    });

    it('gives the documented sign bytes', () => {
      const bytes = signBytes(tx);
      expect(toHex(bytes)).toBe(example.signBytesHex);
      expect(new TextDecoder().decode(bytes)).toBe(example.signBytesText);
      expect(example.signBytesText.startsWith(`${SIGN_DOMAIN}\n${example.chainId}\n`)).toBe(true);
    });

    it('signs to the documented signature, which verifies', () => {
      const bytes = fromHex(example.signBytesHex);
      expect(toHex(ed25519Sign(secretKey, bytes))).toBe(example.signature);
      expect(verifySignature(fromHex(example.signer), bytes, fromHex(example.signature))).toBe(true);
    });

    it('encodes to the documented wire and id', () => {
      expect(encodeEnvelope(tx, example.signature)).toBe(example.wire);
      expect(txId(example.wire)).toBe(example.txId);
      const signed = signTransaction(tx, secretKey);
      expect([signed.signature, signed.encoded, signed.id]).toEqual([example.signature, example.wire, example.txId]);
      expect(new TextEncoder().encode(example.wire).length).toBeLessThanOrEqual(MAX_TX_BYTES);
    });

    it('writes the body as it is on the wire', () => {
      const wire = record(JSON.parse(example.wire), 'wire');
      expect(wire.body).toEqual(example.body);
      expect(encodeCanonical(example.body)).toBe(JSON.stringify(example.body));
      expect(example.nonce).toMatch(/^(0|[1-9][0-9]*)$/);
    });

    it('decodes from the wire and re-encodes to the same bytes', () => {
      const decoded = decodeTransaction(example.wire, { chainId: example.chainId, bodyOf: bodyDecoder });
      expect(decoded.id).toBe(example.txId);
      expect(decoded.encoded).toBe(example.wire);
      expect(decoded.signature).toBe(example.signature);
      expect(decoded.tx.signer).toBe(example.signer);
      expect(decoded.tx.nonce).toBe(BigInt(example.nonce));
      expect(encodeEnvelope(decoded.tx as Transaction<CanonicalValue>, decoded.signature)).toBe(example.wire);
      expect(hasValidSignature(decoded)).toBe(true);
    });
  });
});

describe('docs/protocol.md money examples', () => {
  const schedules = blocks('lendnet-schedule-example').map((value) => record(value, 'schedule example'));
  const splits = blocks('lendnet-split-examples').flatMap((value) => (Array.isArray(value) ? value : [value])).map((value) => record(value, 'split'));
  const collaterals = blocks('lendnet-collateral-examples').flatMap((value) => (Array.isArray(value) ? value : [value])).map((value) => record(value, 'collateral'));

  it('has schedule, split and collateral examples', () => {
    expect(schedules.length).toBeGreaterThanOrEqual(2);
    expect(new Set(schedules.map((s) => text(s, 'schedule')))).toEqual(new Set(['amortizing', 'bullet']));
    expect(splits.length).toBeGreaterThanOrEqual(2);
    expect(collaterals.length).toBeGreaterThanOrEqual(2);
  });

  it.each(schedules.map((s, i) => [i, s] as const))('schedule example %i is what buildPlan computes', (_index, example) => {
    const schedule = text(example, 'schedule');
    if (schedule !== 'amortizing' && schedule !== 'bullet') throw new TypeError(`unknown schedule ${schedule}`);
    const plan = buildPlan({
      principal: BigInt(text(example, 'principal')),
      aprBps: number(example, 'aprBps'),
      term: number(example, 'term'),
      installments: number(example, 'installments'),
      schedule,
      startTime: number(example, 'startTime'),
    });
    const documented = example.plan;
    expect(Array.isArray(documented)).toBe(true);
    expect(plan.map((installment) => ({ due: installment.due, principal: installment.principal.toString(), interest: installment.interest.toString() }))).toEqual(documented);
  });

  it('pro-rata splits are what splitProRata computes', () => {
    for (const split of splits) {
      expect(splitProRata(BigInt(text(split, 'total')), strings(split, 'weights').map(BigInt)).map(String)).toEqual(strings(split, 'parts'));
    }
  });

  it('collateral figures are what collateralRequired computes', () => {
    for (const c of collaterals) {
      const required = collateralRequired(BigInt(text(c, 'principal')), number(c, 'ratioBps'), number(c, 'principalDecimals'), number(c, 'collateralDecimals'));
      expect(required.toString()).toBe(text(c, 'required'));
    }
  });
});

describe('docs/protocol.md completeness', () => {
  it('states the domain tag and the size limit the code uses', () => {
    expect(doc).toContain(`\`${SIGN_DOMAIN}\``);
    expect(doc).toContain(`\`MAX_TX_BYTES\` = **${MAX_TX_BYTES} bytes**`);
  });

  it('documents every refusal code in its table', () => {
    for (const code of REFUSAL_CODES) expect(doc, code).toContain(`| \`${code}\` |`);
  });

  it('documents every transaction type in its own section', () => {
    for (const { type } of TX_DEFINITIONS) expect(doc, type).toMatch(new RegExp(`^### 7\\.\\d+ \`${type}\`$`, 'm'));
  });
});
