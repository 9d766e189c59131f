'use client';

import { AccountsPanel } from './accounts-panel';
import { Balances } from './balances';
import { Faucet } from './faucet';
import { KeyForm, PassphraseForm } from './key-form';
import { useWallet } from './wallet-context';

/** The wallet page: set up, unlock, the accounts, their balances and the devnet faucet. */
export function WalletView() {
  const wallet = useWallet();
  const { state, selected } = wallet;

  if (state.status === 'loading') return <p className="muted">Opening your wallet…</p>;

  if (state.status === 'damaged') {
    return (
      <section className="card">
        <h2>Your stored wallet cannot be read</h2>
        <p className="error" role="alert">
          This browser holds a wallet this app cannot read ({state.reason}). If you have your secret keys elsewhere, you can remove it and
          import them again.
        </p>
        <button type="button" onClick={() => window.confirm('Remove the unreadable wallet from this browser?') && wallet.forget()}>
          Remove it from this browser
        </button>
      </section>
    );
  }

  if (state.status === 'none') {
    return (
      <section className="card" aria-labelledby="setup-title">
        <h2 id="setup-title">Set up your wallet</h2>
        <p>
          Your keys stay in this browser, sealed under a passphrase you choose. Every transaction is signed here; no key is ever sent to the
          node.
        </p>
        <KeyForm
          withPassphrase
          submitLabel="Create wallet"
          onSubmit={({ passphrase, name, secretKey }) => wallet.create(passphrase, name, secretKey)}
        />
      </section>
    );
  }

  return (
    <>
      {state.status === 'locked' ? (
        <section className="card" aria-labelledby="unlock-title">
          <h2 id="unlock-title">Unlock your wallet</h2>
          <p className="muted">Unlocking keeps your keys in this page&apos;s memory until you lock it or leave.</p>
          <PassphraseForm label="Passphrase" submitLabel="Unlock" workingLabel="Unlocking…" onSubmit={wallet.unlock} />
        </section>
      ) : (
        <section className="card unlocked-note" aria-live="polite">
          <p>
            Unlocked: <strong>{selected?.name}</strong> signs.{' '}
            <button type="button" onClick={wallet.lock}>
              Lock now
            </button>
          </p>
        </section>
      )}
      <AccountsPanel />
      {selected && (
        <>
          <section aria-labelledby="balances-title">
            <h2 id="balances-title">Balances of {selected.name}</h2>
            <Balances account={selected.account} />
          </section>
          <section aria-labelledby="faucet-title">
            <h2 id="faucet-title">Devnet faucet</h2>
            <Faucet key={selected.account} />
          </section>
        </>
      )}
    </>
  );
}
