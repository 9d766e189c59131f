/**
 * The product as the e2e run sees it: a fresh devnet home in a temporary folder, made with
 * `lendnet init --devnet` and set to a block every 100 ms, served by `lendnet start` in the
 * foreground until Playwright stops it. Playwright's `webServer` runs this file:
 *
 *   node --import tsx e2e/serve.ts --port 3107
 *
 * `lendnet start` builds the web app first if its build is missing or stale.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanEnv, initFastDevnet, LENDNET } from '../server/http/process-kit.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '3107' } } });
const home = await mkdtemp(join(tmpdir(), 'lendnet-e2e-'));
await initFastDevnet(home);
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
