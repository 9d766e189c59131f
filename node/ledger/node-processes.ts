/**
 * Test support: nodes run as separate `lendnet start` processes (no web app, HTTP on a free
 * port), as operators run them, each collecting its output for a failing test to show.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { readStatus } from './run.js';

export const LENDNET = join(import.meta.dirname, '..', '..', 'bin', 'lendnet.js');

/** Empty blocks and short rounds, so heights move with nothing submitted and a round is quick. */
export const FAST_NETWORK_CONFIG = { blockIntervalMs: 200, emptyBlocks: true, consensus: { proposeMs: 1_500, voteMs: 600, incrementMs: 300 } } as const;

export interface NodeProcess {
  readonly home: string;
  readonly child: ChildProcess;
  readonly log: string[];
}

/** The processes a test started, so that each test ends with none left running. */
export class NodeProcesses {
  private readonly running: NodeProcess[] = [];
  /** Each process's exit code or signal, once its output is all read. */
  private readonly closed = new WeakMap<NodeProcess, Promise<number | NodeJS.Signals>>();

  /** Starts `lendnet start --home HOME --no-web --port 0 [extra]`, its index in its own home. */
  start(home: string, ...extra: string[]): NodeProcess {
    return this.run(home, ['start', '--home', home, '--no-web', '--port', '0', ...extra]);
  }

  /** Starts another lendnet command on a home (`reindex`, `audit verify`), with the same environment. */
  run(home: string, args: readonly string[]): NodeProcess {
    const env = { ...process.env };
    for (const name of ['PORT', 'DATABASE_URL', 'LENDNET_ADMIN_TOKEN', 'LENDNET_HOME']) delete env[name];
    const child = spawn(process.execPath, [LENDNET, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const proc: NodeProcess = { home, child, log: [] };
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => proc.log.push(chunk.toString()));
    this.closed.set(proc, new Promise((resolve) => child.once('close', (code, signal) => resolve(signal ?? code ?? 0))));
    this.running.push(proc);
    return proc;
  }

  /** Stops one process with `signal` and waits for it to exit. */
  stop(proc: NodeProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const index = this.running.indexOf(proc);
    if (index >= 0) this.running.splice(index, 1);
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      proc.child.once('exit', () => resolve());
      proc.child.kill(signal);
    });
  }

  /** Resolves with the exit code, or the signal that ended the process, once its output is all in `log`. */
  exited(proc: NodeProcess): Promise<number | NodeJS.Signals> {
    return this.closed.get(proc)!;
  }

  /** Kills every process still running (after each test). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((proc) => this.stop(proc, 'SIGKILL')));
  }
}

/** The height a home's node last reported: 0 before its first status, or while the file is being replaced. */
export async function statusHeight(home: string): Promise<number> {
  try {
    return (await readStatus(home))?.status.height ?? 0;
  } catch {
    return 0;
  }
}

/** Whether every home's node has reported at least height `h`. */
export const allAtLeast = (homes: readonly string[], h: number) => async (): Promise<boolean> => (await Promise.all(homes.map(statusHeight))).every((x) => x >= h);

/**
 * Polls until `condition` holds, with a deadline generous enough for a loaded machine that
 * starts nodes slowly; fails at once, with its log, if one of `procs` exits meanwhile.
 */
export async function waitFor(what: string, condition: () => Promise<boolean>, procs: readonly NodeProcess[] = [], ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    const dead = procs.find((p) => p.child.exitCode !== null);
    if (dead) throw new Error(`the node of ${dead.home} exited while waiting for ${what}:\n${dead.log.join('').slice(-2_000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** A free port below the ephemeral range (32768 and up), so no dialler bound to port 0 takes it first. */
export async function freePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 21_000 + Math.floor(Math.random() * 11_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
}
