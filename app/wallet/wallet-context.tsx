'use client';

import type { ReactNode } from 'react';
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { DamagedBoxError } from './sealed-box';
import {
  WALLET_STORAGE_KEY,
  addAccount as addSealedAccount,
  createWallet,
  exportSecretKey,
  forgetSession,
  loadWallet,
  renameAccount,
  saveWallet,
  selectAccount,
  unlockWallet,
  type StoredWallet,
  type WalletAccount,
  type WalletSession,
} from './vault';

/** Where the wallet stands. Secrets exist only in the `unlocked` state, in memory. */
export type WalletState =
  | { readonly status: 'loading' }
  | { readonly status: 'none' }
  | { readonly status: 'damaged'; readonly reason: string }
  | { readonly status: 'locked'; readonly wallet: StoredWallet }
  | { readonly status: 'unlocked'; readonly wallet: StoredWallet; readonly session: WalletSession };

export interface Wallet {
  readonly state: WalletState;
  /** The selected account, locked or not; undefined without a wallet. */
  readonly selected: WalletAccount | undefined;
  readonly accounts: readonly WalletAccount[];
  create(passphrase: string, name: string, secretKey: Uint8Array): Promise<void>;
  unlock(passphrase: string): Promise<void>;
  lock(): void;
  /** Adds a key to the unlocked wallet and selects it. */
  addAccount(name: string, secretKey: Uint8Array): Promise<void>;
  select(account: string): void;
  rename(account: string, name: string): void;
  /** The secret key's hex, for someone who types the passphrase again. */
  exportSecret(account: string, passphrase: string): Promise<string>;
  /** The secret key of an account of the unlocked wallet, to sign with; undefined when locked. */
  secretKeyOf(account: string): Uint8Array | undefined;
  /** Removes the wallet from this browser. */
  forget(): void;
}

const WalletContext = createContext<Wallet | undefined>(undefined);

function readStored(): WalletState {
  try {
    const wallet = loadWallet(window.localStorage);
    return wallet ? { status: 'locked', wallet } : { status: 'none' };
  } catch (error) {
    return { status: 'damaged', reason: error instanceof DamagedBoxError ? error.message : 'the browser would not read the stored wallet' };
  }
}

/** Holds the wallet for every page: stored sealed in localStorage, unlocked only in memory. */
export function WalletProvider({ children }: { readonly children: ReactNode }) {
  const [state, setState] = useState<WalletState>({ status: 'loading' });

  useEffect(() => {
    setState(readStored());
    // Another tab changed the wallet: read it again, and lock here rather than sign with an old copy.
    const onStorage = (event: StorageEvent) => {
      if (event.key !== null && event.key !== WALLET_STORAGE_KEY) return;
      setState((current) => {
        if (current.status === 'unlocked') forgetSession(current.session);
        return readStored();
      });
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  const store = useCallback((wallet: StoredWallet, session?: WalletSession) => {
    saveWallet(window.localStorage, wallet);
    setState(session ? { status: 'unlocked', wallet, session } : (current) => (current.status === 'unlocked' ? { ...current, wallet } : { status: 'locked', wallet }));
  }, []);

  const create = useCallback(
    async (passphrase: string, name: string, secretKey: Uint8Array) => {
      const made = await createWallet(passphrase, name, secretKey);
      store(made.wallet, made.session);
    },
    [store],
  );

  const unlock = useCallback(
    async (passphrase: string) => {
      if (state.status !== 'locked') return;
      const session = await unlockWallet(state.wallet, passphrase);
      setState({ status: 'unlocked', wallet: state.wallet, session });
    },
    [state],
  );

  const lock = useCallback(() => {
    setState((current) => {
      if (current.status !== 'unlocked') return current;
      forgetSession(current.session);
      return { status: 'locked', wallet: current.wallet };
    });
  }, []);

  const addAccount = useCallback(
    async (name: string, secretKey: Uint8Array) => {
      if (state.status !== 'unlocked') throw new Error('Unlock your wallet first.');
      const added = await addSealedAccount(state.wallet, state.session, name, secretKey);
      store(added.wallet, added.session);
    },
    [state, store],
  );

  const withWallet = useCallback(
    (change: (wallet: StoredWallet) => StoredWallet) => {
      if (state.status === 'locked' || state.status === 'unlocked') store(change(state.wallet));
    },
    [state, store],
  );

  const forget = useCallback(() => {
    window.localStorage.removeItem(WALLET_STORAGE_KEY);
    setState((current) => {
      if (current.status === 'unlocked') forgetSession(current.session);
      return { status: 'none' };
    });
  }, []);

  const value = useMemo<Wallet>(() => {
    const wallet = state.status === 'locked' || state.status === 'unlocked' ? state.wallet : undefined;
    return {
      state,
      accounts: wallet?.accounts ?? [],
      selected: wallet?.accounts.find((a) => a.account === wallet.selected),
      create,
      unlock,
      lock,
      addAccount,
      select: (account) => withWallet((w) => selectAccount(w, account)),
      rename: (account, name) => withWallet((w) => renameAccount(w, account, name)),
      exportSecret: async (account, passphrase) => {
        if (!wallet) throw new Error('There is no wallet in this browser.');
        return exportSecretKey(wallet, account, passphrase);
      },
      secretKeyOf: (account) => (state.status === 'unlocked' ? state.session.secrets.get(account) : undefined),
      forget,
    };
  }, [state, create, unlock, lock, addAccount, withWallet, forget]);

  return <WalletContext.Provider value={value}>{children}</WalletContext.Provider>;
}

export function useWallet(): Wallet {
  const wallet = useContext(WalletContext);
  if (!wallet) throw new Error('useWallet needs a WalletProvider above it');
  return wallet;
}
