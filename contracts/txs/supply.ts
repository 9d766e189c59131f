import { refuse } from '../errors.js';
import { MAX_AMOUNT } from '../money.js';
import type { MarketState } from '../state/market-state.js';
import type { AssetRecord } from '../state/records.js';

/** The asset, refusing anyone but its issuer. */
export function requireIssuer(state: MarketState, assetId: string, signer: string): AssetRecord {
  const asset = state.requireAsset(assetId);
  if (asset.issuer !== signer) refuse('NOT_ISSUER', `only the issuer of ${assetId} may do this`, { asset: assetId });
  return asset;
}

/** Refuses an issue that would take the asset's supply above MAX_AMOUNT. */
export function checkSupplyRoom(asset: AssetRecord, amount: bigint): void {
  const supply = asset.minted - asset.burned;
  if (supply + amount > MAX_AMOUNT) {
    refuse('SUPPLY_CAP_EXCEEDED', `${asset.id} supply would exceed ${MAX_AMOUNT}`, { asset: asset.id, supply: supply.toString() });
  }
}

/** Creates new units of an asset in an account. */
export function issue(state: MarketState, assetId: string, to: string, amount: bigint): void {
  const asset = state.requireAsset(assetId);
  checkSupplyRoom(asset, amount);
  state.putAsset({ ...asset, minted: asset.minted + amount });
  state.addBalance(to, assetId, amount);
}
