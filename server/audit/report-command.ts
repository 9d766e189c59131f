import type { Genesis } from '../../node/home/genesis-file.js';
import type { Home } from '../../node/home/home.js';
import { openStore, type Store } from '../../node/store/index.js';
import { type Report, reportCsv, reportJson } from './report-format.js';
import { loanReport } from './report-loan.js';
import { accountReport, type LedgerLoanEvent, loanEventsOfBlock, outstandingAt, type PeriodSplit, periodReport, ReportRangeError } from './report.js';
import { type ChainFault, verifyChain } from './verify-chain.js';
import { nodeIsStopped } from '../stopped-node.js';

/** What `lendnet audit report` is asked for. */
export interface AuditReportRequest {
  readonly kind: 'period' | 'account' | 'loan';
  /** Period reports: block times in seconds, [from, to); by default from genesis to after the last block. */
  readonly from?: number;
  readonly to?: number;
  readonly by?: PeriodSplit;
  readonly account?: string;
  readonly loanId?: number;
  readonly format: 'csv' | 'json';
}

/** The chain's loan events, in ledger order, as the replay verified them; or the replay's fault. */
export async function verifiedLoanEvents(store: Store, genesis: Genesis): Promise<{ readonly events: LedgerLoanEvent[]; readonly lastTime: number } | { readonly fault: ChainFault; readonly blocks: number }> {
  const events: LedgerLoanEvent[] = [];
  let lastTime = genesis.genesisTime;
  const audit = await verifyChain(store, genesis, {
    onEvents: (height, time, blockEvents) => {
      events.push(...loanEventsOfBlock(height, time, blockEvents));
      lastTime = time;
    },
  });
  return audit.fault ? { fault: audit.fault, blocks: audit.blocks } : { events, lastTime };
}

/** The report asked for, from verified loan events; a string says what is wrong with the request. */
export function reportOf(events: readonly LedgerLoanEvent[], lastTime: number, request: AuditReportRequest): Report | string {
  switch (request.kind) {
    case 'period': {
      const from = request.from ?? 0;
      const to = request.to ?? lastTime + 1;
      try {
        return periodReport(events, { from, to, by: request.by }, outstandingAt(events, from));
      } catch (error) {
        if (error instanceof ReportRangeError) return error.message;
        throw error;
      }
    }
    case 'account':
      if (!request.account || !/^[0-9a-f]{64}$/.test(request.account)) return 'an account report needs an account: 64 lowercase hex characters';
      return accountReport(events, request.account);
    case 'loan': {
      if (request.loanId === undefined || !Number.isSafeInteger(request.loanId) || request.loanId < 1) return 'a loan report needs a loan number';
      return loanReport(events, request.loanId) ?? `no loan ${request.loanId} on the chain`;
    }
  }
}

/**
 * `lendnet audit report`: replays the home's chain from genesis as `lendnet audit verify` does
 * and, only if every block checks, prints the report asked for (per period, account or loan)
 * as CSV or JSON. On a fault it prints the fault and resolves with 1. The node must be
 * stopped: it writes to the same store.
 */
export async function auditReport(
  home: Home,
  request: AuditReportRequest,
  out: (text: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  if (!(await nodeIsStopped(home, 'reporting from its chain', err))) return 1;
  const store = await openStore(home.dataDir);
  let verified: Awaited<ReturnType<typeof verifiedLoanEvents>>;
  try {
    verified = await verifiedLoanEvents(store, home.genesis);
  } finally {
    await store.close();
  }
  if ('fault' in verified) {
    const { fault } = verified;
    err(`lendnet: the chain does not verify, so no report: ${fault.what}${fault.txId ? ` (tx ${fault.txId})` : ''}; the ${verified.blocks} blocks before it check`);
    return 1;
  }
  const report = reportOf(verified.events, verified.lastTime, request);
  if (typeof report === 'string') {
    err(`lendnet: ${report}`);
    return 1;
  }
  // The CSV's lines end in CRLF already; `out` adds the last line break.
  out(request.format === 'csv' ? reportCsv(report).replace(/\r\n$/, '') : JSON.stringify(reportJson(report), null, 2));
  return 0;
}
