import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { pino } from 'pino';
import { createP2pHost, type GossipKind, type GossipMessage, type GossipVerdict, type P2pHost, type P2pHostOptions } from './host.js';

/** Helpers for tests that run real hosts on 127.0.0.1 in one process. */

const text = new TextEncoder();
const words = new TextDecoder();

export const utf8 = (value: string): Uint8Array => text.encode(value);
export const fromUtf8 = (bytes: Uint8Array): string => words.decode(bytes);

/** A deterministic 32-byte seed per name. */
export function seedOf(name: string): Uint8Array {
  return createHash('sha256').update(`p2p-test/${name}`).digest();
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('No TCP port');
  return address.port;
}

/** What a host's validator saw and what was delivered to it, per kind. */
export interface Inbox {
  readonly validated: string[];
  readonly delivered: GossipMessage[];
  readonly deliveredText: () => string[];
}

/** Registers a validator that records each message and answers `verdict(text)`. */
export function listen(
  host: P2pHost,
  kind: GossipKind,
  verdict: (message: string) => GossipVerdict = () => 'accept',
): Inbox {
  const validated: string[] = [];
  const delivered: GossipMessage[] = [];
  host.onMessage(
    kind,
    (data) => {
      const message = fromUtf8(data);
      validated.push(message);
      return verdict(message);
    },
    (message) => delivered.push(message),
  );
  return { validated, delivered, deliveredText: () => delivered.map((message) => fromUtf8(message.data)) };
}

/** Creates hosts on 127.0.0.1 and stops them all at the end of a test. */
export class HostPool {
  private readonly hosts: P2pHost[] = [];

  async create(
    name: string,
    options: Partial<P2pHostOptions> & { readonly port?: number } = {},
  ): Promise<P2pHost> {
    const { port = 0, ...rest } = options;
    const host = await createP2pHost({
      chainId: 'test',
      privateKeySeed: seedOf(name),
      listen: [`/ip4/127.0.0.1/tcp/${port}`],
      logger: pino({ level: 'silent' }),
      ...rest,
    });
    this.hosts.push(host);
    return host;
  }

  async started(name: string, options: Partial<P2pHostOptions> & { readonly port?: number } = {}): Promise<P2pHost> {
    const host = await this.create(name, options);
    await host.start();
    return host;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.hosts.splice(0).map(async (host) => host.stop()));
  }
}
