/**
 * Every reason a transaction can be refused, as a stable code. Clients, the index and the
 * tests match on the code; the message is for people and may be reworded.
 */
export const REFUSAL_CODES = [
  // decoding untrusted bytes
  'TX_TOO_LARGE',
  'MALFORMED',
  'NON_CANONICAL',
  'UNKNOWN_FIELD',
  'MISSING_FIELD',
  'BAD_FIELD',
  'AMOUNT_OUT_OF_RANGE',
  'UNKNOWN_TX_TYPE',
  // envelope and signature
  'WRONG_CHAIN',
  'BAD_PUBLIC_KEY',
  'BAD_SIGNATURE',
  'BAD_NONCE',
  // assets and balances
  'UNKNOWN_ASSET',
  'NOT_ISSUER',
  'SUPPLY_CAP_EXCEEDED',
  'FAUCET_DISABLED',
  'FAUCET_LIMIT',
  'INSUFFICIENT_FUNDS',
  'ZERO_AMOUNT',
  // orders
  'INVALID_TERMS',
  'EXPIRY_IN_PAST',
  'TOO_MANY_ORDERS',
  'ORDER_NOT_FOUND',
  'OFFER_EXPIRED',
  'WRONG_ORDER_SIDE',
  'NOT_ORDER_OWNER',
  'SELF_MATCH',
  'TICKET_OUT_OF_RANGE',
  'EXCEEDS_REMAINING',
  'INSUFFICIENT_COLLATERAL',
  'LENDER_LIMIT',
  'PARTIAL_NOT_ALLOWED',
  'NOTHING_COMMITTED',
  // loans
  'LOAN_NOT_FOUND',
  'LOAN_CLOSED',
  'NOT_BORROWER',
  'OVERPAYMENT',
  'NOT_IN_DEFAULT',
  // the validator set
  'NOT_A_VALIDATOR',
  'INVALID_VALIDATOR_CHANGE',
  'VALIDATOR_CHANGE_PENDING',
  'PROPOSAL_EXISTS',
  'TOO_MANY_PROPOSALS',
  'PROPOSAL_NOT_FOUND',
  'ALREADY_APPROVED',
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** Figures that explain a refusal; amounts are decimal strings so the payload survives JSON. */
export type RefusalDetails = Readonly<Record<string, string | number>>;

/** A transaction the market's rules refuse. A refused transaction changes nothing. */
export class Refusal extends Error {
  override readonly name = 'Refusal';
  constructor(
    readonly code: RefusalCode,
    message: string,
    readonly details: RefusalDetails = {},
  ) {
    super(message);
  }

  toJSON(): { code: RefusalCode; message: string; details: RefusalDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function refuse(code: RefusalCode, message: string, details?: RefusalDetails): never {
  throw new Refusal(code, message, details);
}

export function isRefusal(error: unknown): error is Refusal {
  return error instanceof Refusal;
}
