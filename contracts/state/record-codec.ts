import { type CanonicalValue, encodeCanonical, parseJson } from '../codec/canonical.js';
import { accountId, amount, arrayOf, assetId, boolean, chainId, type Decoder, integer, matching, object, oneOf, optional } from '../codec/schema.js';
import { refuse } from '../errors.js';
import type { NetworkParams } from '../params.js';
import { MAX_OPEN_PROPOSALS, MAX_VALIDATOR_POWER, MAX_VALIDATORS } from '../validators/validator-set.js';
import type { Order, StateValue } from './records.js';

/**
 * The stored form of state records: their canonical encoding, which is also what the state
 * root commits to. Decoding is strict, so a corrupted store is noticed, not believed.
 */
export function encodeRecord(value: StateValue): string {
  return encodeCanonical(value as CanonicalValue);
}

const count = integer(0, Number.MAX_SAFE_INTEGER);
const id = integer(1, Number.MAX_SAFE_INTEGER);
const time = integer(0, 2 ** 40);
const name = matching(/^[\x20-\x7e]{1,64}$/, 'a name of 1 to 64 printable characters');

const faucetLimits: Decoder<Readonly<Record<string, bigint>>> = (value, path) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse('BAD_FIELD', `${path} must be an object of asset limits`, { field: path });
  return Object.fromEntries(Object.entries(value).map(([asset, limit]) => [assetId(asset, `${path} key`), amount(limit, `${path}.${asset}`)]));
};

export const paramsDecoder: Decoder<NetworkParams> = object({
  chainId,
  devnet: boolean,
  gracePeriod: time,
  defaultPeriod: time,
  lateFeeBps: integer(0, 10_000),
  minTerm: integer(1, 2 ** 40),
  maxTerm: integer(1, 2 ** 40),
  maxInstallments: integer(1, 1_000),
  maxOpenOrdersPerAccount: integer(1, 1_000_000),
  maxLendersPerLoan: integer(1, 10_000),
  faucet: faucetLimits,
});

const terms = { asset: assetId, term: integer(1, 2 ** 40), schedule: oneOf('amortizing', 'bullet'), installments: integer(1, 1_000) };
const orderBase = { ...terms, id, owner: accountId, amount, remaining: amount, createdAt: time, expiresAt: time };

const lendOffer = object({
  ...orderBase,
  side: oneOf('lend'),
  aprBps: integer(0, 100_000),
  minTicket: amount,
  maxTicket: amount,
  collateral: optional(object({ asset: assetId, ratioBps: integer(1, 10_000_000) })),
});

const borrowRequest = object({
  ...orderBase,
  side: oneOf('borrow'),
  maxAprBps: integer(0, 100_000),
  partial: boolean,
  collateral: optional(object({ asset: assetId, amount, remaining: amount })),
  commitments: arrayOf(object({ lender: accountId, amount }), 10_000),
});

const order: Decoder<Order> = (value, path) => {
  const side = (value as { side?: unknown } | null)?.side;
  return side === 'lend' ? lendOffer(value, path) : borrowRequest(value, path);
};

const loan = object({
  ...terms,
  id,
  borrower: accountId,
  principal: amount,
  aprBps: integer(0, 100_000),
  startTime: time,
  orderId: id,
  collateral: optional(object({ asset: assetId, amount })),
  shares: arrayOf(object({ lender: accountId, principal: amount }), 10_000),
  plan: arrayOf(object({ due: time, principal: amount, interest: amount }), 1_000),
  paidInstallments: count,
  paidInterest: amount,
  paidPrincipal: amount,
  lateFeeOwed: amount,
  lateChecks: count,
  lateInstallments: count,
  totalPaid: object({ lateFees: amount, interest: amount, principal: amount }),
  status: oneOf('active', 'repaid', 'defaulted'),
  closedAt: optional(time),
});

const validatorList = arrayOf(object({ account: accountId, power: integer(1, MAX_VALIDATOR_POWER) }), MAX_VALIDATORS);
const height = integer(0, Number.MAX_SAFE_INTEGER);

const validatorSet = object({
  validators: validatorList,
  from: height,
  previous: validatorList,
  adoptedAt: height,
  proposals: arrayOf(
    object({ id, account: accountId, power: integer(0, MAX_VALIDATOR_POWER), proposer: accountId, height, approvals: arrayOf(accountId, MAX_VALIDATORS) }),
    MAX_OPEN_PROPOSALS,
  ),
  nextProposal: id,
});

const decoders: ReadonlyArray<readonly [string, Decoder<StateValue>]> = [
  ['params', paramsDecoder],
  ['counters', object({ nextOrderId: id, nextLoanId: id })],
  ['asset/', object({ id: assetId, name, decimals: integer(0, 18), issuer: accountId, minted: amount, burned: amount })],
  ['account/', object({ nonce: amount, openOrders: count })],
  ['balance/', amount],
  ['order/', order],
  ['loan/', loan],
  ['validators', validatorSet],
  ['credit/', object({ loansTaken: count, loansRepaid: count, repaidOnTime: count, latePayments: count, defaults: count })],
];

/** Decodes a stored record of state key `key`, refusing anything that is not its canonical form. */
export function decodeRecord(key: string, text: string | Uint8Array): StateValue {
  const entry = decoders.find(([prefix]) => (prefix.endsWith('/') ? key.startsWith(prefix) : key === prefix));
  if (!entry) return refuse('BAD_FIELD', `no record kind for state key ${key.slice(0, 80)}`, { field: 'key' });
  const value = entry[1](parseJson(text, 1 << 20), key);
  const canonical = encodeRecord(value);
  const original = typeof text === 'string' ? text : new TextDecoder().decode(text);
  if (canonical !== original) refuse('NON_CANONICAL', `the record of ${key.slice(0, 80)} is not in canonical form`);
  return value;
}
