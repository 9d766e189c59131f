import { z } from 'zod';
import { blockHash, encodeRecord, stateKey } from '../../../contracts/index.js';
import { notFound } from '../errors.js';
import { accountInput, assetInput, hashInput, heightInput, sequenceInput, toWire } from '../wire.js';
import { publicProcedure, router } from '../trpc.js';
import { committedTx } from './chain.js';

/** The records a state proof can be asked for, named as the state names them. */
const stateRecordInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('account'), account: accountInput }),
  z.object({ kind: z.literal('balance'), account: accountInput, asset: assetInput }),
  z.object({ kind: z.literal('credit'), account: accountInput }),
  z.object({ kind: z.literal('order'), id: sequenceInput }),
  z.object({ kind: z.literal('loan'), id: sequenceInput }),
  z.object({ kind: z.literal('asset'), asset: assetInput }),
]);

function keyOf(record: z.infer<typeof stateRecordInput>): string {
  switch (record.kind) {
    case 'account':
      return stateKey.account(record.account);
    case 'balance':
      return stateKey.balance(record.account, record.asset);
    case 'credit':
      return stateKey.credit(record.account);
    case 'order':
      return stateKey.order(record.id);
    case 'loan':
      return stateKey.loan(record.id);
    case 'asset':
      return stateKey.asset(record.asset);
  }
}

/** Proofs a client verifies itself, trusting no operator: state, inclusion, commit. */
export const auditRouter = router({
  /**
   * A record of the current state with its Merkle proof against the head's state root, or a
   * proof that there is none. Verify with verifyStateProof(head.stateRoot, key, utf8(encoded), proof).
   */
  stateProof: publicProcedure.input(stateRecordInput).query(({ ctx, input }) => {
    const { key, record, head, proof } = ctx.node.stateProof(keyOf(input));
    return {
      key,
      present: record !== undefined,
      record: record === undefined ? null : toWire(record),
      /** The record's canonical encoding: the bytes its leaf commits to. */
      encoded: record === undefined ? null : encodeRecord(record),
      head,
      proof: toWire(proof),
    };
  }),

  /** A transaction's Merkle inclusion proof against its block's tx root. */
  txInclusion: publicProcedure.input(z.object({ id: hashInput })).query(async ({ ctx, input }) => {
    const { id, height, index, count, header, blockHash: hash, proof, encoded } = await committedTx(ctx, input.id);
    return { id, height, index, count, txRoot: header.txRoot, header, blockHash: hash, proof, encoded };
  }),

  /** The commit certificate of a height, with the header it finalised and the validator set to check it against. */
  commit: publicProcedure.input(z.object({ height: heightInput.min(1) })).query(async ({ ctx, input }) => {
    const [block, commit] = await Promise.all([ctx.node.block(input.height), ctx.node.commitOf(input.height)]);
    if (!block || !commit) throw notFound(`the commit of height ${input.height}`);
    return { header: block.header, blockHash: blockHash(block.header), commit, validators: ctx.node.genesis.validators };
  }),
});
