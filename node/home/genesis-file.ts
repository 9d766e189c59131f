import { encodeGenesisDocument, genesisDocumentDecoder } from '../../contracts/audit/genesis-hash.js';
import { type AssetDefinition, type MarketGenesis, type NetworkParams, validateGenesis, type Validator } from '../../contracts/index.js';
import { parseJson } from '../../contracts/codec/canonical.js';
import { refuse } from '../../contracts/errors.js';

/** The largest genesis file a node reads. */
const MAX_GENESIS_BYTES = 512 * 1024 * 1024;

/** A chain's genesis: the market's starting state, the time it starts and who validates it. */
export interface Genesis {
  readonly genesisTime: number;
  readonly market: MarketGenesis;
  readonly validators: readonly Validator[];
}

/** The genesis file's text: canonical JSON, so every operator's copy hashes the same (contracts/audit/genesis-hash.ts). */
export function encodeGenesis(genesis: Genesis): string {
  return encodeGenesisDocument(genesis);
}

/** Reads a genesis file's text, refusing anything malformed or incoherent with a coded Refusal. */
export function decodeGenesis(text: string): Genesis {
  const decoded = genesisDocumentDecoder(parseJson(text, MAX_GENESIS_BYTES), 'genesis');
  const params: NetworkParams = decoded.market.params;
  const assets: readonly AssetDefinition[] = decoded.market.assets;
  const genesis: Genesis = { genesisTime: decoded.genesisTime, market: { params, assets, allocations: decoded.market.allocations }, validators: decoded.validators };
  validateGenesis(genesis.market);
  if (genesis.validators.length === 0) refuse('BAD_FIELD', 'genesis names no validator', { field: 'genesis.validators' });
  return genesis;
}
