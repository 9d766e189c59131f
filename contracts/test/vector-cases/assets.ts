/** assets.json: the faucet, minting, burning and transfers. */
import type { VectorCase } from '../vector-format.js';
import { scenario } from './scenario.js';
import { alice, bob, COL, dave, eventsOf, expectBalances, issuer, market, T0, USD } from './shared.js';

export const assetCases = (): VectorCase[] => [
  scenario('faucet-pays-up-to-its-limit', 'On a devnet anyone may take test funds; exactly the faucet limit is allowed.', market([]), (s) => {
    s.tx(T0, s.sign(dave, 'faucet', { asset: 'USD', amount: 100_000n * USD }));
    const events = s.tx(T0 + 1, s.sign(dave, 'faucet', { asset: 'COL', amount: 5n * COL }));
    expectBalances(s, [dave, 'USD', 100_000_000_000n], [dave, 'COL', 500_000_000n]);
    s.expect('USD minted', s.state.asset('USD')?.minted, 100_000_000_000n);
    s.expect('faucetPaid event', eventsOf(events, 'faucetPaid')[0]?.amount, 500_000_000n);
  }),
  scenario('issuer-mints-to-an-account', 'The issuer of USD mints a deposit into Bob’s account.', market([]), (s) => {
    s.tx(T0, s.sign(issuer, 'mint', { asset: 'USD', to: bob.account, amount: 250n * USD }));
    s.expect('USD minted', s.state.asset('USD')?.minted, 250_000_000n);
    expectBalances(s, [bob, 'USD', 250_000_000n], [issuer, 'USD', 0n]);
  }),
  scenario('issuer-burns-from-its-balance', 'The issuer burns part of its own USD: a withdrawal.', market([[issuer, 'USD', 1_000n * USD]]), (s) => {
    s.tx(T0, s.sign(issuer, 'burn', { asset: 'USD', amount: 400n * USD }));
    expectBalances(s, [issuer, 'USD', 600_000_000n]);
    s.expect('USD burned', s.state.asset('USD')?.burned, 400_000_000n);
    s.expect('USD minted', s.state.asset('USD')?.minted, 1_000_000_000n);
  }),
  scenario('transfer-between-accounts', 'Alice sends USD to Bob, then all she has left to Dave (an emptied balance has no record).', market(), (s) => {
    s.tx(T0, s.sign(alice, 'transfer', { asset: 'USD', to: bob.account, amount: 2_500n * USD }));
    s.tx(T0 + 1, s.sign(alice, 'transfer', { asset: 'USD', to: dave.account, amount: 7_500n * USD }));
    expectBalances(s, [bob, 'USD', 2_600_000_000n], [dave, 'USD', 7_500_000_000n]);
    s.expect('Alice balance record', s.state.get(`balance/${alice.account}/USD`), undefined);
  }),
];
