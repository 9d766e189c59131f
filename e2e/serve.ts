/**
 * The product as the e2e run sees it: a fresh devnet home in a temporary folder, made with
 * `lendnet init --devnet` and set to a block every 100 ms, served by `lendnet start` in the
 * foreground until Playwright stops it. Its genesis keeps the devnet's minute-long terms but
 * shortens what follows a missed due time (late after 5 s, in default after 20 s), so a test
 * watches a one-minute loan default in under a minute and a half. Playwright's `webServer` runs
 * this file:
 *
 *   node --import tsx e2e/serve.ts --port 3107
 *
 * `lendnet start` builds the web app first if its build is missing or stale.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeGenesis, encodeGenesis } from '../node/home/genesis-file.js';
import { homePaths } from '../node/home/home.js';
import { cleanEnv, initFastDevnet, LENDNET } from '../server/http/process-kit.js';
import { E2E_DEFAULT_PERIOD, E2E_GRACE_PERIOD } from './timing.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '3107' } } });
const home = await mkdtemp(join(tmpdir(), 'lendnet-e2e-'));
await initFastDevnet(home);
const genesisPath = homePaths(home).genesis;
const genesis = decodeGenesis(await readFile(genesisPath, 'utf8'));
const params = { ...genesis.market.params, gracePeriod: E2E_GRACE_PERIOD, defaultPeriod: E2E_DEFAULT_PERIOD };
await writeFile(genesisPath, `${encodeGenesis({ ...genesis, market: { ...genesis.market, params } })}\n`);
console.error(`e2e: a fresh devnet home in ${home}, served on port ${values.port}`);

// The node's own settings (PORT, DATABASE_URL, …) stay out: the run always gets an embedded index.
const node = spawn(process.execPath, [LENDNET, 'start', '--home', home, '--port', values.port], {
  env: cleanEnv(),
  stdio: ['ignore', 'pipe', 'inherit'],
});
let stopping = false;
node.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (chunk.includes('"msg":"shutting down"')) stopping = true;
});

// Playwright and Ctrl-C signal the whole process group, so the node has the signal already; a second
// one would cut its shutdown short. Pass it on only when the signal was meant for this process alone.
const onSignal = (signal: NodeJS.Signals) => {
  setTimeout(() => {
    if (!stopping && node.exitCode === null && node.signalCode === null) node.kill(signal);
  }, 1_000).unref();
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

const code = await new Promise<number>((resolve) => node.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
await rm(home, { recursive: true, force: true });
process.exit(code);
