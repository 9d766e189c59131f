import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, eventually, initFastDevnet, LENDNET, LendnetProcess } from '../http/process-kit.js';

/** `lendnet audit …` as an auditor types it: the command line reaches each audit command and exits with its code. */

const folders: string[] = [];

afterAll(async () => {
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function lendnet(args: readonly string[]): Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [LENDNET, ...args], { env: cleanEnv() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('lendnet audit', () => {
  it('verifies a stopped node home, refuses a loan that does not exist, checks a file and names unknown commands', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lendnet-audit-cli-'));
    folders.push(dir);
    const home = join(dir, 'home');
    await initFastDevnet(home);
    const node = new LendnetProcess(['start', '--no-web', '--port', '0', '--home', home], cleanEnv());
    const url = await node.url();
    await eventually('a few blocks indexed', async () => {
      const health = (await (await fetch(`${url}/healthz`)).json()) as { indexHeight: number };
      return health.indexHeight >= 5 ? health : undefined;
    });
    node.signal('SIGTERM');
    expect(await node.exited).toEqual({ code: 0, signal: null });

    const verified = await lendnet(['audit', 'verify', '--home', home]);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^replayed \d+ blocks from genesis: 0 transactions/);
    expect(verified.stdout).toContain('equals the replayed chain');

    expect(await lendnet(['audit', 'export-loan', '1', '--home', home])).toMatchObject({ code: 1, stderr: 'lendnet: there is no loan #1 on this chain\n' });
    const garbage = join(dir, 'garbage.json');
    await writeFile(garbage, '{"format":"something else"}');
    const checked = await lendnet(['audit', 'verify-file', garbage]);
    expect(checked.code).toBe(1);
    expect(checked.stdout + checked.stderr).toMatch(/not a loan file|format/);
    expect(await lendnet(['audit', 'verify-file'])).toMatchObject({ code: 1, stderr: 'lendnet: audit verify-file needs the file: lendnet audit verify-file FILE\n' });
    expect(await lendnet(['audit', 'export-loan', 'seven', '--home', home])).toMatchObject({ code: 1 });
    expect(await lendnet(['audit', 'replay'])).toMatchObject({ code: 2, stderr: 'lendnet: unknown audit command "replay"; it is one of verify, export-loan, verify-file, report\n' });

    // Reports come from the verified chain: here a chain of empty blocks, so zero loans.
    const period = await lendnet(['audit', 'report', 'period', '--home', home, '--format', 'json', '--from', '2020-01-01']);
    expect(period.stderr).toBe('');
    expect(JSON.parse(period.stdout)).toMatchObject({ kind: 'period', from: 1_577_836_800, by: null, periods: [{ assets: [] }] });
    const csv = await lendnet(['audit', 'report', 'period', '--home', home, '--by', 'month', '--from', '2026-01-01', '--to', '2026-03-01']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^period,/);
    expect(await lendnet(['audit', 'report', 'period', '--home', home, '--from', '2026-02-30'])).toMatchObject({ code: 1, stderr: 'lendnet: --from must be a date (YYYY-MM-DD) or seconds, not "2026-02-30"\n' });
    expect(await lendnet(['audit', 'report', 'loan', '7', '--home', home])).toMatchObject({ code: 1 });
    expect(await lendnet(['audit', 'report', 'everything', '--home', home])).toMatchObject({ code: 1, stderr: 'lendnet: audit report is one of: period, account ACCOUNT, loan ID\n' });
  }, 120_000);
});
