'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ageText, formatTime, plural, shortHex } from '../explorer/format';
import { BlockLink, Fact, Facts, LoadError } from '../explorer/ui';
import { Validators } from '../explorer/validators';
import { useTRPC } from '../lib/trpc';

/** What `GET /healthz` answers (server/http/health.ts); it answers 503 with the same body when not ok. */
interface NodeHealth {
  readonly status: 'ok' | 'degraded' | 'stopping';
  readonly indexLag: number;
  readonly reasons?: readonly string[];
}

async function readHealth(): Promise<NodeHealth> {
  const response = await fetch('/healthz', { cache: 'no-store' });
  return (await response.json()) as NodeHealth;
}

const STATUS_WORDS: Record<NodeHealth['status'], string> = {
  ok: 'OK: making blocks, index up to date',
  degraded: 'Degraded',
  stopping: 'Stopping',
};

/** Seconds now, ticking once a second, for "last block 3 s ago". */
function useNowSeconds(): number {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const timer = setInterval(() => setNow(Math.floor(Date.now() / 1000)), 1_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function Health() {
  const health = useQuery({ queryKey: ['healthz'], queryFn: readHealth, retry: false });
  return (
    <section className="card" aria-labelledby="health-heading">
      <h2 id="health-heading">Health</h2>
      <div aria-live="polite">
        {health.isPending && <p className="muted">Asking the node…</p>}
        {health.isError && (
          <p className="error status-line" role="alert">
            The node does not answer. It may be stopped or restarting; this page keeps asking.
          </p>
        )}
        {health.data && (
          <>
            <p className={`status-line status status-${health.data.status}`}>{STATUS_WORDS[health.data.status]}</p>
            {health.data.reasons && health.data.reasons.length > 0 && (
              <ul>
                {health.data.reasons.map((reason) => (
                  <li key={reason}>{reason.charAt(0).toUpperCase() + reason.slice(1)}.</li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>
    </section>
  );
}

function Status() {
  const trpc = useTRPC();
  const now = useNowSeconds();
  const status = useQuery(trpc.node.status.queryOptions());
  if (status.isPending) {
    return (
      <section className="card node-status" aria-labelledby="node-status-heading">
        <h2 id="node-status-heading">Status</h2>
        <p className="muted">Reading the node&apos;s status…</p>
      </section>
    );
  }
  if (status.isError && !status.data) {
    return (
      <section className="card node-status" aria-labelledby="node-status-heading">
        <h2 id="node-status-heading">Status</h2>
        <LoadError what="the node's status" error={status.error} retry={() => void status.refetch()} />
      </section>
    );
  }
  const node = status.data;
  return (
    <section className="card node-status" aria-labelledby="node-status-heading">
      <h2 id="node-status-heading">Status</h2>
      {status.isError && <p className="warn small">The last reading failed; these figures are from the one before.</p>}
      <Facts label="Node status">
        <Fact label="Chain">{node.chainId}</Fact>
        <Fact label="Height">
          <BlockLink height={node.height} />
        </Fact>
        <Fact label="Last block">
          {formatTime(node.time)} <span className="muted">({ageText(node.time, now)})</span>
        </Fact>
        <Fact label="Head hash">
          <code title={node.hash}>{shortHex(node.hash)}</code>
        </Fact>
        <Fact label="Role">{node.role === 'devnet' ? 'devnet (its only validator)' : node.role}</Fact>
        <Fact label="Peers">{node.role === 'devnet' ? '0 (a devnet has none)' : plural(node.peers, 'peer')}</Fact>
        <Fact label="Mempool">{plural(node.mempoolSize, 'transaction')} waiting</Fact>
        <Fact label="Index height">{node.indexedHeight.toLocaleString('en-US')}</Fact>
        <Fact label="Index lag">{node.lag === 0 ? '0 blocks (up to date)' : `${plural(node.lag, 'block')} behind`}</Fact>
        {node.consensus && (
          <Fact label="Consensus">
            height {node.consensus.height}, round {node.consensus.round}, {node.consensus.step}
          </Fact>
        )}
      </Facts>
      <p className="muted small">Updated as each block is indexed. The list of peers is for the node&apos;s operator: it needs the admin token.</p>
    </section>
  );
}

/** The node serving this page: its head, index, mempool, peers, health and validators, kept fresh. */
export function NodeView() {
  return (
    <>
      <Health />
      <Status />
      <Validators />
    </>
  );
}
