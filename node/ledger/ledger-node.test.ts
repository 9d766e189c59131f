import { afterEach, describe, expect, it } from 'vitest';
import { type CanonicalValue, devnetParams, encodeRecord, type KeyPair, signTransaction, utf8, verifyStateProof, verifyTxInclusion } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { DEFAULT_CONFIG } from '../home/config.js';
import type { Genesis } from '../home/genesis-file.js';
import { type BlockWrite, openMemoryStore, type MemoryStoreData } from '../store/index.js';
import { LedgerNode, verifyInThisThread } from './ledger-node.js';

const validator = testKey('validator');
const issuer = testKey('issuer');
const alice = testKey('alice');
const bob = testKey('bob');
const CHAIN = 'lendnet-node-test';

const genesis: Genesis = {
  genesisTime: 1_000,
  market: {
    params: devnetParams(CHAIN),
    assets: [
      { id: 'USD', name: 'Lendnet dollar', decimals: 6, issuer: issuer.account },
      { id: 'COL', name: 'Collateral', decimals: 8, issuer: issuer.account },
    ],
    allocations: [],
  },
  validators: [{ account: validator.account, power: 1 }],
};

const open: LedgerNode[] = [];
afterEach(async () => {
  for (const node of open.splice(0)) await node.stop();
});

async function startNode(data: MemoryStoreData = new Map(), commitDelayMs = 0, blockIntervalMs = 20) {
  const fatal: unknown[] = [];
  const store = await openMemoryStore(data);
  // A store whose writes take `commitDelayMs`, like a slow disk.
  const slowStore = new Proxy(store, {
    get(target, property) {
      if (property === 'commitBlock') {
        return async (write: BlockWrite) => {
          await new Promise((resolve) => setTimeout(resolve, commitDelayMs));
          return target.commitBlock(write);
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const node = await LedgerNode.open({
    genesis,
    checkSignatures: verifyInThisThread,
    config: { ...DEFAULT_CONFIG, blockIntervalMs },
    store: slowStore,
    validatorKey: validator,
    onFatal: (error) => fatal.push(error),
  });
  await node.start();
  open.push(node);
  return { node, fatal };
}

function tx(key: KeyPair, nonce: bigint, type: string, body: CanonicalValue, chainId = CHAIN) {
  return signTransaction({ chainId, type, signer: key.account, nonce, body }, key.secretKey);
}

describe('a single-validator ledger node', () => {
  it('commits submitted transactions and serves them with proofs that verify', async () => {
    const { node } = await startNode();
    const faucet = tx(alice, 0n, 'faucet', { asset: 'USD', amount: 1_000_000n });
    const send = tx(alice, 1n, 'transfer', { asset: 'USD', to: bob.account, amount: 250_000n });
    const [first, second] = await Promise.all([node.submit(faucet.encoded), node.submit(send.encoded)]);
    expect(first).toMatchObject({ status: 'committed', id: faucet.id });
    expect(second).toMatchObject({ status: 'committed', id: send.id });
    expect(node.account(bob.account).balances.USD).toBe(250_000n);

    const found = await node.transaction(send.id);
    expect(found).toBeDefined();
    expect(verifyTxInclusion(found!.header.txRoot, send.id, found!.index, found!.count, found!.proof)).toBe(true);
    expect(verifyTxInclusion(found!.header.txRoot, faucet.id, found!.index, found!.count, found!.proof)).toBe(false);

    const key = `balance/${bob.account}/USD`;
    const proof = node.stateProof(key);
    const value = utf8(encodeRecord(proof.record!));
    expect(verifyStateProof(proof.head.stateRoot, key, value, proof.proof)).toBe(true);
    expect(verifyStateProof(proof.head.stateRoot, key, utf8(encodeRecord(249_999n)), proof.proof)).toBe(false);
    const absent = node.stateProof(`balance/${bob.account}/COL`);
    expect(absent.record).toBeUndefined();
    expect(verifyStateProof(absent.head.stateRoot, absent.key, undefined, absent.proof)).toBe(true);
  });

  it('refuses bad transactions with codes and stores nothing of them', async () => {
    const { node } = await startNode();
    const ok = tx(alice, 0n, 'faucet', { asset: 'USD', amount: 5n });
    expect(await node.submit(ok.encoded)).toMatchObject({ status: 'committed' });
    const before = node.status();
    const flipped = ok.encoded.replace(/"signature":"(.)/, (_m, c: string) => `"signature":"${c === '0' ? '1' : '0'}`);
    const cases: [string, string | Uint8Array][] = [
      ['MALFORMED', '{"body":'],
      ['BAD_SIGNATURE', flipped],
      ['BAD_SIGNATURE', tx(alice, 1n, 'faucet', { asset: 'USD', amount: 6n }).encoded.replace('"amount":"6"', '"amount":"7"')],
      ['BAD_NONCE', ok.encoded],
      ['WRONG_CHAIN', tx(alice, 1n, 'faucet', { asset: 'USD', amount: 5n }, 'lendnet-elsewhere').encoded],
      ['BAD_NONCE', tx(alice, 7n, 'faucet', { asset: 'USD', amount: 5n }).encoded],
      ['TX_TOO_LARGE', `{"pad":"${'x'.repeat(5_000)}"}`],
      // The identity point as the signer (small order: any signature "verifies" under it with OpenSSL).
      ['BAD_PUBLIC_KEY', ok.encoded.replace(`"signer":"${alice.account}"`, `"signer":"01${'0'.repeat(62)}"`)],
    ];
    for (const [code, wire] of cases) expect(await node.submit(wire)).toMatchObject({ status: 'refused', code });
    expect(node.status()).toMatchObject({ height: before.height, stateRoot: before.stateRoot, mempoolSize: 0 });
  });

  it('refuses at once, with its code, a transaction the rules refuse on top of those already waiting', async () => {
    const { node } = await startNode(new Map(), 0, 1_000);
    const faucet = tx(alice, 0n, 'faucet', { asset: 'USD', amount: 5n });
    const overdraw = tx(alice, 1n, 'transfer', { asset: 'USD', to: bob.account, amount: 6n });
    const [first, second] = [node.submit(faucet.encoded), node.submit(overdraw.encoded)];
    // Alice will have 5 once the faucet payout is in; 6 overdraws. No block has been made yet.
    expect(await second).toMatchObject({ status: 'refused', code: 'INSUFFICIENT_FUNDS', id: overdraw.id });
    expect(node.status()).toMatchObject({ height: 0, mempoolSize: 1 });
    expect(await first).toMatchObject({ status: 'committed', height: 1 });
    expect(await node.transaction(overdraw.id)).toBeUndefined();
  });

  it('takes an account’s next nonces while the block holding its earlier ones is being written', async () => {
    const { node } = await startNode(new Map(), 150);
    const first = [0n, 1n, 2n].map((nonce) => node.submit(tx(alice, nonce, 'faucet', { asset: 'USD', amount: 1n }).encoded));
    await new Promise((resolve) => setTimeout(resolve, 60)); // the block is proposed and being written
    const next = [3n, 4n, 5n].map((nonce) => node.submit(tx(alice, nonce, 'faucet', { asset: 'USD', amount: 1n }).encoded));
    for (const result of await Promise.all([...first, ...next])) expect(result).toMatchObject({ status: 'committed' });
    expect(node.account(alice.account).nonce).toBe(6n);
  });

  it('restarts from its store at the same height and state root', async () => {
    const data: MemoryStoreData = new Map();
    const first = await startNode(data);
    for (let nonce = 0n; nonce < 3n; nonce++) {
      expect(await first.node.submit(tx(alice, nonce, 'faucet', { asset: 'USD', amount: 10n }).encoded)).toMatchObject({ status: 'committed' });
    }
    await first.node.stop();
    const head = first.node.status();
    const again = await startNode(data);
    expect(again.node.status()).toMatchObject({ height: head.height, hash: head.hash, stateRoot: head.stateRoot });
    expect(again.node.account(alice.account)).toMatchObject({ nonce: 3n, balances: { USD: 30n } });
    expect(await again.node.submit(tx(alice, 3n, 'faucet', { asset: 'USD', amount: 1n }).encoded)).toMatchObject({ status: 'committed', height: head.height + 1 });
    expect(await first.node.submit(tx(alice, 4n, 'faucet', { asset: 'USD', amount: 1n }).encoded)).toMatchObject({ status: 'refused', code: 'NODE_STOPPING' });
  });
});
