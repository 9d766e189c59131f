import type { Validator } from '../chain/block.js';
import { type CanonicalValue, encodeCanonical } from '../codec/canonical.js';
import { accountId, amount, arrayOf, assetId, integer, matching, object, type Decoder } from '../codec/schema.js';
import { sha256HexOfText } from '../crypto/sha256.js';
import type { MarketGenesis } from '../params.js';
import { paramsDecoder } from '../state/record-codec.js';

/**
 * A chain's genesis document, as its genesis file holds it: the market's starting state, the
 * time the chain starts and the validators that commit its blocks. The same shape as the
 * node's genesis file (node/home/genesis-file.ts), here so a browser can read it too.
 */
export interface GenesisDocument {
  readonly genesisTime: number;
  readonly market: MarketGenesis;
  readonly validators: readonly Validator[];
}

/** Strict decoder of a parsed genesis document: unknown or missing fields are refused. */
export const genesisDocumentDecoder: Decoder<GenesisDocument> = object({
  genesisTime: integer(0, 2 ** 40),
  market: object({
    params: paramsDecoder,
    assets: arrayOf(object({ id: assetId, name: matching(/^[\x20-\x7e]{1,64}$/, 'a name of 1 to 64 printable characters'), decimals: integer(0, 18), issuer: accountId }), 64),
    allocations: arrayOf(object({ account: accountId, asset: assetId, amount }), 1_000_000),
  }),
  validators: arrayOf(object({ account: accountId, power: integer(1, 1_000_000) }), 1_000),
});

/** The genesis document as a canonical value: what the genesis file's text encodes. */
export function genesisValue(genesis: GenesisDocument): CanonicalValue {
  const market = {
    params: { ...genesis.market.params, faucet: { ...genesis.market.params.faucet } },
    assets: genesis.market.assets.map((asset) => ({ ...asset })),
    allocations: genesis.market.allocations.map((allocation) => ({ ...allocation })),
  };
  return { genesisTime: genesis.genesisTime, market, validators: genesis.validators.map((v) => ({ ...v })) };
}

/** The genesis file's text: the canonical encoding of the document, byte for byte. */
export function encodeGenesisDocument(genesis: GenesisDocument): string {
  return encodeCanonical(genesisValue(genesis));
}

/**
 * The genesis hash, which names a chain: SHA-256 of the genesis document's canonical encoding
 * (a genesis file as `lendnet init` writes it is that encoding and one final newline, which
 * the hash leaves out), as 64 lowercase hex characters.
 */
export function genesisHash(genesis: GenesisDocument): string {
  return sha256HexOfText(encodeGenesisDocument(genesis));
}
