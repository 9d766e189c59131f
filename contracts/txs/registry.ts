import type { Decoder } from '../codec/schema.js';
import { acceptFunding } from './accept-funding.js';
import { burn } from './burn.js';
import { cancelOrder } from './cancel-order.js';
import { declareDefault } from './declare-default.js';
import type { TxDefinition } from './definition.js';
import { faucet } from './faucet.js';
import { fundRequest } from './fund-request.js';
import { mint } from './mint.js';
import { postBorrowRequest } from './post-borrow-request.js';
import { postLendOffer } from './post-lend-offer.js';
import { prepay } from './prepay.js';
import { repay } from './repay.js';
import { takeOffer } from './take-offer.js';
import { transfer } from './transfer.js';
import { approveValidatorChange, proposeValidatorChange } from './validator-change.js';

/** Every transaction type, by its wire name. */
export const TX_DEFINITIONS = [
  transfer,
  mint,
  burn,
  faucet,
  postLendOffer,
  postBorrowRequest,
  cancelOrder,
  takeOffer,
  fundRequest,
  acceptFunding,
  repay,
  prepay,
  declareDefault,
  proposeValidatorChange,
  approveValidatorChange,
] as const;

export type TxType = (typeof TX_DEFINITIONS)[number]['type'];

/** The body of each transaction type, as decoded. */
export type TxBodies = {
  [D in (typeof TX_DEFINITIONS)[number] as D['type']]: D extends TxDefinition<infer Body, string> ? Body : never;
};

const byType = new Map<string, TxDefinition<unknown>>(TX_DEFINITIONS.map((d) => [d.type, d as unknown as TxDefinition<unknown>]));

export function txDefinition(type: string): TxDefinition<unknown> | undefined {
  return byType.get(type);
}

export function bodyDecoder(type: string): Decoder<unknown> | undefined {
  return byType.get(type)?.body;
}
