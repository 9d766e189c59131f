import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CanonicalValue, type KeyPair } from '../../contracts/index.js';
import { CHAIN_ID, testGenesis, testKey, Wallets } from '../../contracts/test/fixtures.js';
import { DEFAULT_CONFIG } from '../../node/home/config.js';
import type { Genesis } from '../../node/home/genesis-file.js';
import { LedgerNode, verifyInThisThread } from '../../node/ledger/ledger-node.js';
import { openMemoryStore } from '../../node/store/index.js';
import type { IndexDatabase } from '../db/database.js';
import { type DatabaseKind, openTestDatabase } from '../db/test-databases.js';
import { Projector } from '../index/projector.js';
import { type ApiDeps, type ApiHandler, createApiContext, createApiHandler } from './handler.js';
import { createCaller } from './router.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A single-validator devnet node with its index, the API over HTTP on a free port, and wallets. */
export interface ApiTestbed {
  readonly node: LedgerNode;
  readonly db: IndexDatabase;
  readonly projector: Projector;
  readonly deps: ApiDeps;
  readonly handler: ApiHandler;
  readonly server: Server;
  /** http://127.0.0.1:port */
  readonly origin: string;
  readonly wallets: Wallets;
  /** Signs with the next nonce of the key. */
  sign(key: KeyPair, type: string, body: CanonicalValue): ReturnType<Wallets['sign']>;
  /** A caller in process, optionally with an authorization header. */
  caller(authorization?: string): ReturnType<typeof createCaller>;
  /** Resolves once the index holds every block the node has committed. */
  indexed(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestbed(kind: DatabaseKind): Promise<ApiTestbed> {
  const validator = testKey('validator');
  const genesis: Genesis = { genesisTime: 1_000, market: testGenesis(), validators: [{ account: validator.account, power: 1 }] };
  const store = await openMemoryStore(new Map());
  const node = await LedgerNode.open({
    genesis,
    checkSignatures: verifyInThisThread,
    config: { ...DEFAULT_CONFIG, blockIntervalMs: 20 },
    store,
    validatorKey: validator,
    onFatal: (error) => console.error('the test node stopped', error),
  });
  await node.start();
  const db = await openTestDatabase(kind);
  const projector = await Projector.start({ db, node });
  const deps: ApiDeps = { node, db, projector, adminToken: ADMIN_TOKEN };
  const handler = createApiHandler(deps);
  const server = createServer((req, res) => void handler.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const wallets = new Wallets();
  return {
    node,
    db,
    projector,
    deps,
    handler,
    server,
    origin,
    wallets,
    sign: (key, type, body) => wallets.sign(key, type, body),
    caller: (authorization) => createCaller(createApiContext(deps, { authorization })),
    async indexed() {
      const deadline = Date.now() + 10_000;
      while (projector.indexedHeight() < node.status().height) {
        if (Date.now() > deadline) throw new Error(`the index is stuck at ${projector.indexedHeight()} below ${node.status().height}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await node.stop();
      await projector.stop();
      await db.close();
    },
  };
}

export { CHAIN_ID };
