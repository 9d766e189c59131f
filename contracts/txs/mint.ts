import { assetId, object, positiveAmount } from '../codec/schema.js';
import { defineTx } from './definition.js';
import { recipient } from './fields.js';
import { checkSupplyRoom, issue, requireIssuer } from './supply.js';

const mintBody = object({ asset: assetId, to: recipient, amount: positiveAmount });

/** The issuer creates units of its asset: a deposit from outside the chain. */
export const mint = defineTx({
  type: 'mint',
  body: mintBody,
  verify(state, _ctx, { signer, body }) {
    checkSupplyRoom(requireIssuer(state, body.asset, signer), body.amount);
  },
  execute(state, _ctx, { body }) {
    issue(state, body.asset, body.to, body.amount);
    state.emit({ type: 'minted', asset: body.asset, to: body.to, amount: body.amount });
  },
});
