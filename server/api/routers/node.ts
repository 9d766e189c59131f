import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { blockHash, type Block } from '../../../contracts/index.js';
import { HomeError } from '../../../node/home/home.js';
import type { Evidence } from '../../../node/consensus/tendermint-types.js';
import { adminProcedure, publicProcedure, router } from '../trpc.js';

/** Evidence with each proposed block cut to its header and hash: what an operator needs to act on it. */
function evidenceView(evidence: Evidence<Block>) {
  if (evidence.kind === 'duplicate-vote') return evidence;
  const proposal = (p: typeof evidence.first) => ({ ...p, value: { header: p.value.header, hash: blockHash(p.value.header), txCount: p.value.txs.length } });
  return { kind: evidence.kind, first: proposal(evidence.first), second: proposal(evidence.second) };
}

/** The node: public status, and operator procedures behind the admin token. */
export const nodeRouter = router({
  status: publicProcedure.query(({ ctx }) => {
    const head = ctx.node.status();
    const network = ctx.node.networkStatus();
    const indexedHeight = ctx.projector.indexedHeight();
    return {
      chainId: ctx.node.chainId,
      height: head.height,
      hash: head.hash,
      time: head.time,
      indexedHeight,
      lag: ctx.projector.lag(),
      mempoolSize: head.mempoolSize,
      /** validator or observer on a network; the single validator of a devnet otherwise. */
      role: network?.role ?? 'devnet',
      peers: network?.peers ?? 0,
      consensus: ctx.node.consensusPosition() ?? null,
    };
  }),

  /** The connected peers and the head each reports. */
  peers: adminProcedure.query(async ({ ctx }) => {
    const heads = await ctx.node.peerHeads();
    return heads.map((p) => ({ peer: p.peer, height: p.height, hash: p.hash }));
  }),

  /** Equivocations this node has seen. */
  evidence: adminProcedure.query(({ ctx }) => ctx.node.evidence().map(evidenceView)),

  /**
   * Writes a backup of the home at an absolute path on the node's machine (`lendnet backup` of a
   * running node): the store's records from one snapshot, taken while blocks go on committing.
   */
  backup: adminProcedure.input(z.object({ path: z.string().min(1).max(4096) })).mutation(async ({ ctx, input }) => {
    if (!ctx.backup) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'this node cannot write backups' });
    try {
      return await ctx.backup(input.path);
    } catch (error) {
      if (error instanceof HomeError) throw new TRPCError({ code: 'BAD_REQUEST', message: error.message });
      throw error;
    }
  }),

  /** The mempool as far as the node exposes it. */
  mempool: adminProcedure.query(({ ctx }) => ({ size: ctx.node.status().mempoolSize, submittedHereWaiting: ctx.submissions.pendingCount() })),
});
