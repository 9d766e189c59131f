import { spawn } from 'node:child_process';
import { existsSync, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The repository's root: where `app/`, `next.config.js` and `node_modules/.bin/next` are. */
export const APP_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The Next.js app, as the HTTP host serves it. */
export interface WebApp {
  /** Next's dev server: its pages need a looser script policy (see security-headers.ts). */
  readonly dev?: boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Websocket upgrades (the dev server's hot reload). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** What the app is built from (its pages, the market's rules it bundles, its settings and packages): a build older than one of them is stale. */
const SOURCES = ['app', 'contracts', 'public', 'next.config.js', 'tsconfig.app.json', 'package.json', 'package-lock.json'];

/** Tests are not part of the app. */
const isTest = (name: string) => name === 'test' || name.endsWith('.test.ts') || name.endsWith('.test.tsx');

/** Why the web app must be built before it is served, or undefined when its build is current. */
export async function staleBuild(dir: string = APP_ROOT): Promise<string | undefined> {
  const buildId = join(dir, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return 'the web app has not been built';
  const built = (await stat(buildId)).mtimeMs;
  for (const source of SOURCES) {
    const changed = await newestChange(join(dir, source));
    if (changed > built) return `${source} changed since the web app was built`;
  }
  return undefined;
}

/** When a file, or the newest file under a folder, was last modified (0 if absent). */
async function newestChange(path: string): Promise<number> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) if (!isTest(entry)) newest = Math.max(newest, await newestChange(join(path, entry)));
  return newest;
}

/** Runs `next build` in a child process, its output on this process's stderr; `cancel` stops it. */
export async function buildWeb(options: { readonly dir?: string; readonly cancel?: AbortSignal } = {}): Promise<void> {
  const dir = options.dir ?? APP_ROOT;
  const bin = join(dir, 'node_modules', '.bin', 'next');
  if (!existsSync(bin)) throw new Error(`cannot build the web app: ${bin} is missing (run npm install)`);
  const child = spawn(bin, ['build'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    ...(options.cancel ? { signal: options.cancel, killSignal: 'SIGTERM' as const } : {}),
  });
  child.stdout.pipe(process.stderr, { end: false });
  child.stderr.pipe(process.stderr, { end: false });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (error) => (options.cancel?.aborted ? resolve(null) : reject(error)));
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (options.cancel?.aborted) return;
  if (code !== 0) throw new Error(`next build failed (exit code ${code}); its output is above`);
}

export interface WebOptions {
  readonly dir?: string;
  /** Next's dev server (compiles on demand, reloads on change) instead of the production build. */
  readonly dev: boolean;
  readonly hostname: string;
  readonly port: number;
}

/** Loads the Next.js app into this process; the HTTP host passes it every page request. */
export async function startWeb(options: WebOptions): Promise<WebApp> {
  // An operator's node does not report usage to the framework's vendor unless told to.
  process.env.NEXT_TELEMETRY_DISABLED ??= '1';
  // Loaded only when the web app is served: `--no-web` and the other commands never load Next.
  const { default: next } = await import('next');
  const app = next({ dev: options.dev, dir: options.dir ?? APP_ROOT, hostname: options.hostname, port: options.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const upgrade = app.getUpgradeHandler();
  return {
    dev: options.dev,
    handle: (req, res) => handle(req, res),
    upgrade: (req, socket, head) => upgrade(req, socket, head),
    close: () => app.close(),
  };
}
