import { refuse } from '../errors.js';
import { defineTx } from './definition.js';
import { assetAmountBody } from './fields.js';
import { checkSupplyRoom, issue } from './supply.js';

/** On a devnet, anyone may take test funds up to the faucet's limit per transaction. */
export const faucet = defineTx({
  type: 'faucet',
  body: assetAmountBody,
  verify(state, _ctx, { body }) {
    const params = state.params();
    const limit = params.faucet[body.asset];
    if (!params.devnet || limit === undefined) refuse('FAUCET_DISABLED', `this chain has no faucet for ${body.asset}`, { asset: body.asset });
    if (body.amount > limit) refuse('FAUCET_LIMIT', `the faucet pays at most ${limit} ${body.asset} at a time`, { limit: limit.toString() });
    checkSupplyRoom(state.requireAsset(body.asset), body.amount);
  },
  execute(state, _ctx, { signer, body }) {
    issue(state, body.asset, signer, body.amount);
    state.emit({ type: 'faucetPaid', asset: body.asset, to: signer, amount: body.amount });
  },
});
