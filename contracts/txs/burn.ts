import { defineTx } from './definition.js';
import { assetAmountBody, checkFunds } from './fields.js';
import { requireIssuer } from './supply.js';

/** The issuer destroys units of its asset from its own balance: a withdrawal from the chain. */
export const burn = defineTx({
  type: 'burn',
  body: assetAmountBody,
  verify(state, _ctx, { signer, body }) {
    requireIssuer(state, body.asset, signer);
    checkFunds(state, signer, body.asset, body.amount);
  },
  execute(state, _ctx, { signer, body }) {
    const asset = state.requireAsset(body.asset);
    state.addBalance(signer, body.asset, -body.amount);
    state.putAsset({ ...asset, burned: asset.burned + body.amount });
    state.emit({ type: 'burned', asset: body.asset, from: signer, amount: body.amount });
  },
});
