import { assetId, object, positiveAmount } from '../codec/schema.js';
import { defineTx } from './definition.js';
import { checkFunds, recipient } from './fields.js';

const transferBody = object({ asset: assetId, to: recipient, amount: positiveAmount });

/** Moves an amount of an asset from the signer to another account. */
export const transfer = defineTx({
  type: 'transfer',
  body: transferBody,
  verify(state, _ctx, { signer, body }) {
    state.requireAsset(body.asset);
    checkFunds(state, signer, body.asset, body.amount);
  },
  execute(state, _ctx, { signer, body }) {
    state.addBalance(signer, body.asset, -body.amount);
    state.addBalance(body.to, body.asset, body.amount);
    state.emit({ type: 'transferred', asset: body.asset, from: signer, to: body.to, amount: body.amount });
  },
});
