#!/usr/bin/env node
// The operator command. Sources are TypeScript; tsx loads them without a build step.
import { register } from 'tsx/esm/api';

register();
// A reader that stops early (`lendnet status | head -1`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const { main } = await import('../node/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  // `start` runs the whole product, `reindex` rebuilds its index and `audit` checks it all (server/), loaded only for those commands: node/ never imports server/.
  start: async (request) => (await import('../server/start.ts')).start(request),
  reindex: async (home) => (await import('../server/reindex.ts')).reindex(home),
  audit: {
    verify: async (home) => (await import('../server/audit/verify-command.ts')).auditVerify(home),
    exportLoan: async (home, loanId, outPath) => (await import('../server/audit/loan-file-command.ts')).exportLoan(home, loanId, outPath),
    verifyFile: async (path) => (await import('../server/audit/loan-file-command.ts')).verifyLoanFileCommand(path),
    report: async (home, request) => (await import('../server/audit/report-command.ts')).auditReport(home, request),
  },
});
