import { afterEach, describe, expect, it } from 'vitest';
import { GossipPublishError, type P2pHost, P2pRequestError, peerIdOfSeed, topicOf } from './host.js';
import { freePort, fromUtf8, HostPool, listen, seedOf, utf8, waitFor } from './test-kit.js';

const pool = new HostPool();
afterEach(async () => {
  await pool.stopAll();
});

/** Resolves once `host` relays `kind` to every one of `peers` and they to it. */
async function meshed(kind: 'txs' | 'consensus', host: P2pHost, ...peers: P2pHost[]): Promise<void> {
  await waitFor(`${kind} mesh around the relay`, () => {
    const mesh = host.meshPeers(kind);
    return peers.every((peer) => mesh.includes(peer.peerId) && peer.subscribers(kind).includes(host.peerId));
  });
}

async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

async function requestError(call: Promise<unknown>): Promise<P2pRequestError> {
  const error = await rejection(call);
  if (!(error instanceof P2pRequestError)) throw new Error(`expected a P2pRequestError, got ${String(error)}`);
  return error;
}

describe('p2p host', () => {
  it('gossip published on A reaches C through B, once each, and stays on its chain', async () => {
    const b = await pool.started('line/b');
    const [a, c, other] = await Promise.all([
      pool.started('line/a', { bootstrap: b.multiaddrs() }),
      pool.started('line/c', { bootstrap: b.multiaddrs() }),
      pool.started('line/other', { chainId: 'other', bootstrap: b.multiaddrs() }),
    ]);
    const atA = listen(a, 'txs');
    const atB = listen(b, 'txs');
    const atC = listen(c, 'txs');
    const atOther = listen(other, 'txs');
    await meshed('txs', b, a, c);
    expect(c.peers()).toEqual([b.peerId]);

    expect(await a.publish('txs', utf8('batch 1'))).toEqual({ recipients: 1, duplicate: false });
    await a.publish('txs', utf8('batch 2'));
    await waitFor('both batches at C', () => atC.delivered.length >= 2);

    expect(atB.deliveredText()).toEqual(['batch 1', 'batch 2']);
    expect(atC.deliveredText()).toEqual(['batch 1', 'batch 2']);
    expect(atC.delivered[0]).toMatchObject({ kind: 'txs', from: b.peerId, origin: a.peerId });
    expect(atA.validated).toEqual([]);
    expect(atOther.validated).toEqual([]);
    expect(b.subscribers('txs')).not.toContain(other.peerId);
    expect(topicOf('test', 'txs')).toBe('lendnet/test/txs/1');
    expect(a.counters().gossip.txs).toMatchObject({ messagesOut: 2, bytesOut: 14 });
    expect(c.counters().gossip.txs).toMatchObject({ messagesIn: 2, bytesIn: 14, rejected: 0 });
  });

  it('a rejecting host neither delivers nor relays, and bans the sender past the threshold', async () => {
    const b = await pool.started('reject/b', { penalties: { rejectThreshold: 3, banMs: 3_000 } });
    const [a, c] = await Promise.all([
      pool.started('reject/a', { bootstrap: b.multiaddrs(), redial: { maxDelayMs: 1_000 } }),
      pool.started('reject/c', { bootstrap: b.multiaddrs() }),
    ]);
    const atB = listen(b, 'consensus', (message) => (message.startsWith('forged') ? 'reject' : 'accept'));
    const atC = listen(c, 'consensus');
    await b.handle('status', async () => utf8('ok'));
    await meshed('consensus', b, c);
    await waitFor('B subscribed, as A sees it', () => a.subscribers('consensus').includes(b.peerId));
    const banned: string[] = [];
    b.on('peer:banned', (peerId) => banned.push(peerId));

    await a.publish('consensus', utf8('forged vote 1'));
    await a.publish('consensus', utf8('forged vote 2'));
    await waitFor('two rejections at B', () => b.counters().gossip.consensus.rejected === 2);
    expect(b.peers()).toContain(a.peerId);
    // gossipsub caches scores for a heartbeat.
    await waitFor("A's score at B below zero", () => b.gossipScore(a.peerId) < 0);
    await a.publish('consensus', utf8('forged vote 3'));
    await waitFor('A disconnected from B', () => !b.peers().includes(a.peerId) && !a.peers().includes(b.peerId));
    expect(banned).toEqual([a.peerId]);
    expect(b.isBanned(a.peerId)).toBe(true);
    expect(atB.delivered).toEqual([]);

    // B's own message reaches C after anything B relayed before it: C saw none of the forged ones.
    await b.publish('consensus', utf8('honest vote'));
    await waitFor('the honest vote at C', () => atC.delivered.length === 1);
    expect(atC.validated).toEqual(['honest vote']);

    // During the ban A cannot connect (B's gater refuses it after the handshake), nor ask anything.
    const refusedBefore = b.counters().refusedConnections;
    await a.connect(b.multiaddrs()[0] ?? '').catch(() => undefined);
    await waitFor('B refusing A', () => b.counters().refusedConnections > refusedBefore);
    const refusedRequest = await requestError(a.request(b.peerId, 'status', utf8('?')));
    expect(refusedRequest.remote).toBe(false);
    expect(['DIAL_FAILED', 'STREAM_FAILED']).toContain(refusedRequest.code);
    expect(b.peers()).not.toContain(a.peerId);

    // After it, A's redialer (B is its bootstrap peer) brings it back without being told.
    await waitFor('A back after the ban', () => b.peers().includes(a.peerId), 9_000);
    expect(fromUtf8(await a.request(b.peerId, 'status', utf8('?')))).toBe('ok');
    expect(b.counters().bans).toBe(1);
  });

  it('oversized gossip and requests are refused with a clear error and the host keeps working', async () => {
    const small = { maxMessageBytes: { txs: 1024 }, maxRequestBytes: 1024, maxResponseBytes: 1024 };
    const large = { maxMessageBytes: { txs: 64 << 10 }, maxRequestBytes: 64 << 10, maxResponseBytes: 64 << 10 };
    const b = await pool.started('size/b', { limits: small });
    const a = await pool.started('size/a', { limits: large, bootstrap: b.multiaddrs() });
    const atB = listen(b, 'txs');
    await waitFor('B subscribed, as A sees it', () => a.subscribers('txs').includes(b.peerId));
    const kilobytes = (count: number): Uint8Array => new Uint8Array(count * 1024).fill(0x61);
    for (const host of [a, b]) {
      await host.handle('echo', async (request) => request);
      await host.handle('blob', async () => kilobytes(4));
    }

    const refused = await rejection(b.publish('txs', kilobytes(2)));
    expect(refused).toBeInstanceOf(GossipPublishError);
    expect(refused).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    await a.publish('txs', kilobytes(2));
    await waitFor('the oversized message rejected at B', () => b.counters().gossip.txs.rejected === 1);
    expect(atB.validated).toEqual([]);

    const tooLarge = await requestError(a.request(b.peerId, 'echo', kilobytes(2)));
    expect(tooLarge).toMatchObject({ code: 'REQUEST_TOO_LARGE', remote: true });
    expect(await requestError(b.request(a.peerId, 'echo', kilobytes(2)))).toMatchObject({
      code: 'REQUEST_TOO_LARGE',
      remote: false,
    });
    expect(await requestError(a.request(b.peerId, 'blob', utf8('x')))).toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
      remote: true,
    });
    expect(await requestError(b.request(a.peerId, 'blob', utf8('x')))).toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
      remote: false,
    });

    await a.publish('txs', utf8('a normal batch'));
    await waitFor('the normal batch at B', () => atB.delivered.length === 1);
    expect(atB.deliveredText()).toEqual(['a normal batch']);
    expect(fromUtf8(await a.request(b.peerId, 'echo', utf8('still there?')))).toBe('still there?');
    expect(b.peers()).toContain(a.peerId);
  });

  it('request/response: a round trip, a failing handler, a busy protocol and a timeout', async () => {
    const b = await pool.started('rr/b', { limits: { maxConcurrentRequests: 1 } });
    const a = await pool.started('rr/a', { bootstrap: b.multiaddrs() });
    await waitFor('A connected to B', () => a.peers().includes(b.peerId));
    await b.handle('echo', async (request, from) => utf8(`${fromUtf8(request)} from ${from}`));
    await b.handle('fail', async () => {
      throw new Error('secret: /var/lib/lendnet/db is corrupt');
    });
    let slowStarted = 0;
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    await b.handle('slow', async (request) => {
      slowStarted += 1;
      await released;
      return request;
    });

    expect(fromUtf8(await a.request(b.peerId, 'echo', utf8('hello')))).toBe(`hello from ${a.peerId}`);

    const failed = await requestError(a.request(b.peerId, 'fail', utf8('x')));
    expect(failed).toMatchObject({ code: 'HANDLER_FAILED', remote: true, retryable: false });
    expect(failed.message).not.toContain('secret');

    expect(await requestError(a.request(b.peerId, 'missing', utf8('x')))).toMatchObject({
      code: 'UNSUPPORTED_PROTOCOL',
    });

    const started = Date.now();
    const timedOut = await requestError(a.request(b.peerId, 'slow', utf8('late'), { timeoutMs: 300 }));
    expect(timedOut).toMatchObject({ code: 'TIMEOUT', remote: false, retryable: true });
    expect(Date.now() - started).toBeLessThan(3_000);

    // The timed-out request's handler still runs: the protocol's one slot is taken.
    expect(slowStarted).toBe(1);
    expect(await requestError(a.request(b.peerId, 'slow', utf8('second')))).toMatchObject({
      code: 'BUSY',
      remote: true,
    });
    release();
    await waitFor('the slot freed', () => b.counters().requests.served === 3);
    expect(fromUtf8(await a.request(b.peerId, 'slow', utf8('third')))).toBe('third');
    expect(fromUtf8(await a.request(b.peerId, 'echo', utf8('after')))).toBe(`after from ${a.peerId}`);
  });

  it('redials a bootstrap peer that restarts on the same address', async () => {
    const port = await freePort();
    const b = await pool.started('redial/b', { port, redial: { maxDelayMs: 1_000 } });
    const address = b.multiaddrs()[0] ?? '';
    expect(address).toBe(`/ip4/127.0.0.1/tcp/${port}/p2p/${b.peerId}`);
    const a = await pool.started('redial/a', { bootstrap: [address], redial: { maxDelayMs: 1_000 } });
    const disconnected: string[] = [];
    a.on('peer:disconnect', (peerId) => disconnected.push(peerId));
    await waitFor('A connected to B', () => a.peers().includes(b.peerId));

    await b.stop();
    expect(b.peers()).toEqual([]);
    await waitFor('A sees B gone', () => disconnected.includes(b.peerId));

    const restarted = await pool.started('redial/b', { port });
    expect(restarted.peerId).toBe(b.peerId);
    expect(await peerIdOfSeed(seedOf('redial/b'))).toBe(b.peerId);
    const atRestarted = listen(restarted, 'txs');
    await waitFor('A reconnected to the restarted B', () => a.peers().includes(b.peerId), 9_000);
    await waitFor('the restarted B subscribed, as A sees it', () => a.subscribers('txs').includes(b.peerId));
    await a.publish('txs', utf8('after restart'));
    await waitFor('the message at the restarted B', () => atRestarted.delivered.length === 1);
    expect(a.counters().redials).toBeGreaterThan(1);
  });

  it('delivers a replayed message once', async () => {
    const b = await pool.started('replay/b');
    const [a, c] = await Promise.all([
      pool.started('replay/a', { bootstrap: b.multiaddrs() }),
      pool.started('replay/c', { bootstrap: b.multiaddrs() }),
    ]);
    const atB = listen(b, 'txs');
    await waitFor('B subscribed, as A and C see it', () =>
      [a, c].every((host) => host.subscribers('txs').includes(b.peerId)),
    );

    expect(await a.publish('txs', utf8('transfer 5'))).toEqual({ recipients: 1, duplicate: false });
    await waitFor('the first copy at B', () => atB.delivered.length === 1);
    // The same publisher again: gossipsub knows the id and sends nothing.
    expect(await a.publish('txs', utf8('transfer 5'))).toEqual({ recipients: 0, duplicate: true });
    // Another peer signs the same bytes anew: it reaches B, which drops it as seen.
    expect(await c.publish('txs', utf8('transfer 5'))).toEqual({ recipients: 1, duplicate: false });
    await c.publish('txs', utf8('transfer 6'));
    await waitFor('the next message at B', () => atB.delivered.length === 2);
    expect(atB.deliveredText()).toEqual(['transfer 5', 'transfer 6']);
    expect(atB.validated).toEqual(['transfer 5', 'transfer 6']);
  });
});
