import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeConfig, DEFAULT_CONFIG, encodeConfig } from '../../node/home/config.js';
import { createMetrics } from './metrics.js';
import { readHealth } from './health.js';
import { type Host, startHost } from './host.js';
import { createRateLimiter } from './rate-limit.js';
import { FakeChain } from './test-kit.js';

describe('the API limit per address', () => {
  it('lets a burst through, then one request per refill interval, and says when to come back', () => {
    const limiter = createRateLimiter({ perMinute: 60, burst: 3 });
    for (let i = 0; i < 3; i++) expect(limiter.take('10.0.0.1', 0)).toEqual({ allowed: true });
    expect(limiter.take('10.0.0.1', 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // Another address has its own allowance.
    expect(limiter.take('10.0.0.2', 0)).toEqual({ allowed: true });
    // One a second refills: after 999 ms not yet, after 1 s one more, and no more than that.
    expect(limiter.take('10.0.0.1', 999).allowed).toBe(false);
    expect(limiter.take('10.0.0.1', 1_000).allowed).toBe(true);
    expect(limiter.take('10.0.0.1', 1_000).allowed).toBe(false);
    // A long idle period refills to the burst, never above it.
    for (let i = 0; i < 3; i++) expect(limiter.take('10.0.0.1', 3_600_000).allowed).toBe(true);
    expect(limiter.take('10.0.0.1', 3_600_000).allowed).toBe(false);
  });

  it('names the wait in whole seconds, at least one', () => {
    const limiter = createRateLimiter({ perMinute: 6, burst: 1 });
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 0)).toEqual({ allowed: false, retryAfterSeconds: 10 });
    expect(limiter.take('a', 9_500)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('is off at 0 a minute, and remembers a bounded number of addresses, forgetting the longest unseen first', () => {
    const off = createRateLimiter({ perMinute: 0, burst: 1 });
    for (let i = 0; i < 100; i++) expect(off.take('a', 0).allowed).toBe(true);
    const limiter = createRateLimiter({ perMinute: 60, burst: 1, maxAddresses: 2 });
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('b', 0).allowed).toBe(true);
    expect(limiter.take('a', 0).allowed).toBe(false); // a is now the most recently seen
    expect(limiter.take('c', 0).allowed).toBe(true); // b is forgotten
    expect(limiter.size).toBe(2);
    expect(limiter.take('a', 0).allowed).toBe(false);
    expect(limiter.take('b', 0).allowed).toBe(true); // a fresh allowance: b was forgotten
  });

  it('leaves loopback addresses unlimited unless told otherwise', () => {
    const limiter = createRateLimiter({ perMinute: 1, burst: 1 });
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) for (let i = 0; i < 5; i++) expect(limiter.take(address, 0).allowed).toBe(true);
    expect(limiter.take('192.168.1.9', 0).allowed).toBe(true);
    expect(limiter.take('192.168.1.9', 0).allowed).toBe(false);
    const strict = createRateLimiter({ perMinute: 1, burst: 1, exemptLoopback: false });
    expect(strict.take('127.0.0.1', 0).allowed).toBe(true);
    expect(strict.take('127.0.0.1', 0).allowed).toBe(false);
  });

  it('refuses settings that make no sense', () => {
    expect(() => createRateLimiter({ perMinute: -1, burst: 1 })).toThrow(RangeError);
    expect(() => createRateLimiter({ perMinute: 10, burst: 0 })).toThrow(RangeError);
  });
});

describe('the host with a limit', () => {
  let host: Host | undefined;
  afterEach(async () => {
    await host?.close();
  });

  it('answers the API over the limit with 429, RATE_LIMITED and Retry-After, and never limits /healthz', async () => {
    const chain = new FakeChain();
    let calls = 0;
    host = await startHost({
      host: '127.0.0.1',
      port: 0,
      health: (stopping) => readHealth(chain, chain, { stopping, nodeFailed: false }),
      metrics: createMetrics(chain, chain),
      api: {
        async handle(_req, res) {
          calls += 1;
          res.end('{}');
        },
        close() {},
      },
      log: pino({ level: 'silent' }),
      rateLimit: createRateLimiter({ perMinute: 1, burst: 2, exemptLoopback: false }),
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${host.url}/api/trpc/chain.head`)).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(calls).toBe(2);
    const refused = await fetch(`${host.url}/api/trpc/chain.head`);
    expect(refused.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
    expect(await refused.json()).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringContaining('too many requests') } });
    expect((await fetch(`${host.url}/healthz`)).status).toBe(200);
  });
});

describe('the limits in config.json', () => {
  it('round-trip with integers as decimal strings, and a bad one is refused naming its field', () => {
    const config = { ...DEFAULT_CONFIG, network: { listen: '/ip4/127.0.0.1/tcp/26656', peers: [], maxPeers: 12 }, api: { requestsPerMinutePerIp: 600, burstPerIp: 100 } };
    const text = encodeConfig(config);
    expect(text).toContain('"maxPeers": "12"');
    expect(text).toContain('"requestsPerMinutePerIp": "600"');
    expect(decodeConfig(text)).toEqual(config);
    const bad = text.replace('"burstPerIp": "100"', '"burstPerIp": "0"');
    expect(() => decodeConfig(bad)).toThrow(/config\.api\.burstPerIp/);
  });
});
