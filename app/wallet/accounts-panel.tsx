'use client';

import { useEffect, useId, useState } from 'react';
import { KeyForm, PassphraseForm, walletErrorText } from './key-form';
import { shortAccount } from './keys';
import { useWallet } from './wallet-context';

/** The wallet's accounts: pick the one that signs, rename it, add another, export a key. */
export function AccountsPanel() {
  const wallet = useWallet();
  const id = useId();
  const [adding, setAdding] = useState(false);
  const unlocked = wallet.state.status === 'unlocked';
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Accounts</h2>
      <fieldset className="accounts">
        <legend className="sr-only">Account that signs</legend>
        {wallet.accounts.map((entry) => (
          <label key={entry.account} className={`account-row${entry.account === wallet.selected?.account ? ' selected' : ''}`}>
            <input
              type="radio"
              name={`${id}-selected`}
              checked={entry.account === wallet.selected?.account}
              onChange={() => wallet.select(entry.account)}
            />
            <span className="account-name">{entry.name}</span>
            <code className="account-id" title={entry.account}>
              {shortAccount(entry.account)}
            </code>
          </label>
        ))}
      </fieldset>
      {wallet.selected && <SelectedAccount key={wallet.selected.account} />}
      {adding ? (
        <div className="card">
          <h3>Add an account</h3>
          <KeyForm
            withPassphrase={false}
            submitLabel="Add account"
            onSubmit={async ({ name, secretKey }) => {
              await wallet.addAccount(name, secretKey);
              setAdding(false);
            }}
            onCancel={() => setAdding(false)}
          />
        </div>
      ) : (
        <div className="actions">
          <button type="button" onClick={() => setAdding(true)} disabled={!unlocked} title={unlocked ? undefined : 'Unlock your wallet to add an account'}>
            Add an account
          </button>
          {!unlocked && <small className="muted">Unlock to add an account.</small>}
        </div>
      )}
    </section>
  );
}

/** The selected account in full: its id, a new name, and its key for someone who knows the passphrase. */
function SelectedAccount() {
  const wallet = useWallet();
  const id = useId();
  const selected = wallet.selected!;
  const [name, setName] = useState(selected.name);
  const [renameError, setRenameError] = useState<string | undefined>();
  const [exporting, setExporting] = useState(false);
  const [secretHex, setSecretHex] = useState<string | undefined>();
  const [copied, setCopied] = useState(false);
  const unlocked = wallet.state.status === 'unlocked';
  // A shown key goes with the rest on lock.
  useEffect(() => {
    if (!unlocked) {
      setSecretHex(undefined);
      setExporting(false);
    }
  }, [unlocked]);
  return (
    <div className="card">
      <p className="account-full">
        <span className="muted">Account id (share it to receive funds): </span>
        <code data-testid="selected-account">{selected.account}</code>
      </p>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          try {
            wallet.rename(selected.account, name);
            setRenameError(undefined);
          } catch (error) {
            setRenameError(walletErrorText(error));
          }
        }}
      >
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} type="text" maxLength={40} value={name} onChange={(event) => setName(event.target.value)} />
        <button type="submit" disabled={name.trim() === selected.name}>
          Rename
        </button>
      </form>
      {renameError && (
        <p className="error" role="alert">
          {renameError}
        </p>
      )}
      {secretHex !== undefined ? (
        <div className="secret" role="region" aria-label="Secret key">
          <p className="warn">Anyone with this key controls the account. Keep it offline; never paste it into a website or a message.</p>
          <label htmlFor={`${id}-secret`}>Secret key of {selected.name}</label>
          <input id={`${id}-secret`} type="text" readOnly value={secretHex} spellCheck={false} onFocus={(event) => event.target.select()} />
          <div className="actions">
            <button
              type="button"
              onClick={() => {
                void navigator.clipboard?.writeText(secretHex).then(() => setCopied(true));
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => {
                setSecretHex(undefined);
                setCopied(false);
              }}
            >
              Hide the key
            </button>
          </div>
        </div>
      ) : exporting ? (
        <PassphraseForm
          label="Passphrase, to show the secret key"
          submitLabel="Show secret key"
          workingLabel="Checking…"
          onSubmit={async (passphrase) => {
            setSecretHex(await wallet.exportSecret(selected.account, passphrase));
            setExporting(false);
          }}
          onCancel={() => setExporting(false)}
        />
      ) : (
        <div className="actions">
          <button type="button" onClick={() => setExporting(true)} disabled={!unlocked}>
            Export secret key
          </button>
          {!unlocked && <small className="muted">Unlock to export a key.</small>}
        </div>
      )}
    </div>
  );
}
