import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKey } from '../../contracts/test/fixtures.js';
import { testDatabaseKinds } from '../db/test-databases.js';
import { createApiHandler } from './handler.js';
import type { AppRouter } from './router.js';
import { SseReader } from './sse-reader.js';
import { ADMIN_TOKEN, type ApiTestbed, startTestbed } from './test-kit.js';

const kinds = await testDatabaseKinds();
const frank = testKey('frank');
const grace = testKey('grace');

function client(origin: string, authorization?: string) {
  return createTRPCClient<AppRouter>({ links: [httpLink({ url: `${origin}/api/trpc`, headers: authorization ? { authorization } : {} })] });
}

/** The coded error a call fails with. */
async function failure(call: Promise<unknown>): Promise<{ code: string; httpStatus: number }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return error.data as { code: string; httpStatus: number };
    throw error;
  }
  throw new Error('the call succeeded');
}

interface ErrorBody {
  readonly error: { readonly message: string; readonly data: { readonly code: string; readonly httpStatus: number; readonly issues?: string[]; readonly stack?: string } };
}

async function raw(origin: string, path: string, init?: RequestInit): Promise<{ status: number; body: ErrorBody }> {
  const response = await fetch(`${origin}${path}`, init);
  return { status: response.status, body: (await response.json()) as ErrorBody };
}

const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));

describe.each(kinds)('the API over HTTP on %s', (kind) => {
  let bed: ApiTestbed;
  beforeAll(async () => {
    bed = await startTestbed(kind);
  }, 60_000);
  afterAll(async () => {
    await bed?.close();
  });

  it('commits a submitted transaction, and refuses others with their codes, changing nothing', async () => {
    const api = client(bed.origin);
    const faucet = bed.sign(frank, 'faucet', { asset: 'USD', amount: 5_000_000n });
    expect(await api.tx.submit.mutate({ wire: faucet.encoded })).toMatchObject({ status: 'committed', id: faucet.id, indexed: true });
    expect(await api.tx.status.query({ id: faucet.id })).toMatchObject({ status: 'committed', indexed: true });

    const before = bed.node.status();
    const overdraft = bed.sign(frank, 'transfer', { asset: 'USD', to: grace.account, amount: 5_000_001n });
    expect(await failure(api.tx.submit.mutate({ wire: overdraft.encoded }))).toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      httpStatus: 400,
      details: { account: frank.account, asset: 'USD', needed: '5000001', available: '5000000' },
    });
    expect(bed.node.status()).toMatchObject({ height: before.height, stateRoot: before.stateRoot });
    expect(bed.node.account(frank.account).balances.USD).toBe(5_000_000n);
    expect(await api.tx.status.query({ id: overdraft.id })).toMatchObject({ status: 'refused', code: 'INSUFFICIENT_FUNDS' });

    const misSigned = bed.sign(frank, 'faucet', { asset: 'USD', amount: 6n }).encoded.replace('"amount":"6"', '"amount":"7"');
    expect(await failure(api.tx.submit.mutate({ wire: misSigned }))).toMatchObject({ code: 'BAD_SIGNATURE', httpStatus: 400 });
    expect(await failure(api.tx.submit.mutate({ wire: '{"body":' }))).toMatchObject({ code: 'MALFORMED', httpStatus: 400 });
    expect(await failure(api.tx.submit.mutate({ wire: 'x'.repeat(5_000) }))).toMatchObject({ code: 'BAD_INPUT', httpStatus: 400 });
    expect(bed.node.status()).toMatchObject({ height: before.height, stateRoot: before.stateRoot });
    expect(await api.tx.status.query({ id: 'ab'.repeat(32) })).toEqual({ status: 'unknown', id: 'ab'.repeat(32) });
  });

  it('answers "pending" at once when asked not to wait, then the transaction commits', async () => {
    const api = client(bed.origin);
    // The nonce the failed mis-signed attempt would have used is free again: sign it anew.
    const nonce = bed.node.account(frank.account).nonce;
    const { signed } = await import('../../contracts/test/fixtures.js');
    const tx = signed(frank, nonce, 'faucet', { asset: 'USD', amount: 1n });
    expect(await api.tx.submit.mutate({ wire: tx.encoded, wait: false })).toEqual({ status: 'pending', id: tx.id });
    const deadline = Date.now() + 5_000;
    let status = await api.tx.status.query({ id: tx.id });
    while (status.status !== 'committed' && Date.now() < deadline) {
      expect(status.status).toBe('pending');
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = await api.tx.status.query({ id: tx.id });
    }
    expect(status.status).toBe('committed');
  });

  it('answers bad requests with coded 4xx errors and no stack traces', async () => {
    const wrongType = await raw(bed.origin, `/api/trpc/market.book?input=${q({ side: 'sideways', limit: 'ten' })}`);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.data.code).toBe('BAD_INPUT');
    expect(wrongType.body.error.data.issues).toEqual([expect.stringMatching(/^side: /), expect.stringMatching(/^limit: /)]);
    expect(wrongType.body.error.data.stack).toBeUndefined();
    expect((await raw(bed.origin, `/api/trpc/loans.byId?input=${q({ id: 'abc' })}`)).body.error.data).toMatchObject({ code: 'BAD_INPUT', httpStatus: 400 });
    expect((await raw(bed.origin, '/api/trpc/loans.byId')).status).toBe(400);
    expect((await raw(bed.origin, `/api/trpc/market.book?input=${q({ side: 'lend', amountMin: '-5' })}`)).status).toBe(400);
    expect((await raw(bed.origin, `/api/trpc/market.book?input=${q({ side: 'lend', limit: 101 })}`)).status).toBe(400);

    const huge = await raw(bed.origin, '/api/trpc/tx.submit', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(1 << 20) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.data.code).toBe('PAYLOAD_TOO_LARGE');
    // A body sent without a length is cut at the limit as it streams in.
    const chunks = [new TextEncoder().encode(`{"wire":"${'y'.repeat(300 * 1024)}"}`)];
    const streamed = await raw(bed.origin, '/api/trpc/tx.submit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({ pull: (controller) => (chunks.length > 0 ? controller.enqueue(chunks.shift()!) : controller.close()) }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed).toMatchObject({ status: 413, body: { error: { data: { code: 'PAYLOAD_TOO_LARGE' } } } });

    const unknown = await raw(bed.origin, '/api/trpc/market.nothing');
    expect(unknown).toMatchObject({ status: 404, body: { error: { data: { code: 'NOT_FOUND' } } } });
    expect((await raw(bed.origin, '/api/elsewhere')).status).toBe(404);
    const malformed = await raw(bed.origin, '/api/trpc/tx.submit', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(malformed).toMatchObject({ status: 400, body: { error: { data: { code: 'BAD_INPUT' } } } });
    expect((await raw(bed.origin, '/api/trpc/market.book?input=%7Bbad')).status).toBe(400);
    const json = { 'content-type': 'application/json' };
    expect((await raw(bed.origin, '/api/trpc/market.book', { method: 'POST', headers: json, body: '{}' })).body.error.data).toMatchObject({ code: 'METHOD_NOT_SUPPORTED', httpStatus: 405 });
    const media = await raw(bed.origin, '/api/trpc/tx.submit', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(media.status).toBeGreaterThanOrEqual(400);
    expect(media.status).toBeLessThan(500);
    expect(media.body.error.data.code).not.toBe('INTERNAL');
  });

  it('still answers correctly after a thousand malformed requests in a row', async () => {
    const bad: (() => Promise<Response>)[] = [
      () => fetch(`${bed.origin}/api/trpc/market.book?input=%7Bbad`),
      () => fetch(`${bed.origin}/api/trpc/loans.byId?input=${q({ id: -1 })}`),
      () => fetch(`${bed.origin}/api/trpc/no.such.procedure`),
      () => fetch(`${bed.origin}/api/trpc/tx.submit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"wire":' }),
      () => fetch(`${bed.origin}/api/trpc/tx.submit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: q({ wire: '{"nonce":1}' }) }),
      () => fetch(`${bed.origin}/api/trpc/accounts.balances?input=${q({ account: 'not-hex' })}`),
      () => fetch(`${bed.origin}/api/trpc/node.peers`, { headers: { authorization: 'Bearer nope' } }),
      () => fetch(`${bed.origin}/api/trpc/market.book?batch=1&input=${q({ 0: { side: 7 } })}`),
    ];
    for (let start = 0; start < 1_000; start += 50) {
      const statuses = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const response = await bad[(start + i) % bad.length]!();
          await response.arrayBuffer();
          return response.status;
        }),
      );
      for (const status of statuses) expect(status).toBeGreaterThanOrEqual(400);
      for (const status of statuses) expect(status).toBeLessThan(500);
    }
    const head = await client(bed.origin).chain.head.query();
    expect(head).toMatchObject({ height: bed.node.status().height, chainId: bed.node.chainId });
  }, 60_000);

  it('opens operator procedures only to the admin token', async () => {
    expect(await failure(client(bed.origin).node.peers.query())).toEqual(expect.objectContaining({ code: 'UNAUTHORIZED', httpStatus: 401 }));
    expect(await failure(client(bed.origin, 'Bearer wrong-token').node.peers.query())).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
    expect(await failure(client(bed.origin, `Basic ${ADMIN_TOKEN}`).node.evidence.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    const admin = client(bed.origin, `Bearer ${ADMIN_TOKEN}`);
    expect(await admin.node.peers.query()).toEqual([]);
    expect(await admin.node.evidence.query()).toEqual([]);
    expect(typeof (await admin.node.mempool.query()).size).toBe('number');
    expect(await client(bed.origin).node.status.query()).toMatchObject({ role: 'devnet', peers: 0, lag: 0, chainId: bed.node.chainId });
  });

  it('streams new blocks over SSE and resumes after the last id on reconnect', async () => {
    const open = (lastEventId?: string) =>
      fetch(`${bed.origin}/api/trpc/chain.onBlock`, { headers: { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) } });
    const response = await open();
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = new SseReader(response);
    const submit = (amount: bigint) => bed.caller().tx.submit({ wire: bed.sign(grace, 'faucet', { asset: 'USD', amount }).encoded });
    const first = await submit(1n);
    if (first.status !== 'committed') throw new Error('not committed');
    const event = await stream.nextData();
    expect(event?.id).toBe(String(first.height));
    expect(JSON.parse(event!.data)).toMatchObject({ height: first.height, txCount: 1 });
    await stream.cancel();

    const second = await submit(2n);
    const third = await submit(3n);
    if (second.status !== 'committed' || third.status !== 'committed') throw new Error('not committed');
    const resumed = new SseReader(await open(String(first.height)));
    expect((await resumed.nextData())?.id).toBe(String(second.height));
    expect((await resumed.nextData())?.id).toBe(String(third.height));
    await resumed.cancel();
  });

  it("streams an account's new events over SSE", async () => {
    const response = await fetch(`${bed.origin}/api/trpc/accounts.onEvents?input=${q({ account: grace.account })}`, { headers: { accept: 'text/event-stream' } });
    const stream = new SseReader(response);
    const result = await bed.caller().tx.submit({ wire: bed.sign(grace, 'faucet', { asset: 'USD', amount: 9n }).encoded });
    if (result.status !== 'committed') throw new Error('not committed');
    // The payout's event (the balance it changed is in accounts.balances, not in the event stream).
    const event = await stream.nextData();
    expect(event?.id).toMatch(new RegExp(`^${result.height}:\\d+$`));
    expect(JSON.parse(event!.data)).toMatchObject({ type: 'faucetPaid', event: { type: 'faucetPaid', to: grace.account, asset: 'USD', amount: '9' } });
    await stream.cancel();
  });

  it('counts every subscription stream against the limit, asked for as an event stream or not', async () => {
    const handler = createApiHandler({ ...bed.deps, maxStreams: 2 });
    const server = createServer((req, res) => void handler.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const asked = new SseReader(await fetch(`${origin}/api/trpc/chain.onBlock`, { headers: { accept: 'text/event-stream' } }));
      expect((await asked.next())?.event).toBe('connected');
      const plain = new SseReader(await fetch(`${origin}/api/trpc/chain.onBlock`));
      expect((await plain.next())?.event).toBe('connected');
      const third = await fetch(`${origin}/api/trpc/chain.onBlock`);
      expect(third.status).toBe(429);
      expect(await third.json()).toMatchObject({ error: { data: { code: 'TOO_MANY_REQUESTS' } } });
      // Queries are not streams: they still answer.
      expect((await fetch(`${origin}/api/trpc/chain.head`)).status).toBe(200);
      await Promise.all([asked.cancel(), plain.cancel()]);
    } finally {
      handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('ends open subscription streams when the API closes', async () => {
    const handler = createApiHandler(bed.deps);
    const server = createServer((req, res) => void handler.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const stream = new SseReader(await fetch(`${origin}/api/trpc/chain.onBlock`, { headers: { accept: 'text/event-stream' } }));
      expect((await stream.next())?.event).toBe('connected');
      handler.close();
      expect(await stream.nextData(3_000)).toBeUndefined();
      expect((await fetch(`${origin}/api/trpc/chain.head`)).status).toBe(503);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
