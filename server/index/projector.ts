import type { Logger } from 'pino';
import {
  type AssetRecord,
  type Block,
  blockHash,
  bodyDecoder,
  type CommitCertificate,
  decodeTransaction,
  GENESIS_PREVIOUS_HASH,
  genesisState,
  type SignedTransaction,
} from '../../contracts/index.js';
import type { BlockEvents } from '../../node/ledger/block-events.js';
import type { Genesis } from '../../node/home/genesis-file.js';
import { amount, type IndexDatabase, type SqlTransaction } from '../db/database.js';
import { foldBlock, loansReferenced } from './block-delta.js';
import { writeBlock } from './write-block.js';

/** What the projector reads of a node: committed blocks, their commits and events, and news of new ones. */
export interface BlockSource {
  readonly chainId: string;
  readonly genesis: Genesis;
  status(): { readonly height: number };
  block(height: number): Promise<Block | undefined>;
  commitOf(height: number): Promise<CommitCertificate | undefined>;
  eventsOf(height: number): Promise<BlockEvents | undefined>;
  /** Calls `listener` after each block is committed, with its events if the source has them at hand. */
  subscribe(listener: (block?: { readonly height: number } & BlockEvents) => void): () => void;
}

/** Committed blocks' events kept from the node's news until indexed, so they are not read back from the store. */
const HEARD_KEPT = 64;

/** The index and the chain disagree (another chain, or a chain that was wiped): `lendnet reindex` rebuilds it. */
export class IndexMismatchError extends Error {
  override readonly name = 'IndexMismatchError';
}

export interface IndexCursor {
  readonly chainId: string;
  readonly height: number;
  readonly blockHash: string;
}

/** Retry delays after a database error (the server restarting, a dropped connection), in ms. */
const RETRY_MS = [100, 500, 1_000, 2_000, 5_000] as const;

/**
 * Projects committed blocks into the index, in order, one SQL transaction per block that
 * also advances the cursor. The cursor is checked inside that transaction, so a block is never
 * applied twice, and a crash between two blocks resumes at the next one.
 */
export class Projector {
  private indexed: number;
  private readonly listeners = new Set<(height: number) => void>();
  private wake: (() => void) | undefined;
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();
  private unsubscribe: () => void = () => {};
  private failure: unknown;

  /** Set while the index is ahead of the node: the cursor's block is checked once the node has it. */
  private ahead: IndexCursor | undefined;

  private constructor(
    private readonly db: IndexDatabase,
    private readonly source: BlockSource,
    cursor: IndexCursor,
    private readonly log: Logger | undefined,
  ) {
    this.indexed = cursor.height;
    if (cursor.height > source.status().height) this.ahead = cursor;
  }

  /** Opens the index of `source`'s chain (the genesis rows on first use) and follows the chain. */
  static async start(options: { readonly db: IndexDatabase; readonly node: BlockSource; readonly log?: Logger }): Promise<Projector> {
    const projector = await Projector.open(options);
    projector.unsubscribe = options.node.subscribe((block) => {
      if (block && block.height > projector.indexed && projector.heard.size < HEARD_KEPT) projector.heard.set(block.height, { txEvents: block.txEvents, endEvents: block.endEvents });
      projector.wake?.();
    });
    projector.loop = projector.run();
    return projector;
  }

  /** Opens without following: `catchUp()` indexes up to the source's height. */
  static async open(options: { readonly db: IndexDatabase; readonly node: BlockSource; readonly log?: Logger }): Promise<Projector> {
    const cursor = await openCursor(options.db, options.node);
    return new Projector(options.db, options.node, cursor, options.log);
  }

  indexedHeight(): number {
    return this.indexed;
  }

  /** Blocks the node has committed that the index does not hold yet. */
  lag(): number {
    return Math.max(0, this.source.status().height - this.indexed);
  }

  /** The error that stopped the projector, if one did (the index and the chain disagree). */
  failed(): unknown {
    return this.failure;
  }

  /** Calls `listener` with each height once its block is in the index; returns the unsubscribe function. */
  onIndexed(listener: (height: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Indexes every block up to the source's height now. */
  async catchUp(): Promise<void> {
    if (!(await this.checkAhead())) return;
    while (!this.stopped && this.indexed < this.source.status().height) await this.indexBlock(this.indexed + 1);
  }

  /**
   * False while the index is ahead of the node (a node whose store was wiped, syncing the
   * chain again): nothing to index until the node reaches the index's height, where the
   * block must be the one the index took.
   */
  private async checkAhead(): Promise<boolean> {
    if (!this.ahead) return true;
    if (this.source.status().height < this.ahead.height) return false;
    await checkCursorBlock(this.source, this.ahead);
    this.log?.info({ height: this.ahead.height }, 'the node reached the index again, on the same chain');
    this.ahead = undefined;
    return true;
  }

  /** Stops following; resolves once the block being indexed, if any, is committed or rolled back. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      if (this.indexed >= this.source.status().height) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          if (this.stopped || this.indexed < this.source.status().height) resolve();
        });
        this.wake = undefined;
        continue;
      }
      try {
        if (await this.checkAhead()) await this.indexBlock(this.indexed + 1);
        attempt = 0;
      } catch (error) {
        if (error instanceof IndexMismatchError) {
          this.failure = error;
          this.log?.error({ err: error }, 'the index does not match the chain; it stopped following (run lendnet reindex)');
          return;
        }
        const delay = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!;
        attempt += 1;
        this.log?.warn({ err: error, height: this.indexed + 1, retryMs: delay }, 'could not index a block; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Events of blocks committed since the projector started, until indexed. */
  private readonly heard = new Map<number, BlockEvents>();
  /** The next block, read and decoded while the current one is being written. */
  private readAhead: { readonly height: number; readonly read: Promise<BlockRead> } | undefined;

  private read(height: number): Promise<BlockRead> {
    const ahead = this.readAhead;
    this.readAhead = undefined;
    if (ahead?.height === height) return ahead.read;
    return readBlock(this.source, height, this.heard.get(height));
  }

  private readNext(height: number): void {
    if (height > this.source.status().height) return;
    const read = readBlock(this.source, height, this.heard.get(height));
    read.catch(() => undefined); // awaited, and its error thrown, when that block's turn comes
    this.readAhead = { height, read };
  }

  private async indexBlock(height: number): Promise<void> {
    const { block, commit, events, txs, hash } = await this.read(height);
    this.readNext(height + 1);
    const written = await this.db.sql.begin(async (tx) => {
      // The commit need not wait for the log to reach the disk: a crash can lose only whole
      // blocks with the cursor before them (both are in this transaction), indexed again on start.
      await tx.unsafe('SET LOCAL synchronous_commit = off');
      const [cursor] = await tx.unsafe<{ height: bigint; block_hash: string }[]>('SELECT height, block_hash FROM index_cursor WHERE id = 1 FOR UPDATE');
      if (!cursor) throw new IndexMismatchError('the index has no cursor');
      const at = Number(cursor.height);
      if (at >= height) return false; // already indexed
      if (at !== height - 1) throw new IndexMismatchError(`the index is at height ${at}, not ${height - 1}`);
      if (cursor.block_hash !== block.header.previousHash) {
        throw new IndexMismatchError(`block ${height} follows ${block.header.previousHash}, but the index holds ${cursor.block_hash} at height ${at}`);
      }
      const referenced = loansReferenced([...events.txEvents.flat(), ...events.endEvents]);
      const borrowers = new Map<number, string>();
      if (referenced.length > 0) {
        const rows = await tx.unsafe<{ id: bigint; borrower: string }[]>('SELECT id, borrower FROM loans WHERE id = ANY($1::bigint[])', [referenced]);
        for (const row of rows) borrowers.set(Number(row.id), row.borrower);
      }
      const delta = foldBlock(events.txEvents, events.endEvents, (id) => borrowers.get(id));
      await writeBlock(tx, { block, hash, commit, txs, delta });
      await tx.unsafe('UPDATE index_cursor SET height = $1, block_hash = $2, updated_at = now() WHERE id = 1', [height, hash]);
      return true;
    });
    this.indexed = height;
    for (const heard of this.heard.keys()) if (heard <= height) this.heard.delete(heard);
    if (written) for (const listener of this.listeners) listener(height);
    if (written) await this.upkeep(height);
  }

  /** Embedded PGlite's checkpoint and vacuum, when due; a failed pass is logged and tried again after the next block. */
  private async upkeep(height: number): Promise<void> {
    try {
      const pass = await this.db.upkeep?.afterWrite();
      if (pass) this.log?.info({ height, walMiB: Number(pass.walBytes / 2n ** 20n), vacuumMs: pass.vacuumMs, checkpointMs: pass.checkpointMs }, 'index upkeep: vacuumed and checkpointed');
    } catch (error) {
      this.log?.warn({ err: error, height }, 'index upkeep failed; it is tried again after the next block');
    }
  }
}

interface BlockRead {
  readonly block: Block;
  readonly hash: string;
  readonly commit: CommitCertificate;
  readonly events: BlockEvents;
  readonly txs: readonly SignedTransaction<unknown>[];
}

/** A committed block with its commit and events, its transactions decoded. */
async function readBlock(source: BlockSource, height: number, heard: BlockEvents | undefined): Promise<BlockRead> {
  const [block, commit, events] = await Promise.all([source.block(height), source.commitOf(height), heard ?? source.eventsOf(height)]);
  // Only heights up to the node's head are read, so a block missing there is one the store never
  // held: the node started from a state snapshot, and the index needs every block from 1.
  if (!block || !commit) throw new IndexMismatchError(`block ${height} is not in the node's store: a node that started from a state snapshot holds no blocks up to it, and the index is built from block 1`);
  if (!events) throw new IndexMismatchError(`block ${height} has no stored events; this node's store predates them and must be synced again`);
  const txs = block.txs.map((wire) => decodeTransaction(wire, { bodyOf: bodyDecoder, checkSignerKey: false }));
  return { block, hash: blockHash(block.header), commit, events, txs };
}

/** Reads the cursor, checking it belongs to this chain; on an empty index, writes genesis at height 0. */
async function openCursor(db: IndexDatabase, source: BlockSource): Promise<IndexCursor> {
  const [row] = await db.sql.unsafe<{ chain_id: string; height: bigint; block_hash: string }[]>('SELECT chain_id, height, block_hash FROM index_cursor WHERE id = 1');
  if (!row) {
    await db.sql.begin((tx) => writeGenesis(tx, source));
    return { chainId: source.chainId, height: 0, blockHash: GENESIS_PREVIOUS_HASH };
  }
  const cursor = { chainId: row.chain_id, height: Number(row.height), blockHash: row.block_hash };
  if (cursor.chainId !== source.chainId) throw new IndexMismatchError(`the index holds chain ${cursor.chainId}, not ${source.chainId}`);
  // An index ahead of the node (its store wiped and syncing again) is checked once the node gets there.
  if (cursor.height <= source.status().height) await checkCursorBlock(source, cursor);
  return cursor;
}

/** The block the index last took must be the node's block at that height. */
async function checkCursorBlock(source: BlockSource, cursor: IndexCursor): Promise<void> {
  if (cursor.height === 0) return;
  const block = await source.block(cursor.height);
  const hash = block && blockHash(block.header);
  if (hash !== cursor.blockHash) throw new IndexMismatchError(`the index holds block ${cursor.blockHash} at height ${cursor.height}, the node ${hash ?? 'nothing'}`);
}

/** The genesis records as rows at height 0: assets, balances and the accounts that hold them. */
async function writeGenesis(tx: SqlTransaction, source: BlockSource): Promise<void> {
  const state = genesisState(source.genesis.market);
  for (const [key, value] of state.entries()) {
    const [kind] = key.split('/');
    if (kind === 'asset') {
      const asset = value as AssetRecord;
      await tx.unsafe('INSERT INTO assets (id, name, decimals, issuer, minted, burned) VALUES ($1, $2, $3, $4, $5, $6)', [
        asset.id, asset.name, asset.decimals, asset.issuer, amount(asset.minted), amount(asset.burned),
      ]);
    }
  }
  for (const [key, value] of state.entries()) {
    const [kind, account, asset] = key.split('/');
    if (kind !== 'balance' || account === undefined || asset === undefined) continue;
    await tx.unsafe('INSERT INTO accounts (account, first_height) VALUES ($1, 0) ON CONFLICT DO NOTHING', [account]);
    await tx.unsafe('INSERT INTO balances (account, asset, amount, updated_height) VALUES ($1, $2, $3, 0)', [account, asset, amount(value as bigint)]);
  }
  await tx.unsafe('INSERT INTO index_cursor (id, chain_id, height, block_hash) VALUES (1, $1, 0, $2)', [source.chainId, GENESIS_PREVIOUS_HASH]);
}

/** Empties the index (every table but the schema's own), so that the projector rebuilds it from genesis. */
export async function resetIndex(db: IndexDatabase): Promise<void> {
  await db.sql.unsafe(`TRUNCATE index_cursor, account_events, events, payments, installments, loan_shares, loans, order_commitments, orders,
    credit_records, balances, accounts, assets, txs, blocks`);
}
