'use client';

import { useEffect, useState } from 'react';

/** What the home page shows of the node serving it: its `/healthz` answer. */
interface NodeHealth {
  readonly status: 'ok' | 'degraded' | 'stopping';
  readonly chainId: string;
  readonly height: number;
  readonly indexHeight: number;
  readonly peers: number;
  readonly role: string;
}

function useNodeHealth(): NodeHealth | 'unreachable' | undefined {
  const [health, setHealth] = useState<NodeHealth | 'unreachable' | undefined>(undefined);
  useEffect(() => {
    let live = true;
    const read = async () => {
      try {
        // /healthz answers 503 with the same body when the node is degraded: show it either way.
        const response = await fetch('/healthz', { cache: 'no-store' });
        const body = (await response.json()) as NodeHealth;
        if (live) setHealth(body);
      } catch {
        if (live) setHealth('unreachable');
      }
    };
    void read();
    const timer = setInterval(() => void read(), 2_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  return health;
}

export default function HomePage() {
  const health = useNodeHealth();
  return (
    <>
      <section className="intro">
        <h1>Lend and borrow directly, with every step on a shared ledger</h1>
        <p>
          Lendnet is a peer-to-peer lending marketplace. Lenders post offers and borrowers post requests; every offer,
          match, repayment and default is a transaction signed in your own browser, ordered by the marketplace&apos;s
          operators into a replicated ledger that auditors can re-verify from the first block.
        </p>
      </section>
      <section className="node" aria-live="polite">
        <h2>This node</h2>
        {health === undefined && <p>Reading the node&apos;s status…</p>}
        {health === 'unreachable' && <p>The node does not answer.</p>}
        {health !== undefined && health !== 'unreachable' && (
          <dl>
            <dt>Chain</dt>
            <dd>{health.chainId}</dd>
            <dt>Height</dt>
            <dd data-testid="node-height">{health.height}</dd>
            <dt>Indexed to</dt>
            <dd>{health.indexHeight}</dd>
            <dt>Role</dt>
            <dd>
              {health.role}, {health.peers} {health.peers === 1 ? 'peer' : 'peers'}
            </dd>
            <dt>Status</dt>
            <dd className={`status status-${health.status}`}>{health.status}</dd>
          </dl>
        )}
      </section>
    </>
  );
}
