import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLoanFileText } from '../../contracts/audit/loan-file.js';
import { type CanonicalValue, type KeyPair } from '../../contracts/index.js';
import { CHAIN_ID, Wallets } from '../../contracts/test/fixtures.js';
import { type Home, initDevnetHome, loadHome } from '../../node/home/home.js';
import { LedgerNode, verifyInThisThread } from '../../node/ledger/ledger-node.js';
import { statusPath } from '../../node/ledger/run.js';
import { openStore } from '../../node/store/index.js';
import { exportLoan, verifyLoanFileCommand } from './loan-file-command.js';
import { runLoanScenario } from './loan-file-test-kit.js';

/**
 * `lendnet audit export-loan` on a stopped node's home, whose index is built on the way, and
 * `lendnet audit verify-file` on what it wrote: a report and 0, or one line and 1.
 */
describe('lendnet audit export-loan and verify-file', () => {
  let dir: string;
  let home: Home;
  const savedUrl = process.env.DATABASE_URL;

  beforeAll(async () => {
    // The home's own embedded index, which export-loan brings up to the store's last block.
    delete process.env.DATABASE_URL;
    dir = await mkdtemp(join(tmpdir(), 'lendnet-loan-file-'));
    await initDevnetHome(join(dir, 'home'), { chainId: CHAIN_ID, genesisTime: Math.floor(Date.now() / 1000) - 60 });
    home = await loadHome(join(dir, 'home'));
    const store = await openStore(home.dataDir);
    const node = await LedgerNode.open({
      genesis: home.genesis,
      checkSignatures: verifyInThisThread,
      config: { ...home.config, blockIntervalMs: 20 },
      store,
      validatorKey: home.validatorKey,
      onFatal: (error) => console.error('the test node stopped', error),
    });
    await node.start();
    const wallets = new Wallets();
    await runLoanScenario({ node, submit: (key: KeyPair, type: string, body: CanonicalValue) => node.submit(wallets.sign(key, type, body).encoded) }, { defaultLoan: false });
    await node.stop();
    await store.close();
  }, 60_000);

  afterAll(async () => {
    if (savedUrl !== undefined) process.env.DATABASE_URL = savedUrl;
    await rm(dir, { recursive: true, force: true });
  });

  const capture = () => {
    const lines: string[] = [];
    const errors: string[] = [];
    return { lines, errors, out: (line: string) => lines.push(line), err: (line: string) => errors.push(line) };
  };

  it('writes a loan file that verify-file checks with no node, and names the fault of an altered one', async () => {
    const path = join(dir, 'loan-1.json');
    const exported = capture();
    expect(await exportLoan(home, 1, path, exported.out, exported.err)).toBe(0);
    expect(exported.errors).toEqual([]);
    expect(exported.lines).toEqual([expect.stringMatching(/^wrote the file of loan #1 to .*loan-1\.json: 3 transactions, \d+ block headers/)]);

    const verified = capture();
    expect(await verifyLoanFileCommand(path, verified.out, verified.err)).toBe(0);
    expect(verified.errors).toEqual([]);
    expect(verified.lines[0]).toBe(`loan #1 on chain ${CHAIN_ID}: the file verifies`);
    expect(verified.lines.join('\n')).toMatch(/3 transactions checked/);
    expect(verified.lines.join('\n')).toMatch(/proven in the state of block \d+: repaid, principal 1000000000 USD/);

    const file = JSON.parse(await readFile(path, 'utf8')) as { loan: { borrower: string } };
    file.loan.borrower = 'ab'.repeat(32);
    const altered = join(dir, 'loan-1-altered.json');
    await writeFile(altered, JSON.stringify(file));
    const failed = capture();
    expect(await verifyLoanFileCommand(altered, failed.out, failed.err)).toBe(1);
    expect(failed.lines).toEqual([]);
    expect(failed.errors).toEqual([expect.stringMatching(/^lendnet: the loan file fails: the loan's borrower stated in the file \("abab.*"\) is not the proven record's .* \(block \d+\)$/)]);

    const missing = capture();
    expect(await verifyLoanFileCommand(join(dir, 'nothing.json'), missing.out, missing.err)).toBe(1);
    expect(missing.errors).toEqual([expect.stringMatching(/^lendnet: cannot read .*nothing\.json: ENOENT$/)]);
  });

  it('writes the file to standard output when no path is given, and refuses a loan that does not exist', async () => {
    const exported = capture();
    expect(await exportLoan(home, 2, undefined, exported.out, exported.err)).toBe(0);
    expect(exported.lines).toHaveLength(1);
    expect(verifyLoanFileText(exported.lines[0]!)).toMatchObject({ ok: true, loanId: 2, checks: { txs: 2 } });

    const absent = capture();
    expect(await exportLoan(home, 99, undefined, absent.out, absent.err)).toBe(1);
    expect(absent.errors).toEqual(['lendnet: there is no loan #99 on this chain']);
  });

  it('refuses to read the store while the node runs', async () => {
    await writeFile(statusPath(home.dir), JSON.stringify({ pid: process.pid, chainId: 'lendnet-devnet', height: 0, time: 0, hash: '', stateRoot: '', mempoolSize: 0, updatedAt: 0 }));
    try {
      const refused = capture();
      expect(await exportLoan(home, 1, undefined, refused.out, refused.err)).toBe(1);
      expect(refused.errors).toEqual([expect.stringMatching(/is running \(pid \d+\); stop it before exporting a loan file/)]);
    } finally {
      await rm(statusPath(home.dir));
    }
  });
});
