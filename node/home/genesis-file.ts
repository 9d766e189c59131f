import {
  type AssetDefinition,
  encodeCanonical,
  type MarketGenesis,
  type NetworkParams,
  validateGenesis,
  type Validator,
} from '../../contracts/index.js';
import { parseJson } from '../../contracts/codec/canonical.js';
import { accountId, amount, arrayOf, assetId, integer, matching, object } from '../../contracts/codec/schema.js';
import { refuse } from '../../contracts/errors.js';
import { paramsDecoder } from '../../contracts/state/record-codec.js';

/** The largest genesis file a node reads. */
const MAX_GENESIS_BYTES = 512 * 1024 * 1024;

/** A chain's genesis: the market's starting state, the time it starts and who validates it. */
export interface Genesis {
  readonly genesisTime: number;
  readonly market: MarketGenesis;
  readonly validators: readonly Validator[];
}

const genesisDecoder = object({
  genesisTime: integer(0, 2 ** 40),
  market: object({
    params: paramsDecoder,
    assets: arrayOf(object({ id: assetId, name: matching(/^[\x20-\x7e]{1,64}$/, 'a name of 1 to 64 printable characters'), decimals: integer(0, 18), issuer: accountId }), 64),
    allocations: arrayOf(object({ account: accountId, asset: assetId, amount }), 1_000_000),
  }),
  validators: arrayOf(object({ account: accountId, power: integer(1, 1_000_000) }), 1_000),
});

/** The genesis file's text: canonical JSON, so every operator's copy hashes the same. */
export function encodeGenesis(genesis: Genesis): string {
  const market = {
    params: { ...genesis.market.params, faucet: { ...genesis.market.params.faucet } },
    assets: genesis.market.assets.map((asset) => ({ ...asset })),
    allocations: genesis.market.allocations.map((allocation) => ({ ...allocation })),
  };
  return encodeCanonical({ genesisTime: genesis.genesisTime, market, validators: genesis.validators.map((v) => ({ ...v })) });
}

/** Reads a genesis file's text, refusing anything malformed or incoherent with a coded Refusal. */
export function decodeGenesis(text: string): Genesis {
  const decoded = genesisDecoder(parseJson(text, MAX_GENESIS_BYTES), 'genesis');
  const params: NetworkParams = decoded.market.params;
  const assets: AssetDefinition[] = decoded.market.assets;
  const genesis: Genesis = { genesisTime: decoded.genesisTime, market: { params, assets, allocations: decoded.market.allocations }, validators: decoded.validators };
  validateGenesis(genesis.market);
  if (genesis.validators.length === 0) refuse('BAD_FIELD', 'genesis names no validator', { field: 'genesis.validators' });
  return genesis;
}
