'use client';

import { useId, useState, type FormEvent } from 'react';
import { BadSecretKeyError, newSecretKey, parseSecretKeyHex } from './keys';
import { MIN_PASSPHRASE_LENGTH, WalletError } from './vault';
import { DamagedBoxError, WrongPassphraseError } from './sealed-box';

/** A plain message for anything the wallet's own steps throw. */
export function walletErrorText(error: unknown): string {
  if (error instanceof WrongPassphraseError || error instanceof BadSecretKeyError || error instanceof WalletError) return error.message;
  if (error instanceof DamagedBoxError) return `The stored wallet cannot be read: ${error.message}.`;
  return 'Something went wrong in the browser; nothing was saved.';
}

/**
 * A new key, made here or imported from its hex, with a name. For the first account it also
 * sets the wallet's passphrase (`withPassphrase`).
 */
export function KeyForm({
  withPassphrase,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  readonly withPassphrase: boolean;
  readonly submitLabel: string;
  readonly onSubmit: (input: { name: string; secretKey: Uint8Array; passphrase: string }) => Promise<void>;
  readonly onCancel?: () => void;
}) {
  const id = useId();
  const [source, setSource] = useState<'new' | 'import'>('new');
  const [name, setName] = useState('');
  const [secretHex, setSecretHex] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [working, setWorking] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    let secretKey: Uint8Array;
    try {
      secretKey = source === 'new' ? newSecretKey() : parseSecretKeyHex(secretHex);
    } catch (caught) {
      return setError(walletErrorText(caught));
    }
    if (withPassphrase && passphrase.length < MIN_PASSPHRASE_LENGTH) return setError(`Choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters.`);
    if (withPassphrase && passphrase !== again) return setError('The two passphrases differ. Type the same one twice.');
    setWorking(true);
    try {
      await onSubmit({ name, secretKey, passphrase });
      setSecretHex('');
      setPassphrase('');
      setAgain('');
      setName('');
    } catch (caught) {
      setError(walletErrorText(caught));
    } finally {
      setWorking(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} noValidate>
      <fieldset>
        <legend>Key</legend>
        <label className="choice">
          <input type="radio" name={`${id}-source`} value="new" checked={source === 'new'} onChange={() => setSource('new')} /> Create a new key
        </label>
        <label className="choice">
          <input type="radio" name={`${id}-source`} value="import" checked={source === 'import'} onChange={() => setSource('import')} /> Import a secret
          key
        </label>
      </fieldset>
      {source === 'import' && (
        <div className="field">
          <label htmlFor={`${id}-secret`}>Secret key (64 hexadecimal characters)</label>
          <input
            id={`${id}-secret`}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={secretHex}
            onChange={(event) => setSecretHex(event.target.value)}
            aria-describedby={`${id}-secret-help`}
          />
          <small id={`${id}-secret-help`}>It stays in this browser, sealed under your passphrase; it is never sent.</small>
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-name`}>Account name</label>
        <input id={`${id}-name`} type="text" maxLength={40} value={name} placeholder="e.g. Savings" onChange={(event) => setName(event.target.value)} />
      </div>
      {withPassphrase && (
        <>
          <div className="field">
            <label htmlFor={`${id}-pass`}>Passphrase</label>
            <input
              id={`${id}-pass`}
              type="password"
              autoComplete="new-password"
              value={passphrase}
              onChange={(event) => setPassphrase(event.target.value)}
              aria-describedby={`${id}-pass-help`}
            />
            <small id={`${id}-pass-help`}>
              At least {MIN_PASSPHRASE_LENGTH} characters. It unlocks your keys; nobody can recover it for you.
            </small>
          </div>
          <div className="field">
            <label htmlFor={`${id}-again`}>Passphrase again</label>
            <input id={`${id}-again`} type="password" autoComplete="new-password" value={again} onChange={(event) => setAgain(event.target.value)} />
          </div>
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={working}>
          {working ? 'Sealing the key…' : submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel} disabled={working}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** One passphrase field with its button: unlocking, and confirming an export. */
export function PassphraseForm({
  label,
  submitLabel,
  workingLabel,
  onSubmit,
  onCancel,
}: {
  readonly label: string;
  readonly submitLabel: string;
  readonly workingLabel: string;
  readonly onSubmit: (passphrase: string) => Promise<void>;
  readonly onCancel?: () => void;
}) {
  const id = useId();
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [working, setWorking] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (passphrase === '') return setError('Enter your passphrase.');
    setError(undefined);
    setWorking(true);
    try {
      await onSubmit(passphrase);
      setPassphrase('');
    } catch (caught) {
      setError(walletErrorText(caught));
    } finally {
      setWorking(false);
    }
  };
  return (
    <form className="stack" onSubmit={submit} noValidate>
      <div className="field">
        <label htmlFor={`${id}-pass`}>{label}</label>
        <input
          id={`${id}-pass`}
          type="password"
          autoComplete="current-password"
          value={passphrase}
          onChange={(event) => setPassphrase(event.target.value)}
          aria-invalid={error !== undefined}
        />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={working}>
          {working ? workingLabel : submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel} disabled={working}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
