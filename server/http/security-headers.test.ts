import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, decodeConfig, encodeConfig } from '../../node/home/config.js';
import { MAX_BODY_BYTES } from '../api/handler.js';
import { ADMIN_TOKEN, type ApiTestbed, startTestbed } from '../api/test-kit.js';
import { readHealth } from './health.js';
import { type ApiEndpoint, type Host, type HostOptions, hostRoutes, startHost } from './host.js';
import { createMetrics } from './metrics.js';
import { createRateLimiter } from './rate-limit.js';
import { DATA_POLICY, pagePolicy } from './security-headers.js';
import { FakeChain } from './test-kit.js';
import type { WebApp } from './web.js';

/**
 * The host's answers as a browser sees them: security headers on every route, the API closed to
 * other origins (CORS and CSRF) unless config names them, and the API's own limits (body size,
 * admin token) holding through the host. The admin token is also covered, procedure by
 * procedure, in server/api/http.test.ts ("opens operator procedures only to the admin token")
 * and for a running node in start.test.ts.
 */

const ELSEWHERE = 'https://elsewhere.example';
const DASHBOARD = 'https://ops.example.org';

/** An API that counts the requests it is given and answers each with `{}`. */
function countingApi(): ApiEndpoint & { calls: number } {
  const api = {
    calls: 0,
    async handle(req: IncomingMessage, res: ServerResponse) {
      api.calls += 1;
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    },
    close() {},
  };
  return api;
}

function fakeWeb(dev = false): WebApp {
  return {
    dev,
    async handle(_req: IncomingMessage, res: ServerResponse) {
      res.setHeader('content-type', 'text/html');
      res.end('<!DOCTYPE html><title>Lendnet</title>');
    },
    async upgrade() {},
    async close() {},
  };
}

function options(api: ApiEndpoint, extra: Partial<HostOptions> = {}): HostOptions {
  const chain = new FakeChain();
  return {
    host: '127.0.0.1',
    port: 0,
    health: (stopping) => readHealth(chain, chain, { stopping, nodeFailed: false }),
    metrics: createMetrics(chain, chain),
    api,
    log: pino({ level: 'silent' }),
    ...extra,
  };
}

const hosts: Host[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.close()));
});

async function start(api: ApiEndpoint, extra: Partial<HostOptions> = {}): Promise<Host> {
  const host = await startHost(options(api, extra));
  hosts.push(host);
  return host;
}

function expectCommonHeaders(response: Response, what: string): void {
  expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(response.headers.get('referrer-policy'), what).toBe('no-referrer');
  expect(response.headers.get('x-frame-options'), what).toBe('DENY');
  expect(response.headers.get('cross-origin-opener-policy'), what).toBe('same-origin');
  expect(response.headers.get('permissions-policy'), what).toMatch(/camera=\(\), microphone=\(\), geolocation=\(\)/);
  expect(response.headers.get('access-control-allow-origin'), what).toBeNull();
}

describe('security headers', () => {
  it('go on every answer: pages get the app’s policy, everything else a policy that allows nothing', async () => {
    const host = await start(countingApi(), { web: fakeWeb(), rateLimit: createRateLimiter({ perMinute: 1, burst: 1, exemptLoopback: false }) });
    for (const path of ['/', '/market', '/_next/static/chunks/app.js', '/no-such-page']) {
      const response = await fetch(`${host.url}${path}`);
      expectCommonHeaders(response, path);
      expect(response.headers.get('content-security-policy'), path).toBe(pagePolicy(false));
    }
    // The API (answered, then over its limit), a path under /api/ that is not it, health and metrics.
    for (const [path, status] of [['/api/trpc/chain.head', 200], ['/api/trpc/chain.head', 429], ['/api/other', 404], ['/healthz', 200], ['/metrics', 200]] as const) {
      const response = await fetch(`${host.url}${path}`);
      expect(response.status, path).toBe(status);
      expectCommonHeaders(response, path);
      expect(response.headers.get('content-security-policy'), path).toBe(DATA_POLICY);
    }
  });

  it('give production pages no eval and frame-ancestors none; only the dev server may eval', async () => {
    const production = pagePolicy(false);
    for (const directive of ["default-src 'self'", "connect-src 'self'", "img-src 'self' data:", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"]) {
      expect(production).toContain(directive);
    }
    expect(production).not.toContain('unsafe-eval');
    expect(pagePolicy(true)).toContain("'unsafe-eval'");
    const host = await start(countingApi(), { web: fakeWeb(true) });
    expect((await fetch(host.url)).headers.get('content-security-policy')).toBe(pagePolicy(true));
  });

  it('go on the answers a node gives while it stops', async () => {
    const server = createServer((req, res) => void hostRoutes(options(countingApi(), { web: fakeWeb() }), () => true)(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const path of ['/healthz', '/api/trpc/chain.head', '/market']) {
        const response = await fetch(`${url}${path}`);
        expect(response.status, path).toBe(503);
        expectCommonHeaders(response, path);
        expect(response.headers.get('content-security-policy'), path).toMatch(/frame-ancestors 'none'/);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('CORS and CSRF, closed by default', () => {
  it('refuses a preflight from another origin, and answers a cross-origin read with no CORS header', async () => {
    const api = countingApi();
    const host = await start(api);
    const preflight = await fetch(`${host.url}/api/trpc/tx.submit`, {
      method: 'OPTIONS',
      headers: { origin: ELSEWHERE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(await preflight.json()).toEqual({ error: { code: 'CROSS_ORIGIN_REFUSED', message: expect.stringContaining('preflights') } });

    const read = await fetch(`${host.url}/api/trpc/chain.head`, { headers: { origin: ELSEWHERE } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    expect(api.calls).toBe(1);
  });

  it('refuses a POST whose Origin is another site (or "null") before the API sees it; the node’s own pages (also behind a proxy) and non-browser clients pass', async () => {
    const api = countingApi();
    const host = await start(api);
    const post = (origin?: string) =>
      fetch(`${host.url}/api/trpc/tx.submit`, { method: 'POST', headers: { 'content-type': 'text/plain', ...(origin ? { origin } : {}) }, body: '{"wire":"00"}' });
    for (const origin of [ELSEWHERE, 'null', 'http://127.0.0.1.evil.example']) {
      const refused = await post(origin);
      expect(refused.status, origin).toBe(403);
      expect(await refused.json(), origin).toMatchObject({ error: { code: 'CROSS_ORIGIN_REFUSED' } });
    }
    expect(api.calls).toBe(0);
    expect((await post(host.url)).status).toBe(200);
    expect((await post()).status).toBe(200);
    // Behind a TLS proxy that says which host the page was served from.
    const proxied = await fetch(`${host.url}/api/trpc/tx.submit`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://lendnet.example', 'x-forwarded-host': 'lendnet.example' },
      body: '{}',
    });
    expect(proxied.status).toBe(200);
    expect(api.calls).toBe(3);
  });

  it('opens the API to an origin named in config, and to no other', async () => {
    const api = countingApi();
    const host = await start(api, { corsOrigins: [DASHBOARD] });
    const preflight = await fetch(`${host.url}/api/trpc/tx.submit`, { method: 'OPTIONS', headers: { origin: DASHBOARD, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(DASHBOARD);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
    const post = await fetch(`${host.url}/api/trpc/tx.submit`, { method: 'POST', headers: { origin: DASHBOARD, 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(200);
    expect(post.headers.get('access-control-allow-origin')).toBe(DASHBOARD);
    expect(post.headers.get('vary')).toContain('Origin');
    expect(api.calls).toBe(1);

    const other = await fetch(`${host.url}/api/trpc/tx.submit`, { method: 'OPTIONS', headers: { origin: ELSEWHERE, 'access-control-request-method': 'POST' } });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reads api.corsOrigins from config.json, and refuses an entry that is not an origin, naming it', () => {
    const config = { ...DEFAULT_CONFIG, api: { requestsPerMinutePerIp: 600, burstPerIp: 100, corsOrigins: [DASHBOARD, 'http://127.0.0.1:8080'] } };
    const text = encodeConfig(config);
    expect(decodeConfig(text)).toEqual(config);
    expect(() => decodeConfig(text.replace(DASHBOARD, `${DASHBOARD}/path`))).toThrow(/config\.api\.corsOrigins\[0\]/);
    expect(() => decodeConfig(text.replace(DASHBOARD, '*'))).toThrow(/config\.api\.corsOrigins\[0\]/);
    // Left out, nothing is open.
    expect(decodeConfig(encodeConfig({ ...DEFAULT_CONFIG, api: { requestsPerMinutePerIp: 1, burstPerIp: 1 } })).api?.corsOrigins).toBeUndefined();
  });
});

describe('the API’s limits through the host', () => {
  let bed: ApiTestbed;
  let host: Host;
  beforeAll(async () => {
    bed = await startTestbed('pglite');
    host = await startHost(options(bed.handler));
  }, 60_000);
  afterAll(async () => {
    await host?.close();
    await bed?.close();
  });

  it('refuses an oversized body with a coded 413, declared or streamed', async () => {
    const body = JSON.stringify({ wire: 'a'.repeat(MAX_BODY_BYTES) });
    const declared = await fetch(`${host.url}/api/trpc/tx.submit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(declared.status).toBe(413);
    expect(declared.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await declared.json()).toMatchObject({ error: { data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 } } });

    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(body));
        controller.close();
      },
    });
    const streamed = await fetch(`${host.url}/api/trpc/tx.submit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunks, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: { data: { code: 'PAYLOAD_TOO_LARGE' } } });
  });

  it('refuses operator procedures without the admin token or with a wrong one', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${ADMIN_TOKEN}`]) {
      const response = await fetch(`${host.url}/api/trpc/node.evidence`, { headers: authorization ? { authorization } : {} });
      expect(response.status, authorization).toBe(401);
      expect(await response.json(), authorization).toMatchObject({ error: { data: { code: 'UNAUTHORIZED' } } });
    }
    expect((await fetch(`${host.url}/api/trpc/node.evidence`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
  });

  it('takes a real mutation from the node’s own origin, and refuses the same from another site', async () => {
    const call = (origin: string) =>
      fetch(`${host.url}/api/trpc/tx.submit`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ wire: 'not a transaction' }) });
    const own = await call(host.url);
    // Reached the API, which refused the input itself.
    expect(own.status).toBe(400);
    const foreign = await call(ELSEWHERE);
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { code: 'CROSS_ORIGIN_REFUSED' } });
  });
});
