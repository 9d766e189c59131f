import { tracked } from '@trpc/server';
import { z } from 'zod';
import { blockHash, validatorsHash } from '../../../contracts/index.js';
import { notFound } from '../errors.js';
import { indexTicks } from '../live.js';
import { blockAt, blockPage, blocksAfter, search, txEvents } from '../queries/chain.js';
import { run } from '../queries/sql.js';
import { hashInput, heightInput, pageInput, toWire } from '../wire.js';
import { publicProcedure, router } from '../trpc.js';
import type { ApiContext } from '../trpc.js';

/** Blocks a subscriber that reconnects is sent at most; further back it should page `chain.blocks`. */
const MAX_REPLAY = 1_000;
const CATCH_UP = 100;

/** A committed transaction from the node's store, with its header and Merkle inclusion proof. */
export async function committedTx(ctx: ApiContext, id: string) {
  const found = await ctx.node.transaction(id);
  if (!found) throw notFound(`transaction ${id}`);
  const { tx, header, index, count, proof } = found;
  return {
    id: tx.id,
    height: header.height,
    index,
    count,
    /** The signed envelope exactly as committed; SHA-256 of it is the id. */
    encoded: tx.encoded,
    tx: toWire(tx.tx),
    signature: tx.signature,
    header,
    blockHash: blockHash(header),
    /** Sibling hashes from the tx up to the header's tx root (verifyTxInclusion). */
    proof: [...proof],
  };
}

/** The chain: head, blocks, transactions with proofs, validators, search, and new blocks live. */
export const chainRouter = router({
  head: publicProcedure.query(({ ctx }) => {
    const { height, hash, time, stateRoot, mempoolSize } = ctx.node.status();
    return { chainId: ctx.node.chainId, height, hash, time, stateRoot, mempoolSize, indexedHeight: ctx.projector.indexedHeight() };
  }),

  /** Blocks, newest first. */
  blocks: publicProcedure.input(z.object({ ...pageInput })).query(({ ctx, input }) => blockPage(ctx.db, input)),

  /** A block with its transactions (500 a page, from position `txsFrom`). */
  block: publicProcedure.input(z.object({ height: heightInput, txsFrom: z.number().int().min(0).max(1_000_000).default(0) })).query(async ({ ctx, input }) => {
    const found = await blockAt(ctx.db, input.height, input.txsFrom);
    if (!found) throw notFound(`block ${input.height}`);
    return found;
  }),

  /** A committed transaction with its events and its inclusion proof against its block's header. */
  tx: publicProcedure.input(z.object({ id: hashInput })).query(async ({ ctx, input }) => {
    const [committed, events] = await Promise.all([committedTx(ctx, input.id), txEvents(ctx.db, input.id)]);
    return { ...committed, events };
  }),

  /**
   * The validators that commit the next block with their power, a change adopted and not yet
   * in effect (with the first height it commits), and the open proposals to change the set.
   */
  validators: publicProcedure.query(({ ctx }) => {
    const height = ctx.node.status().height + 1;
    const validators = ctx.node.validatorsAt(height);
    const totalPower = validators.reduce((sum, v) => sum + v.power, 0);
    const record = ctx.node.validatorSet();
    const next = record && record.from > height ? { from: record.from, validators: record.validators.map((v) => ({ account: v.account, power: v.power })) } : null;
    const proposals = (record?.proposals ?? []).map((p) => ({ id: p.id, account: p.account, power: p.power, proposer: p.proposer, height: p.height, approvals: [...p.approvals] }));
    return { height, validators: validators.map((v) => ({ account: v.account, power: v.power })), totalPower, validatorsHash: validatorsHash(validators), next, proposals };
  }),

  /** The assets of the chain with their supply, as of the index. */
  assets: publicProcedure.query(async ({ ctx }) => {
    const rows = await run<{ id: string; name: string; decimals: number; issuer: string; minted: bigint; burned: bigint }>(
      ctx.db,
      'SELECT id, name, decimals, issuer, minted, burned FROM assets ORDER BY id',
    );
    return rows.map((a) => ({ ...a, minted: a.minted.toString(10), burned: a.burned.toString(10), supply: (a.minted - a.burned).toString(10) }));
  }),

  /** What a search term names: a block height or hash, a transaction, an account, an order or a loan. */
  search: publicProcedure.input(z.object({ term: z.string().trim().min(1).max(100) })).query(async ({ ctx, input }) => {
    const term = /^[0-9a-fA-F]{64}$/.test(input.term) ? input.term.toLowerCase() : input.term;
    const hits = await search(ctx.db, term);
    // An account the index has not seen may still be a valid key someone can send to.
    if (/^[0-9a-f]{64}$/.test(term) && hits.length === 0) {
      const held = Object.values(ctx.node.account(term).balances).some((balance) => balance > 0n);
      if (held) hits.push({ kind: 'account', account: term });
    }
    return { term, hits };
  }),

  /**
   * Each block once indexed: height, hash, time and transaction count, tracked by height so a
   * client that reconnects gets the blocks it missed (up to 1,000).
   */
  onBlock: publicProcedure.input(z.object({ lastEventId: z.string().regex(/^\d{1,15}$/).nullish() }).optional()).subscription(async function* ({ ctx, input, signal }) {
    const indexed = ctx.projector.indexedHeight();
    let last = input?.lastEventId ? Math.max(Number(input.lastEventId), indexed - MAX_REPLAY) : indexed;
    for await (const _ of indexTicks(ctx.projector, [signal, ctx.closing])) {
      for (;;) {
        const blocks = await blocksAfter(ctx.db, last, CATCH_UP);
        for (const block of blocks) {
          last = block.height;
          yield tracked(String(block.height), { height: block.height, hash: block.hash, time: block.time, txCount: block.txCount });
        }
        if (blocks.length < CATCH_UP) break;
      }
    }
  }),
});
