import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeLoanFile, MAX_LOAN_FILE_BYTES, type LoanFileVerdict, verifyLoanFileText } from '../../contracts/audit/loan-file.js';
import type { Home } from '../../node/home/home.js';
import { chainSource } from '../index/chain-source.js';
import { Projector } from '../index/projector.js';
import { buildLoanFile, chainReader, IndexBehindError, LoanFileSourceError, loanFileSource, LoanNotFoundError } from './loan-file.js';
import { nodeIsStopped, withStoppedChain } from '../stopped-node.js';

/**
 * `lendnet audit export-loan ID [--out FILE]`: writes the loan file of loan ID from a stopped
 * node's home (its block store, and its index at $DATABASE_URL or `<home>/index`, brought up to
 * the store's last block first, as the node does when it starts). With no FILE the file goes to
 * standard output. Resolves with the exit code.
 */
export async function exportLoan(
  home: Home,
  loanId: number,
  outPath: string | undefined,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  if (!Number.isSafeInteger(loanId) || loanId < 1) {
    err(`lendnet: ${String(loanId)} is not a loan number`);
    return 1;
  }
  if (!(await nodeIsStopped(home, 'exporting a loan file, or read the loan through its API', err))) return 1;
  try {
    return await withStoppedChain(home, async (chain, db) => {
      const projector = await Projector.open({ db, node: chainSource(chain, home.genesis) });
      await projector.catchUp();
      const file = await buildLoanFile(loanFileSource(chainReader(chain), db), loanId);
      const text = encodeLoanFile(file);
      if (outPath === undefined) {
        out(text.trimEnd());
        return 0;
      }
      await writeFile(outPath, text);
      out(
        `wrote the file of loan #${loanId} to ${outPath}: ${file.transactions.length} transactions, ` +
          `${file.headers.length} block headers with their commit certificates, the record proven at block ${file.loanState.height}` +
          (file.validatorChanges.length === 0 ? '' : `, ${plural(file.validatorChanges.length, 'proven change')} of the validator set`),
      );
      return 0;
    });
  } catch (error) {
    if (error instanceof LoanNotFoundError || error instanceof IndexBehindError || error instanceof LoanFileSourceError) {
      err(`lendnet: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** The report of a verified file, one line each. */
export function describeVerdict(verdict: LoanFileVerdict): string[] {
  const { checks, loan } = verdict;
  if (!verdict.ok || !loan) {
    const failure = verdict.failure;
    const where = [failure?.height !== undefined ? `block ${failure.height}` : '', failure?.txId !== undefined ? `transaction ${failure.txId}` : ''].filter(Boolean).join(', ');
    return [`the loan file fails: ${failure?.what ?? 'it did not verify'}${where ? ` (${where})` : ''}`];
  }
  return [
    `loan #${verdict.loanId} on chain ${verdict.chainId}: the file verifies`,
    `  genesis hash ${verdict.genesisHash} (compare it with the chain's published one)`,
    checks.validatorChanges === 0
      ? '  the genesis validator set commits every block of the file'
      : `  ${plural(checks.validatorChanges, 'change')} of the validator set verified from the genesis set: each block's commit is checked against the set of its height`,
    `  ${checks.headers} block headers checked, ${checks.commits} commit certificates signed by more than 2/3 of the validators' power`,
    `  ${checks.txs} transactions checked: each hashes to its id, is signed by its signer, is in its block and concerns this loan`,
    `  the loan's record proven in the state of block ${verdict.stateHeight}: ${loan.status}, principal ${loan.principal} ${loan.asset}, ` +
      `paid ${loan.totalPaid.principal} principal, ${loan.totalPaid.interest} interest, ${loan.totalPaid.lateFees} late fees`,
  ];
}

/**
 * `lendnet audit verify-file FILE`: checks a loan file with no node and no network, with the
 * same verifier the web app runs. Prints the report and resolves with 0, or prints one line
 * naming the first fault and resolves with 1.
 */
export async function verifyLoanFileCommand(path: string, out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    err(`lendnet: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return 1;
  }
  if (bytes.length > MAX_LOAN_FILE_BYTES) {
    err(`lendnet: ${path} is ${bytes.length} bytes; a loan file is at most ${MAX_LOAN_FILE_BYTES}`);
    return 1;
  }
  const verdict = verifyLoanFileText(bytes);
  const lines = describeVerdict(verdict);
  if (!verdict.ok) {
    err(`lendnet: ${lines[0]}`);
    return 1;
  }
  for (const line of lines) out(line);
  return 0;
}
