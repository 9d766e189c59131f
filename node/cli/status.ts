import { homeDir } from '../home/home.js';
import { type HealthFigures, healthReasons, verdictLine } from '../ledger/node-health.js';
import { readStatus, type StatusFile } from '../ledger/run.js';

const count = (n: number, thing: string) => `${n} ${thing}${n === 1 ? '' : 's'}`;

/** What `lendnet status --json` prints: the verdict first, then the figures it was drawn from. */
export interface StatusReport {
  readonly healthy: boolean;
  readonly reasons: readonly string[];
  readonly running: boolean;
  readonly status?: StatusFile;
}

/** The verdict on a home's node, from the status file it writes (node-health.ts decides). */
export async function statusReport(home: string, nowSeconds = Date.now() / 1000): Promise<StatusReport> {
  const found = await readStatus(home);
  if (!found) return { healthy: false, reasons: [`the node is not running (no node has run in ${home})`], running: false };
  const { status, running } = found;
  const reasons = healthReasons(statusFigures(status, running, nowSeconds));
  return { healthy: reasons.length === 0, reasons, running, status };
}

/** A status file read as the health verdict's figures. */
export function statusFigures(status: StatusFile, running: boolean, now: number): HealthFigures {
  return {
    now,
    running,
    updatedAt: status.updatedAt,
    height: status.height,
    mempoolSize: status.mempoolSize,
    ...(status.progress ? { progress: status.progress } : {}),
    ...(status.network ? { network: status.network } : {}),
  };
}

/**
 * `lendnet status [--home DIR] [--json]`: the node's figures, one a line, ending with the
 * verdict (`healthy`, or `unhealthy: <reason>; <reason>`); exit code 0 only when healthy.
 */
export async function statusCommand(homeFlag: string | undefined, json: boolean): Promise<number> {
  const home = homeDir(homeFlag);
  const now = Date.now() / 1000;
  const report = await statusReport(home, now);
  const code = report.healthy ? 0 : 1;
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return code;
  }
  const s = report.status;
  const lines: [string, string][] = [];
  if (s) {
    const progress = s.progress;
    const when = (seconds: number) => `${new Date(seconds * 1000).toISOString()} (${Math.max(0, Math.floor(now - seconds))} s ago)`;
    lines.push(
      ['chain', s.chainId],
      ['height', String(s.height)],
      ['last block', new Date(s.time * 1000).toISOString()],
      ...(progress?.lastCommitAt !== undefined ? ([['committed', when(progress.lastCommitAt)]] as [string, string][]) : []),
      ['state root', s.stateRoot],
      ['mempool', count(s.mempoolSize, 'transaction')],
    );
    if (s.network) {
      const { role, peers, peersNeeded, consensus } = s.network;
      lines.push(['network', `${role}, ${count(peers, 'peer')} connected${peersNeeded !== undefined ? ` (${peersNeeded} needed)` : ''}`]);
      lines.push(['consensus', `height ${consensus.height}, round ${consensus.round}, ${consensus.step}`]);
    }
    if (progress?.index) lines.push(['index', `height ${progress.index.height}, ${count(progress.index.lag, 'block')} behind`]);
    lines.push(['node', report.running ? `running (pid ${s.pid}), status of ${when(s.updatedAt)}` : `not running (last seen ${new Date(s.updatedAt * 1000).toISOString()})`]);
  }
  lines.push(['health', verdictLine(report.reasons)]);
  for (const [label, value] of lines) console.log(`${label.padEnd(11)}${value}`);
  return code;
}
