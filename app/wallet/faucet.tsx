'use client';

import { useQuery } from '@tanstack/react-query';
import { devnetParams } from '../../contracts/params';
import { formatAmount, wholeUnits } from '../lib/amounts';
import { useTRPC } from '../lib/trpc';
import type { TxDraft } from './describe';
import { TransactionPanel } from './transaction-panel';
import { useTransaction } from './use-transaction';
import { useWallet } from './wallet-context';

/** What each button asks of the faucet, in whole units of the asset; capped at the devnet's per-transaction limit. */
const FAUCET_BUTTONS = [
  { asset: 'USD', units: 1_000n, label: 'Get 1,000 test dollars' },
  { asset: 'COL', units: 100n, label: 'Get collateral' },
] as const;

// The devnet's limits per faucet transaction (the chain id does not change them).
const FAUCET_LIMITS = devnetParams('lendnet-devnet').faucet;

/** Test funds on a devnet: one faucet transaction per click, signed by the selected account. */
export function Faucet() {
  const trpc = useTRPC();
  const wallet = useWallet();
  const controls = useTransaction();
  const status = useQuery(trpc.node.status.queryOptions());
  const assets = useQuery({ ...trpc.chain.assets.queryOptions(), staleTime: 60_000 });

  if (status.isPending || assets.isPending) return <p className="muted">Reading the network…</p>;
  if (status.isError || assets.isError) return <p className="error">The node does not answer, so the faucet cannot be reached.</p>;
  if (status.data.role !== 'devnet') return <p className="muted">This network has no faucet: test funds exist only on a devnet.</p>;

  const unlocked = wallet.state.status === 'unlocked';
  const drafts = FAUCET_BUTTONS.flatMap((button) => {
    const asset = assets.data.find((a) => a.id === button.asset);
    if (!asset) return [];
    const wanted = wholeUnits(button.units, asset.decimals);
    const limit = FAUCET_LIMITS[button.asset];
    const amount = limit !== undefined && limit < wanted ? limit : wanted;
    const draft: TxDraft = { type: 'faucet', body: { asset: button.asset, amount } };
    return [{ ...button, draft, shown: `${formatAmount(amount, asset.decimals)} ${button.asset}` }];
  });
  return (
    <>
      <div className="actions">
        {drafts.map((button) => (
          <button
            key={button.asset}
            type="button"
            className="primary"
            disabled={!unlocked || controls.busy}
            onClick={() => controls.prepare(button.draft)}
            aria-describedby="faucet-help"
          >
            {button.label} <small>({button.shown})</small>
          </button>
        ))}
      </div>
      <p id="faucet-help" className="muted small">
        {unlocked ? 'Each click asks you to confirm, then signs one faucet transaction in this browser.' : 'Unlock your wallet to use the faucet.'}
      </p>
      <TransactionPanel controls={controls} title="Faucet transaction" />
    </>
  );
}
