import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeChain } from './test-kit.js';
import { readHealth } from './health.js';
import { type ApiEndpoint, type Host, type HostOptions, hostRoutes, startHost } from './host.js';
import { createMetrics } from './metrics.js';
import type { WebApp } from './web.js';

/** An API that answers with the path it was given, or waits for `release` on /api/trpc/slow. */
function fakeApi() {
  let release: () => void = () => {};
  let enter: () => void = () => {};
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const api = {
    closed: false,
    entered,
    release: () => release(),
    async handle(req: IncomingMessage, res: ServerResponse) {
      if (req.url === '/api/trpc/slow') {
        enter();
        await new Promise<void>((resolve) => (release = resolve));
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ api: req.url }));
    },
    close() {
      api.closed = true;
    },
  };
  return api;
}

function fakeWeb(): WebApp & { closed: boolean } {
  const web = {
    closed: false,
    async handle(_req: IncomingMessage, res: ServerResponse) {
      res.setHeader('content-type', 'text/html');
      res.end('<!DOCTYPE html><title>Lendnet</title>');
    },
    async upgrade() {},
    async close() {
      web.closed = true;
    },
  };
  return web;
}

function options(chain: FakeChain, api: ApiEndpoint, web?: WebApp): HostOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    health: (stopping) => readHealth(chain, chain, { stopping, nodeFailed: false }),
    metrics: createMetrics(chain, chain),
    api,
    ...(web ? { web } : {}),
    log: pino({ level: 'silent' }),
  };
}

const hosts: Host[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.close()));
});

async function start(chain: FakeChain, api: ApiEndpoint, web?: WebApp): Promise<Host> {
  const host = await startHost(options(chain, api, web));
  hosts.push(host);
  return host;
}

describe('the HTTP host', () => {
  it('answers /healthz with the node’s health as JSON', async () => {
    const chain = new FakeChain();
    chain.height = 5;
    chain.indexed = 5;
    const host = await start(chain, fakeApi());
    const response = await fetch(`${host.url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toMatchObject({ status: 'ok', chainId: 'lendnet-test', height: 5, indexHeight: 5, indexLag: 0 });
    expect((await fetch(`${host.url}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('answers /healthz with 503 while the index lags', async () => {
    const chain = new FakeChain();
    chain.height = 50;
    const host = await start(chain, fakeApi());
    const response = await fetch(`${host.url}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'degraded', indexLag: 50 });
  });

  it('serves Prometheus text at /metrics', async () => {
    const chain = new FakeChain();
    chain.height = 9;
    const host = await start(chain, fakeApi());
    const response = await fetch(`${host.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toMatch(/^lendnet_height 9$/m);
  });

  it('passes /api/trpc and everything under it to the API', async () => {
    const host = await start(new FakeChain(), fakeApi());
    expect(await (await fetch(`${host.url}/api/trpc/chain.head?input=1`)).json()).toEqual({ api: '/api/trpc/chain.head?input=1' });
    expect(await (await fetch(`${host.url}/api/trpc`)).json()).toEqual({ api: '/api/trpc' });
  });

  it('answers an unknown path with a 404 in JSON when the web app is off', async () => {
    const host = await start(new FakeChain(), fakeApi());
    for (const path of ['/', '/loans/7', '/api/trpcx', '/api/other']) {
      const response = await fetch(`${host.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringContaining(path.split('?')[0] as string) } });
    }
  });

  it('passes pages to the web app, but never /api/… outside the API', async () => {
    const host = await start(new FakeChain(), fakeApi(), fakeWeb());
    const page = await fetch(`${host.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Lendnet');
    expect((await fetch(`${host.url}/api/other`)).status).toBe(404);
  });

  it('while stopping, answers /healthz with 503 "stopping" and refuses the rest, closing each connection', async () => {
    const chain = new FakeChain();
    const api = fakeApi();
    const server = createServer((req, res) => void hostRoutes(options(chain, api), () => true)(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(503);
      expect(health.headers.get('connection')).toBe('close');
      expect(await health.json()).toMatchObject({ status: 'stopping', chainId: 'lendnet-test' });
      const refused = await fetch(`${url}/api/trpc/chain.head`);
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ error: { code: 'STOPPING' } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('closing ends the API’s streams, stops taking connections, lets a request in flight finish, then closes the web app', async () => {
    const api = fakeApi();
    const web = fakeWeb();
    const host = await startHost(options(new FakeChain(), api, web));
    const slow = fetch(`${host.url}/api/trpc/slow`);
    await api.entered;
    const closing = host.close();
    expect(api.closed).toBe(true);
    await expect(fetch(`${host.url}/healthz`)).rejects.toThrow();
    expect(web.closed).toBe(false);
    api.release();
    const response = await slow;
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ api: '/api/trpc/slow' });
    await closing;
    expect(web.closed).toBe(true);
  });
});
