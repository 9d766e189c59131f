import { HomeError, homeDir, loadHome, type Home } from '../home/home.js';

/** The auditor's commands, which live in server/ (they read the index): bin/lendnet.js passes them. */
export interface AuditCommands {
  /** Replays the home's chain from genesis and compares its index; resolves with the exit code. */
  readonly verify: (home: Home) => Promise<number>;
  /** Writes loan `loanId`'s file to `outPath`, or to standard output. */
  readonly exportLoan: (home: Home, loanId: number, outPath: string | undefined) => Promise<number>;
  /** Verifies a loan file with no node and no network. */
  readonly verifyFile: (path: string) => Promise<number>;
  /** Prints a report built from the verified chain. */
  readonly report: (home: Home, request: ReportRequest) => Promise<number>;
}

/** What `lendnet audit report` asks for: a period's figures, an account's or a loan's. */
export interface ReportRequest {
  readonly kind: 'period' | 'account' | 'loan';
  readonly from?: number;
  readonly to?: number;
  readonly by?: 'month' | 'day';
  readonly account?: string;
  readonly loanId?: number;
  readonly format: 'csv' | 'json';
}

/** A date as `--from`/`--to` take it: YYYY-MM-DD (midnight UTC) or seconds of block time. */
function secondsOf(name: string, text: string): number {
  if (/^\d{1,12}$/.test(text)) return Number(text);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) throw new Error(`${name} must be a date (YYYY-MM-DD) or seconds, not "${text}"`);
  return ms / 1000;
}

/** `audit report period|account ACCOUNT|loan ID [--from D] [--to D] [--by month|day] [--format csv|json]`. */
function reportRequest(kind: string | undefined, arg: string | undefined, text: (name: string) => string | undefined): ReportRequest {
  const format = text('--format') ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new Error(`--format is csv or json, not "${format}"`);
  if (kind === 'period') {
    const by = text('--by');
    if (by !== undefined && by !== 'month' && by !== 'day') throw new Error(`--by is month or day, not "${by}"`);
    const from = text('--from');
    const to = text('--to');
    return { kind, format, ...(from === undefined ? {} : { from: secondsOf('--from', from) }), ...(to === undefined ? {} : { to: secondsOf('--to', to) }), ...(by === undefined ? {} : { by }) };
  }
  if (kind === 'account') {
    if (arg === undefined || !/^[0-9a-f]{64}$/.test(arg)) throw new Error('audit report account needs an account (64 lowercase hex characters)');
    return { kind, format, account: arg };
  }
  if (kind === 'loan') {
    if (arg === undefined || !/^[1-9]\d{0,15}$/.test(arg)) throw new Error('audit report loan needs a loan number');
    return { kind, format, loanId: Number(arg) };
  }
  throw new Error('audit report is one of: period, account ACCOUNT, loan ID');
}

export const AUDIT_USAGE = `  audit verify [--home DIR]    replay the chain from genesis, checking every signature, commit certificate,
                               header link, tx root and state root, then compare the index with the
                               replayed state row by row; prints a report, or exits 1 naming the first
                               discrepancy (height, transaction, field). The node must be stopped
  audit export-loan ID [--home DIR] [--out FILE]
                               write loan ID's file (its transactions with their inclusion proofs, the
                               block headers and commit certificates, the loan's proven record, the
                               validator set and the genesis) to FILE or standard output
  audit verify-file FILE       verify a loan file with no node and no network (docs/audit-file.md)
  audit report period [--from DATE] [--to DATE] [--by month|day] [--home DIR] [--format csv|json]
  audit report account ACCOUNT | loan ID [--home DIR] [--format csv|json]
                               figures built from the verified chain (it is replayed first): per
                               period and asset, per account as borrower and lender, or one loan's
                               life; DATE is YYYY-MM-DD (UTC) or seconds; CSV unless --format json`;

/** `lendnet audit <verify|export-loan|verify-file> …`; resolves with the exit code. */
export async function audit(words: readonly string[], flags: ReadonlyMap<string, string | true>, commands: AuditCommands | undefined): Promise<number> {
  const [, sub, arg] = words;
  if (!commands) throw new Error('audit needs the server: run it as bin/lendnet.js audit');
  const text = (name: string) => {
    const value = flags.get(name);
    if (value === true) throw new Error(`${name} needs a value`);
    return value;
  };
  if (sub === 'verify-file') {
    if (arg === undefined) throw new Error('audit verify-file needs the file: lendnet audit verify-file FILE');
    return await commands.verifyFile(arg);
  }
  if (sub !== 'verify' && sub !== 'export-loan' && sub !== 'report') {
    console.error(`lendnet: unknown audit command "${sub ?? ''}"; it is one of verify, export-loan, verify-file, report`);
    return 2;
  }
  // Read before the home is loaded, so a mistyped report is named before anything is opened.
  const request = sub === 'report' ? reportRequest(arg, words[3], text) : undefined;
  let home: Home;
  try {
    home = await loadHome(homeDir(text('--home')));
  } catch (error) {
    if (!(error instanceof HomeError)) throw error;
    console.error(`lendnet: ${error.message}`);
    return 1;
  }
  if (sub === 'verify') return await commands.verify(home);
  if (request) return await commands.report(home, request);
  if (arg === undefined || !/^[1-9]\d{0,15}$/.test(arg)) throw new Error(`audit export-loan needs a loan number: lendnet audit export-loan ID [--out FILE]`);
  return await commands.exportLoan(home, Number(arg), text('--out'));
}
