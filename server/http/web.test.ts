import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, eventually, initFastDevnet, LendnetProcess } from './process-kit.js';
import { APP_ROOT, staleBuild } from './web.js';

/**
 * `lendnet start` with the web app, as `npm start` runs it on a fresh machine: a build older than
 * the app (here made so on purpose) is built again first, then pages are served beside the API.
 */

const processes: LendnetProcess[] = [];
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('lendnet start with the web app', () => {
  it('builds the web app when its build is stale, serves the home page, and leaves the tsconfig files as they were', { timeout: 300_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lendnet-web-'));
    folders.push(dir);
    const home = join(dir, 'home');
    await initFastDevnet(home);
    const buildId = join(APP_ROOT, '.next', 'BUILD_ID');
    if (existsSync(buildId)) await utimes(buildId, 0, 0);
    expect(await staleBuild()).toBeDefined();
    const tsconfigs = await Promise.all(['tsconfig.json', 'tsconfig.app.json'].map((name) => readFile(join(APP_ROOT, name), 'utf8')));

    const proc = new LendnetProcess(['start', '--port', '0', '--home', home], cleanEnv());
    processes.push(proc);
    const building = await proc.logged('web app built', 240_000);
    expect(building).toBeDefined();
    expect(proc.records.some((record) => String(record.msg).includes('building it first'))).toBe(true);
    expect(await staleBuild()).toBeUndefined();
    expect(await Promise.all(['tsconfig.json', 'tsconfig.app.json'].map((name) => readFile(join(APP_ROOT, name), 'utf8')))).toEqual(tsconfigs);

    const url = await proc.url();
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<title>Lendnet</title>');
    expect(html).toContain('Lendnet');
    const asset = /\/_next\/static\/[^"]+\.js/.exec(html)?.[0];
    expect(asset).toBeDefined();
    expect((await fetch(`${url}${asset}`)).status).toBe(200);

    // Beside the pages: health, and a JSON 404 for an API path that is not the API.
    await eventually('a healthy node', async () => ((await fetch(`${url}/healthz`)).status === 200 ? true : undefined));
    const notApi = await fetch(`${url}/api/nothing`);
    expect(notApi.status).toBe(404);
    expect(await notApi.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });

    proc.signal('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  });
});
