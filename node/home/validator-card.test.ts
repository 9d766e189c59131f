import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keyPairFromSecret } from '../../contracts/index.js';
import { peerIdOfSeed } from '../p2p/host.js';
import { decodeGenesis, encodeGenesis } from './genesis-file.js';
import { assembleGenesis, CardError, decodeCard, encodeCard, peerAddress, peerIdOfAddress, readCards, type ValidatorCard } from './validator-card.js';

/** The card of operator `n`, from fixed secrets. */
async function card(n: number, port = 26_656 + n): Promise<ValidatorCard> {
  return {
    account: keyPairFromSecret(new Uint8Array(32).fill(n)).account,
    peerId: await peerIdOfSeed(new Uint8Array(32).fill(100 + n)),
    address: `/ip4/127.0.0.1/tcp/${port}`,
    power: '1',
  };
}

/** The CardError `decode` throws: its file and field. */
function refusal(decode: () => unknown): { file: string; field: string } {
  try {
    decode();
  } catch (error) {
    if (error instanceof CardError) return { file: error.file, field: error.field };
    throw error;
  }
  throw new Error('the card was accepted');
}

const folders: string[] = [];
afterEach(async () => {
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('validator cards', () => {
  it('a card round-trips through its file text', async () => {
    const original = await card(1);
    expect(decodeCard(encodeCard(original), 'a.json')).toEqual(original);
  });

  it('refuses a bad account: not hex, or not an acceptable ed25519 key', async () => {
    const good = await card(1);
    const text = (account: string) => JSON.stringify({ ...good, account });
    expect(refusal(() => decodeCard(text('ab'), 'a.json'))).toEqual({ file: 'a.json', field: 'account' });
    expect(refusal(() => decodeCard(text(good.account.toUpperCase()), 'a.json')).field).toBe('account');
    // The identity point: a small-order key no signature can be checked under.
    expect(refusal(() => decodeCard(text(`01${'00'.repeat(31)}`), 'a.json')).field).toBe('account');
  });

  it('refuses a bad peer id', async () => {
    const good = await card(1);
    for (const peerId of ['', 'not-a-peer-id', `${good.peerId.slice(0, -1)}0`, 'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N']) {
      expect(refusal(() => decodeCard(JSON.stringify({ ...good, peerId }), 'a.json')).field).toBe('peerId');
    }
  });

  it('refuses a bad multiaddr', async () => {
    const good = await card(1);
    for (const address of ['127.0.0.1:26656', '/ip4/127.0.0.1/udp/26656', '/ip4/300.1.1.1/tcp/26656', '/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/70000', `/ip4/127.0.0.1/tcp/1/p2p/${good.peerId}`]) {
      expect(refusal(() => decodeCard(JSON.stringify({ ...good, address }), 'a.json')).field).toBe('address');
    }
  });

  it('refuses a bad power', async () => {
    const good = await card(1);
    for (const power of ['0', '-1', '1.5', '01', '1000001', 1, '']) {
      expect(refusal(() => decodeCard(JSON.stringify({ ...good, power }), 'a.json')).field).toBe('power');
    }
  });

  it('refuses garbage, a non-object, a missing field and an unknown field', async () => {
    const good = await card(1);
    expect(refusal(() => decodeCard('{"account": ', 'a.json'))).toEqual({ file: 'a.json', field: 'card' });
    expect(refusal(() => decodeCard('\u0000\u00ff garbage', 'a.json')).field).toBe('card');
    expect(refusal(() => decodeCard('[1,2]', 'a.json')).field).toBe('card');
    const { power: _power, ...withoutPower } = good;
    expect(refusal(() => decodeCard(JSON.stringify(withoutPower), 'a.json')).field).toBe('power');
    expect(refusal(() => decodeCard(JSON.stringify({ ...good, secretKey: '00' }), 'a.json')).field).toBe('secretKey');
  });

  it('readCards names the file of a duplicate account, peer id or address', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lendnet-cards-'));
    folders.push(dir);
    const [a, b] = [await card(1), await card(2)];
    const files = async (...cards: ValidatorCard[]) =>
      Promise.all(
        cards.map(async (c, i) => {
          const file = join(dir, `card-${i}.json`);
          await writeFile(file, encodeCard(c));
          return file;
        }),
      );
    expect((await readCards(await files(a, b))).map((c) => c.card)).toEqual([a, b]);
    const twice = async (other: ValidatorCard) => {
      const paths = await files(a, other);
      const error = await readCards(paths).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CardError);
      return { file: (error as CardError).file, field: (error as CardError).field, second: paths[1] };
    };
    const sameAccount = await twice({ ...b, account: a.account });
    expect(sameAccount).toEqual({ file: sameAccount.second, field: 'account', second: sameAccount.second });
    expect((await twice({ ...b, peerId: a.peerId })).field).toBe('peerId');
    expect((await twice({ ...b, address: a.address })).field).toBe('address');
    const missing = await readCards([join(dir, 'nowhere.json')]).catch((e: unknown) => e);
    expect(missing).toMatchObject({ field: 'card', file: join(dir, 'nowhere.json') });
  });
});

describe('a genesis assembled from cards', () => {
  it('lists every card as a validator with its power, in account order, whatever order the cards came in', async () => {
    const cards = [await card(1), { ...(await card(2)), power: '3' }, await card(3)];
    const genesis = assembleGenesis(cards, { chainId: 'lendnet-test', genesisTime: 1_800_000_000 });
    const byAccount = [...cards].sort((x, y) => x.account.localeCompare(y.account));
    expect(genesis.validators).toEqual(byAccount.map((c) => ({ account: c.account, power: Number(c.power) })));
    expect(encodeGenesis(assembleGenesis([...cards].reverse(), { chainId: 'lendnet-test', genesisTime: 1_800_000_000 }))).toBe(encodeGenesis(genesis));
    // As a node reads it: a devnet-style market whose assets the first validator issues.
    expect(decodeGenesis(encodeGenesis(genesis))).toEqual(genesis);
    expect(genesis.market.params.chainId).toBe('lendnet-test');
    expect(new Set(genesis.market.assets.map((asset) => asset.issuer))).toEqual(new Set([genesis.validators[0]!.account]));
  });

  it('gives the assets to the faucet account when one is named', async () => {
    const faucet = keyPairFromSecret(new Uint8Array(32).fill(9)).account;
    const genesis = assembleGenesis([await card(1)], { chainId: 'lendnet-test', genesisTime: 1, faucet });
    expect(genesis.market.assets.every((asset) => asset.issuer === faucet)).toBe(true);
  });

  it('peer addresses end in the peer id, and a peer address yields it back', async () => {
    const c = await card(1);
    expect(peerAddress(c)).toBe(`/ip4/127.0.0.1/tcp/26657/p2p/${c.peerId}`);
    expect(peerIdOfAddress(peerAddress(c))).toBe(c.peerId);
    expect(() => peerIdOfAddress(c.address)).toThrow();
    expect(() => peerIdOfAddress(`/ip4/127.0.0.1/udp/1/p2p/${c.peerId}`)).toThrow();
  });
});
