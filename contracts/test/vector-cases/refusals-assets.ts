/** refusals-assets.json: refused mints, burns, faucet payments and transfers. */
import { MAX_AMOUNT } from '../../money.js';
import type { VectorCase } from '../vector-format.js';
import { refusal } from './scenario.js';
import { ALICE_FUNDS, alice, bob, dave, firstBlockRefusal, issuer, market, T0, transferToBob, USD } from './shared.js';

export const assetRefusals = (): VectorCase[] => [
  firstBlockRefusal('unknown-asset', 'A transfer of an asset not declared in genesis.', 'UNKNOWN_ASSET', (s) => s.sign(alice, 'transfer', { asset: 'EUR', to: bob.account, amount: 1n })),
  firstBlockRefusal('mint-by-non-issuer', 'Bob tries to mint USD.', 'NOT_ISSUER', (s) => s.sign(bob, 'mint', { asset: 'USD', to: bob.account, amount: 1n })),
  firstBlockRefusal('burn-by-non-issuer', 'Alice tries to burn her USD; only the issuer burns.', 'NOT_ISSUER', (s) => s.sign(alice, 'burn', { asset: 'USD', amount: 1n })),
  firstBlockRefusal('mint-beyond-supply-cap', 'With 1,000 USD in existence, the issuer mints the largest amount: the supply would pass 2^64 − 1.', 'SUPPLY_CAP_EXCEEDED', (s) =>
    s.sign(issuer, 'mint', { asset: 'USD', to: bob.account, amount: MAX_AMOUNT }),
  ),
  refusal('faucet-on-a-non-devnet-chain', 'A chain whose genesis says devnet: false has no faucet.', market(ALICE_FUNDS, { devnet: false }), T0, 'FAUCET_DISABLED', (s) =>
    s.sign(dave, 'faucet', { asset: 'USD', amount: 1n * USD }),
  ),
  firstBlockRefusal('faucet-above-limit', 'One unit above the 100,000 USD faucet limit.', 'FAUCET_LIMIT', (s) => s.sign(dave, 'faucet', { asset: 'USD', amount: 100_000n * USD + 1n })),
  firstBlockRefusal('transfer-above-balance', 'Alice holds 1,000 USD and sends 1,000.000001.', 'INSUFFICIENT_FUNDS', (s) => transferToBob(s, 1_000n * USD + 1n)),
];
