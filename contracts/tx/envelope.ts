import { sha256HexOfText } from '../crypto/sha256.js';
import { assertCanonical, encodeCanonical, fromHex, parseJson, toHex, utf8, type CanonicalValue } from '../codec/canonical.js';
import { accountId, chainId as chainIdField, matching, object, type Decoder } from '../codec/schema.js';
import { refuse } from '../errors.js';
import { MAX_AMOUNT } from '../money.js';
import { isValidAccountId, signMessage as ed25519Sign, verifySignature } from './keys.js';

/** The largest encoded transaction a node accepts, in bytes. */
export const MAX_TX_BYTES = 4096;

/** The domain tag that starts every signed message, so a Lendnet signature means nothing elsewhere. */
export const SIGN_DOMAIN = 'lendnet/tx/v1';

/** An unsigned transaction: who, which sequence number, what. */
export interface Transaction<Body = unknown> {
  readonly chainId: string;
  readonly type: string;
  /** The signer's account: its ed25519 public key in lowercase hex. */
  readonly signer: string;
  /** The signer's next nonce: 0 for its first transaction, then one more each time. */
  readonly nonce: bigint;
  readonly body: Body;
}

/** A transaction with its signature, its canonical encoding and its id. */
export interface SignedTransaction<Body = unknown> {
  readonly tx: Transaction<Body>;
  /** 64-byte ed25519 signature over `signBytes(tx)`, lowercase hex. */
  readonly signature: string;
  /** The canonical encoding of the signed envelope: the wire format. */
  readonly encoded: string;
  /** SHA-256 of `encoded`, lowercase hex. */
  readonly id: string;
}

/**
 * The bytes an account signs: the domain tag, a newline, the chain id, a newline, and the
 * canonical encoding of {body, nonce, signer, type}.
 */
export function signBytes(tx: Transaction<CanonicalValue>): Uint8Array {
  const rest = encodeCanonical({ body: tx.body, nonce: tx.nonce, signer: tx.signer, type: tx.type });
  return utf8(`${SIGN_DOMAIN}\n${tx.chainId}\n${rest}`);
}

/**
 * The sign bytes of a decoded transaction, cut from its wire form rather than re-encoded: the
 * wire form is canonical, so its body is the canonical encoding of the body and the fields after
 * it are fixed. Equal to `signBytes(signed.tx)`; falls back to that when the wire form is not
 * laid out as an envelope (a transaction built in memory rather than decoded).
 */
export function signBytesOf(signed: SignedTransaction<unknown>): Uint8Array {
  const { tx, encoded, signature } = signed;
  // The wire form ends ,"chainId":"C","nonce":"N","signature":"S","signer":"P","type":"T"}
  // and the sign bytes keep everything but the chain id and signature members.
  const nonce = typeof tx.nonce === 'bigint' ? tx.nonce.toString() : '';
  const signerAt = encoded.length - (`,"signer":"","type":""}`.length + tx.signer.length + tx.type.length);
  const signatureAt = signerAt - (`,"signature":""`.length + signature.length);
  const nonceAt = signatureAt - (`,"nonce":""`.length + nonce.length);
  const chainAt = nonceAt - (`,"chainId":""`.length + tx.chainId.length);
  const laidOut =
    nonce !== '' &&
    PLAIN_FIELD.test(tx.chainId) &&
    PLAIN_FIELD.test(tx.signer) &&
    PLAIN_FIELD.test(tx.type) &&
    PLAIN_FIELD.test(signature) &&
    encoded.startsWith('{"body":', 0) &&
    chainAt > 8 &&
    startsWithAt(encoded, chainAt, ',"chainId":"', tx.chainId, '"') &&
    startsWithAt(encoded, nonceAt, ',"nonce":"', nonce, '"') &&
    startsWithAt(encoded, signatureAt, ',"signature":"', signature, '"') &&
    startsWithAt(encoded, signerAt, ',"signer":"', tx.signer, '","type":"') &&
    encoded.startsWith(tx.type, encoded.length - 2 - tx.type.length) &&
    encoded.endsWith('"}');
  if (!laidOut) return signBytes(tx as Transaction<CanonicalValue>);
  return utf8(`${SIGN_DOMAIN}\n${tx.chainId}\n${encoded.slice(0, chainAt)}${encoded.slice(nonceAt, signatureAt)}${encoded.slice(signerAt)}`);
}

// Field values written between quotes as they are (no escapes), as every valid one is.
const PLAIN_FIELD = /^[0-9a-z-]*$/;

/** Whether `text` holds open ‖ value ‖ close at `at`. */
function startsWithAt(text: string, at: number, open: string, value: string, close: string): boolean {
  return text.startsWith(open, at) && text.startsWith(value, at + open.length) && text.startsWith(close, at + open.length + value.length);
}

export function encodeEnvelope(tx: Transaction<CanonicalValue>, signature: string): string {
  return encodeCanonical({ body: tx.body, chainId: tx.chainId, nonce: tx.nonce, signature, signer: tx.signer, type: tx.type });
}

export function txId(encoded: string): string {
  return sha256HexOfText(encoded);
}

/** Signs a transaction with the signer's secret key. */
export function signTransaction<Body extends CanonicalValue>(tx: Transaction<Body>, secretKey: Uint8Array): SignedTransaction<Body> {
  const signature = toHex(ed25519Sign(secretKey, signBytes(tx)));
  const encoded = encodeEnvelope(tx, signature);
  return { tx, signature, encoded, id: txId(encoded) };
}

/** Checks a signed transaction's signature under the consensus rule (or a verifier proven equal to it). */
export function hasValidSignature(
  signed: SignedTransaction<unknown>,
  verify: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean = verifySignature,
): boolean {
  return verify(fromHex(signed.tx.signer), signBytesOf(signed), fromHex(signed.signature));
}

/** The message of a BAD_PUBLIC_KEY refusal of a transaction's signer. */
export const SIGNER_KEY_REFUSAL = 'the signer is not an acceptable ed25519 public key';

const nonceField: Decoder<bigint> = (value, path) => {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,19})$/.test(value) || BigInt(value) > MAX_AMOUNT) {
    refuse('BAD_FIELD', `${path} must be an integer from 0 to ${MAX_AMOUNT} written as a decimal string`, { field: path });
  }
  return BigInt(value);
};

const envelopeShape = object({
  body: (value: unknown) => value,
  chainId: chainIdField,
  nonce: nonceField,
  signature: matching(/^[0-9a-f]{128}$/, 'a 64-byte signature in 128 lowercase hex characters'),
  signer: accountId,
  type: matching(/^[a-z][a-z-]{0,31}$/, 'a transaction type'),
});

/**
 * Decodes untrusted bytes into a signed transaction, refusing with a code anything that is
 * too large, not canonical JSON, of an unknown type, shaped wrongly, for another chain, or
 * signed by an unacceptable key. It does not check the signature (see hasValidSignature):
 * nodes verify signatures once, in parallel, and cache the result.
 */
export function decodeTransaction(
  input: Uint8Array | string,
  options: {
    readonly chainId?: string;
    readonly bodyOf: (type: string) => Decoder<unknown> | undefined;
    /**
     * Whether to refuse an unacceptable signer key here (BAD_PUBLIC_KEY); default true. A node
     * that verifies signatures under the full rule anyway may leave it to that check, which
     * refuses such a key as well, and name the code when the signature fails.
     */
    readonly checkSignerKey?: boolean;
  },
): SignedTransaction<unknown> {
  const parsed = parseJson(input, MAX_TX_BYTES);
  const envelope = envelopeShape(parsed, 'tx');
  const decodeBody = options.bodyOf(envelope.type) ?? refuse('UNKNOWN_TX_TYPE', `there is no transaction type "${envelope.type}"`, { type: envelope.type });
  const body = decodeBody(envelope.body, 'tx.body');
  const encoded = assertCanonical(input, parsed);
  if (options.chainId !== undefined && envelope.chainId !== options.chainId) {
    refuse('WRONG_CHAIN', `the transaction is for chain ${envelope.chainId}, not ${options.chainId}`, { expected: options.chainId, got: envelope.chainId });
  }
  if (options.checkSignerKey !== false && !isValidAccountId(envelope.signer)) refuse('BAD_PUBLIC_KEY', SIGNER_KEY_REFUSAL);
  const tx: Transaction<unknown> = { chainId: envelope.chainId, type: envelope.type, signer: envelope.signer, nonce: envelope.nonce, body };
  return { tx, signature: envelope.signature, encoded, id: txId(encoded) };
}
