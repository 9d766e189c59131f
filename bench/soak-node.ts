import { execFile, spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeConfig, encodeConfig, type NodeConfig } from '../node/home/config.js';
import { decodeGenesis } from '../node/home/genesis-file.js';
import { homePaths } from '../node/home/home.js';

/** The operator command, as operators run it. */
const LENDNET = join(import.meta.dirname, '..', 'bin', 'lendnet.js');
const CLOCK_TICKS_PER_SECOND = 100;

/** A `lendnet start --no-web` process on a devnet home of its own, as the soak drives it. */
export interface SoakNode {
  readonly pid: number;
  /** http://127.0.0.1:port */
  readonly origin: string;
  readonly home: string;
  readonly chainId: string;
  readonly config: NodeConfig;
  /** Where the process's JSON log lines go. */
  readonly logFile: string;
  /** Resolves when the process exits, with its code (null when ended by a signal). */
  readonly exited: Promise<number | null>;
  /** The samples of /metrics without labels (name → value), read now. */
  metrics(): Promise<Map<string, number>>;
  /** Resident set size of the process in bytes, from /proc/<pid>/status (VmRSS). */
  rssBytes(): number | undefined;
  /** CPU time of the process so far (user + system, every thread), in seconds, from /proc/<pid>/stat. */
  cpuSeconds(): number | undefined;
  /** SIGTERM, then the exit (SIGKILL after 40 s); removes the home unless asked to keep it. */
  stop(keepHome: boolean): Promise<number | null>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

/** `name value` lines of the Prometheus text format; labelled samples are left out. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*) (\S+)$/.exec(line);
    if (match) out.set(match[1]!, Number(match[2]));
  }
  return out;
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Writes a devnet home with `lendnet init --devnet` (its config as written, but for `tune`),
 * then runs `lendnet start --no-web` on a free port of 127.0.0.1: the node, its index (embedded
 * PGlite in the home, or the Postgres server at `databaseUrl`) and the API, without the web app.
 * Resolves once /healthz answers 200.
 */
export async function startSoakNode(tune: (config: NodeConfig) => NodeConfig = (config) => config, databaseUrl?: string): Promise<SoakNode> {
  const home = await mkdtemp(join(tmpdir(), 'lendnet-soak-'));
  const env = { ...process.env };
  // None of the caller's settings leak into the node under test.
  for (const name of ['PORT', 'DATABASE_URL', 'LENDNET_ADMIN_TOKEN', 'LENDNET_HOME']) delete env[name];
  if (databaseUrl !== undefined) env.DATABASE_URL = databaseUrl;
  await promisify(execFile)(process.execPath, [LENDNET, 'init', '--devnet', '--home', home], { env });
  const paths = homePaths(home);
  const config = tune(decodeConfig(await readFile(paths.config, 'utf8')));
  await writeFile(paths.config, encodeConfig(config));
  const chainId = decodeGenesis(await readFile(paths.genesis, 'utf8')).market.params.chainId;

  const port = await freePort();
  const logFile = join(home, 'node.log');
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [LENDNET, 'start', '--home', home, '--no-web', '--port', String(port)], { env, stdio: ['ignore', log, log] });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error('lendnet start did not start');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const origin = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 180_000;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`lendnet start exited with ${exitCode} before serving; see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`lendnet start did not answer /healthz within 180 s; see ${logFile}`);
    }
    const healthy = await fetch(`${origin}/healthz`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (healthy) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  return {
    pid,
    origin,
    home,
    chainId,
    config,
    logFile,
    exited,
    async metrics() {
      const response = await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(20_000) });
      return parseMetrics(await response.text());
    },
    rssBytes() {
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(readProc(pid, 'status') ?? '');
      return match ? Number(match[1]) * 1024 : undefined;
    },
    cpuSeconds() {
      const stat = readProc(pid, 'stat');
      if (stat === undefined) return undefined;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    },
    async stop(keepHome) {
      if (exitCode === undefined) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      const code = await exited;
      clearTimeout(killer);
      if (!keepHome) await rm(home, { recursive: true, force: true });
      return code;
    },
  };
}
