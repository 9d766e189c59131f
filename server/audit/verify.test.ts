import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Block, decodeBlock, decodeCommit, decodeTransaction, bodyDecoder, encodeBlock, encodeCommit, utf8 } from '../../contracts/index.js';
import type { Genesis } from '../../node/home/genesis-file.js';
import type { Chain } from '../../node/ledger/chain.js';
import { blockKey, commitKey, type MemoryStoreData, openMemoryStore, stateKeyBytes } from '../../node/store/index.js';
import type { IndexDatabase } from '../db/database.js';
import { openTestDatabase, testDatabaseKinds } from '../db/test-databases.js';
import { chainSource } from '../index/chain-source.js';
import { Projector } from '../index/projector.js';
import { type ChainAudit, verifyChain } from './verify-chain.js';
import { verifyIndex } from './verify-index.js';
import { type AuditChainFigures, buildAuditChain } from './verify-test-chain.js';

/**
 * `lendnet audit verify`'s core on a real chain of loans repaid and defaulted: the replay
 * passes with the right counts, and each kind of tampering, in the store or in the index, is
 * named with its place.
 */

const kinds = await testDatabaseKinds();
/** The block the tamper tests alter: the loans taken in the third round (eight take-offer transactions). */
const TAMPERED = 8;

let data: MemoryStoreData;
let genesis: Genesis;
let chain: Chain;
let figures: AuditChainFigures;

beforeAll(async () => {
  data = new Map();
  ({ chain, genesis, figures } = await buildAuditChain(await openMemoryStore(data), { actors: 8, rounds: 8 }));
}, 60_000);

const latin1 = (key: Uint8Array) => Buffer.from(key).toString('latin1');
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** Audits a copy of the chain's store in which `tamper` changed stored bytes (values are replaced, never mutated). */
async function auditTampered(tamper: (copy: MemoryStoreData) => void): Promise<ChainAudit> {
  const copy = new Map(data);
  tamper(copy);
  return verifyChain(await openMemoryStore(copy), genesis);
}

function storedBlock(copy: MemoryStoreData, height: number): Block {
  return decodeBlock(copy.get(latin1(blockKey(height)))!);
}

const storeBlock = (copy: MemoryStoreData, block: Block) => copy.set(latin1(blockKey(block.header.height)), utf8(encodeBlock(block)));

/** Another lowercase hex digit in place of the one at `at`. */
function flipHexAt(value: string, at: number): string {
  return `${value.slice(0, at)}${value[at] === '0' ? '1' : '0'}${value.slice(at + 1)}`;
}

describe('the chain replay', () => {
  test('a chain of loans repaid and defaulted verifies, with the right counts', async () => {
    expect(figures.repaid).toBeGreaterThan(10);
    expect(figures.defaulted).toBeGreaterThan(10);
    const audit = await verifyChain(await openMemoryStore(data), genesis);
    expect(audit.fault).toBeUndefined();
    expect(audit.blocks).toBe(chain.head().height);
    expect(audit.txs).toBe(figures.txs);
    expect(audit.loans).toEqual({ total: figures.loans, active: 0, repaid: figures.repaid, defaulted: figures.defaulted });
    expect(audit.payments.length).toBe(figures.payments);
    expect(audit.events).toBeGreaterThan(audit.txs);
    // Three of four validators sign each commit.
    expect(audit.precommits).toBe(3 * audit.blocks);
    expect(audit.replayed.at(-1)?.hash).toBe(chain.head().hash);
    expect(audit.replayed.at(-1)?.header.stateRoot).toBe(chain.head().stateRoot);
    console.log(`replayed ${audit.blocks} blocks, ${audit.txs} txs in ${audit.seconds.toFixed(3)} s: ${Math.round(audit.txs / audit.seconds)} txs/s`);
  });

  test('one altered byte of a header in the store: the block whose state root does not match', async () => {
    const audit = await auditTampered((copy) => {
      const stored = text(copy.get(latin1(blockKey(TAMPERED)))!);
      const at = stored.indexOf('"stateRoot":"') + '"stateRoot":"'.length;
      copy.set(latin1(blockKey(TAMPERED)), utf8(flipHexAt(stored, at + 10)));
    });
    expect(audit.fault).toEqual({ height: TAMPERED, what: `block ${TAMPERED}: its state root does not match the state it leads to` });
    expect(audit.blocks).toBe(TAMPERED - 1);
  });

  test('one altered byte of a transaction in the store: the transaction whose signature does not verify', async () => {
    let id = '';
    const audit = await auditTampered((copy) => {
      const stored = text(copy.get(latin1(blockKey(TAMPERED)))!);
      // The first take-offer's amount, 1002000, becomes 1002001: still a well-formed transaction.
      const at = stored.indexOf('1002000') + 6;
      const altered = `${stored.slice(0, at)}1${stored.slice(at + 1)}`;
      copy.set(latin1(blockKey(TAMPERED)), utf8(altered));
      id = decodeTransaction(decodeBlock(altered).txs[0]!, { bodyOf: bodyDecoder }).id;
    });
    expect(audit.fault).toEqual({ height: TAMPERED, txId: id, what: `block ${TAMPERED}: the signature of tx ${id.slice(0, 12)}… does not verify` });
  });

  test("a transaction's signature altered: that transaction is named", async () => {
    let id = '';
    const audit = await auditTampered((copy) => {
      const block = storedBlock(copy, TAMPERED);
      const wire = block.txs[3]!;
      const signature = decodeTransaction(wire, { bodyOf: bodyDecoder }).signature;
      const altered = wire.replace(signature, flipHexAt(signature, 40));
      id = decodeTransaction(altered, { bodyOf: bodyDecoder }).id;
      storeBlock(copy, { ...block, txs: block.txs.map((tx, i) => (i === 3 ? altered : tx)) });
    });
    expect(audit.fault).toEqual({ height: TAMPERED, txId: id, what: `block ${TAMPERED}: the signature of tx ${id.slice(0, 12)}… does not verify` });
  });

  test('a dropped transaction: the block whose tx root does not match', async () => {
    const audit = await auditTampered((copy) => {
      const block = storedBlock(copy, TAMPERED);
      storeBlock(copy, { ...block, txs: block.txs.filter((_, i) => i !== 5) });
    });
    expect(audit.fault).toEqual({ height: TAMPERED, what: `block ${TAMPERED}: its tx root does not match its transactions` });
  });

  test('a commit certificate with a precommit signature altered, or precommits removed', async () => {
    const altered = await auditTampered((copy) => {
      const commit = decodeCommit(copy.get(latin1(commitKey(TAMPERED)))!);
      const precommits = commit.precommits.map((p, i) => (i === 1 ? { ...p, signature: flipHexAt(p.signature, 7) } : p));
      copy.set(latin1(commitKey(TAMPERED)), utf8(encodeCommit({ ...commit, precommits })));
    });
    expect(altered.fault).toEqual({ height: TAMPERED, what: `block ${TAMPERED}: the commit certificate does not verify (BAD_PRECOMMIT_SIGNATURE)` });
    // The head's certificate is carried by no later block: the stored one is all there is.
    const head = chain.head().height;
    const removed = await auditTampered((copy) => {
      const commit = decodeCommit(copy.get(latin1(commitKey(head)))!);
      copy.set(latin1(commitKey(head)), utf8(encodeCommit({ ...commit, precommits: commit.precommits.slice(0, 2) })));
    });
    expect(removed.fault).toEqual({ height: head, what: `block ${head}: the commit certificate does not verify (NO_QUORUM)` });
    expect(removed.blocks).toBe(head - 1);
  });

  test("the previous block's commit carried in a block, altered: that block is named", async () => {
    const audit = await auditTampered((copy) => {
      const block = storedBlock(copy, TAMPERED);
      const lastCommit = { ...block.lastCommit!, precommits: block.lastCommit!.precommits.slice(1) };
      storeBlock(copy, { ...block, lastCommit });
    });
    expect(audit.fault).toEqual({ height: TAMPERED, what: `block ${TAMPERED}: its commit of the previous block is invalid (NO_QUORUM)` });
  });

  test("a balance altered in the store's state: the record is named at the head", async () => {
    const head = chain.head().height;
    const account = [...chain.state.entries()].find(([key]) => key.startsWith('balance/'))![0];
    const audit = await auditTampered((copy) => {
      const stored = text(copy.get(latin1(stateKeyBytes(account)))!);
      copy.set(latin1(stateKeyBytes(account)), utf8(stored.replace(/"(\d+)"/, (_, digits: string) => `"${BigInt(digits) + 1n}"`)));
    });
    expect(audit.fault).toEqual({ height: head, what: `block ${head}: the store's state record ${account} differs from the replayed state's` });
    expect(audit.blocks).toBe(head);
  });

  test('a block missing from the store, and a commit certificate missing', async () => {
    const block = await auditTampered((copy) => copy.delete(latin1(blockKey(TAMPERED))));
    expect(block.fault).toEqual({ height: TAMPERED, what: `block ${TAMPERED} is missing from the store` });
    expect(block.blocks).toBe(TAMPERED - 1);
    const commit = await auditTampered((copy) => copy.delete(latin1(commitKey(TAMPERED))));
    expect(commit.fault).toEqual({ height: TAMPERED, what: `block ${TAMPERED}: its commit certificate is missing from the store` });
  });
});

describe.each(kinds)('the index on %s against the replay', (kind) => {
  let db: IndexDatabase;
  let audit: ChainAudit;
  const chainId = () => genesis.market.params.chainId;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await (await Projector.open({ db, node: chainSource(chain, genesis) })).catchUp();
    audit = await verifyChain(await openMemoryStore(data), genesis);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  /** The differences the audit finds while `change` is applied to the index; `undo` puts it back. */
  async function differencesWith(change: () => Promise<unknown>, undo: () => Promise<unknown>) {
    await change();
    try {
      return await verifyIndex(db.sql, audit, chainId());
    } finally {
      await undo();
    }
  }

  test('the index equals the replayed chain, payments included', async () => {
    expect(await verifyIndex(db.sql, audit, chainId())).toEqual([]);
    const [{ n }] = (await db.sql`SELECT count(*)::int AS n FROM payments`) as unknown as [{ n: number }];
    expect(n).toBe(figures.payments);
  });

  test('a balance altered by an UPDATE is named: table, key, field, both values', async () => {
    const [row] = await db.sql<{ account: string; amount: bigint }[]>`SELECT account, amount FROM balances WHERE asset = 'USD' ORDER BY account LIMIT 1`;
    const { account, amount } = row!;
    const found = await differencesWith(
      () => db.sql`UPDATE balances SET amount = amount + 1 WHERE account = ${account} AND asset = 'USD'`,
      () => db.sql`UPDATE balances SET amount = amount - 1 WHERE account = ${account} AND asset = 'USD'`,
    );
    expect(found).toEqual([{ table: 'balances', key: `${account}/USD`, field: 'amount', index: String(amount + 1n), ledger: String(amount) }]);
  });

  test("a loan's total interest paid, altered", async () => {
    const [row] = await db.sql<{ id: bigint; paid: bigint }[]>`SELECT id, total_paid_interest AS paid FROM loans WHERE status = 'defaulted' ORDER BY id LIMIT 1`;
    const { id, paid } = row!;
    const found = await differencesWith(
      () => db.sql`UPDATE loans SET total_paid_interest = total_paid_interest + 5 WHERE id = ${String(id)}`,
      () => db.sql`UPDATE loans SET total_paid_interest = total_paid_interest - 5 WHERE id = ${String(id)}`,
    );
    expect(found).toEqual([{ table: 'loans', key: String(id), field: 'total_paid_interest', index: String(paid + 5n), ledger: String(paid) }]);
  });

  test('a payment altered, and a payment deleted', async () => {
    const [row] = await db.sql`SELECT * FROM payments ORDER BY height DESC, seq LIMIT 1`;
    const { height, seq, principal } = row as { height: bigint; seq: number; principal: bigint };
    const key = `${height}/${seq}`;
    const altered = await differencesWith(
      () => db.sql`UPDATE payments SET principal = principal + 1 WHERE height = ${String(height)} AND seq = ${seq}`,
      () => db.sql`UPDATE payments SET principal = principal - 1 WHERE height = ${String(height)} AND seq = ${seq}`,
    );
    expect(altered).toEqual([{ table: 'payments', key, field: 'principal', index: String(principal + 1n), ledger: String(principal) }]);
    const columns = Object.keys(row!);
    const deleted = await differencesWith(
      () => db.sql`DELETE FROM payments WHERE height = ${String(height)} AND seq = ${seq}`,
      () => db.sql`INSERT INTO payments ${db.sql(row!, columns)}`,
    );
    expect(deleted).toEqual([
      { table: 'payments', key: '(all)', field: 'count', index: String(figures.payments - 1), ledger: String(figures.payments) },
      { table: 'payments', key, field: '(row)', index: 'absent', ledger: 'present' },
    ]);
    expect(await verifyIndex(db.sql, audit, chainId())).toEqual([]);
  });

  test("an indexed block's state root altered, and the cursor moved back", async () => {
    const stateRoot = audit.replayed[TAMPERED - 1]!.header.stateRoot;
    const root = await differencesWith(
      () => db.sql`UPDATE blocks SET state_root = ${'f'.repeat(64)} WHERE height = ${TAMPERED}`,
      () => db.sql`UPDATE blocks SET state_root = ${stateRoot} WHERE height = ${TAMPERED}`,
    );
    expect(root).toEqual([{ table: 'blocks', key: String(TAMPERED), field: 'state_root', index: 'f'.repeat(64), ledger: stateRoot }]);
    const behind = await differencesWith(
      () => db.sql`UPDATE index_cursor SET height = height - 1`,
      () => db.sql`UPDATE index_cursor SET height = height + 1`,
    );
    expect(behind).toEqual([{ table: 'index_cursor', key: '1', field: 'height', index: String(audit.blocks - 1), ledger: String(audit.blocks) }]);
  });
});
