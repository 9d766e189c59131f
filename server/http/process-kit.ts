import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeConfig, encodeConfig } from '../../node/home/config.js';
import { homePaths } from '../../node/home/home.js';

/** The operator command, as operators run it. */
export const LENDNET = join(import.meta.dirname, '..', '..', 'bin', 'lendnet.js');

/** One JSON log line of a running node. */
export type LogRecord = Readonly<Record<string, unknown>> & { readonly msg?: string };

/** Writes a devnet home with `lendnet init --devnet` that makes an empty block every 100 ms, so heights move. */
export async function initFastDevnet(home: string): Promise<void> {
  await promisify(execFile)(process.execPath, [LENDNET, 'init', '--devnet', '--home', home]);
  const path = homePaths(home).config;
  const config = decodeConfig(await readFile(path, 'utf8'));
  await writeFile(path, encodeConfig({ ...config, blockIntervalMs: 100, emptyBlocks: true }));
}

/** The environment of a node under test: none of the product's settings leak in from the caller's. */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['PORT', 'DATABASE_URL', 'LENDNET_ADMIN_TOKEN', 'LENDNET_HOME']) delete env[name];
  return { ...env, ...extra };
}

/** A `lendnet start` process: its output kept, its JSON log lines parsed. */
export class LendnetProcess {
  readonly output: string[] = [];
  readonly records: LogRecord[] = [];
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  private readonly waiters = new Set<() => void>();
  private readonly child: ChildProcess;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [LENDNET, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.take(line);
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.output.push(chunk.toString());
      this.notify();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => this.notify());
  }

  private take(line: string): void {
    this.output.push(line);
    if (line.startsWith('{')) {
      try {
        this.records.push(JSON.parse(line) as LogRecord);
      } catch {
        // a line of someone else's output that happens to start with a brace
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first log record with this message, waiting up to `ms` for it. */
  async logged(msg: string, ms = 60_000): Promise<LogRecord> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.records.find((record) => record.msg === msg);
      if (found) return found;
      if (!this.running) throw new Error(`the node exited before logging "${msg}":\n${this.output.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`no "${msg}" in ${ms} ms:\n${this.output.join('\n')}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 250);
        this.waiters.add(wake);
      });
    }
  }

  /** The URL the node serves on, from its "serving" log line. */
  async url(ms = 60_000): Promise<string> {
    const record = await this.logged('serving', ms);
    return String(record.url);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGKILL if still running (a test's cleanup). */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** Polls until `check` returns a value, or fails after `ms`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
