import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { encodeLoanFile, type LoanFile } from '../../../contracts/audit/loan-file.js';
import { blockHash, encodeRecord, stateKey } from '../../../contracts/index.js';
import { buildLoanFile, IndexBehindError, loanFileSource, LoanNotFoundError } from '../../audit/loan-file.js';
import { reportJson } from '../../audit/report-format.js';
import { reportFromIndex, ReportTooLargeError } from '../../audit/report-index.js';
import { MAX_PERIODS, periodsOf, ReportRangeError } from '../../audit/report.js';
import { badInput, notFound } from '../errors.js';
import { accountInput, assetInput, hashInput, heightInput, secondsInput, sequenceInput, toWire } from '../wire.js';
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

/** An auditors' report: a period of block time (split by month or day at most MAX_PERIODS times), an account, or a loan. */
const reportInput = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('period'), from: secondsInput, to: secondsInput, by: z.enum(['month', 'day']).optional() })
    .refine((period) => period.from < period.to, { message: 'from must be before to', path: ['to'] })
    .refine(
      (period) => {
        try {
          return periodsOf(period).length <= MAX_PERIODS;
        } catch {
          return false;
        }
      },
      { message: `the period must split into at most ${MAX_PERIODS} months or days`, path: ['by'] },
    ),
  z.object({ kind: z.literal('account'), account: accountInput }),
  z.object({ kind: z.literal('loan'), id: sequenceInput }),
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

/** How many indexed blocks a loan file waits through for the index to hold the chain's head. */
const LOAN_FILE_ATTEMPTS = 20;

/**
 * A loan's file as of the chain's head. The file needs the index to hold every block up to the
 * head its proof is taken at; while blocks keep coming the index trails by a moment, so the file is
 * built again right after the index takes in a block, when the two agree.
 */
async function loanFileAtHead(ctx: Parameters<Parameters<typeof publicProcedure.query>[0]>[0]['ctx'], loanId: number): Promise<LoanFile> {
  for (let attempt = 0; attempt < LOAN_FILE_ATTEMPTS; attempt++) {
    try {
      return await buildLoanFile(loanFileSource(ctx.node, ctx.db), loanId);
    } catch (error) {
      if (error instanceof LoanNotFoundError) throw notFound(`loan ${loanId}`);
      if (!(error instanceof IndexBehindError)) throw error;
    }
    await new Promise<void>((resolve) => {
      const stop = ctx.projector.onIndexed(() => {
        stop();
        resolve();
      });
    });
  }
  throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'the index is catching up with the chain; try again in a moment' });
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

  /** A loan's file (docs/audit-file.md): the loan's record, transactions, proofs, headers and commits, verifiable with no node. */
  loanFile: publicProcedure.input(z.object({ id: sequenceInput })).query(async ({ ctx, input }) => {
    const file = await loanFileAtHead(ctx, input.id);
    return { fileName: `lendnet-loan-${input.id}.json`, text: encodeLoanFile(file) };
  }),

  /**
   * An auditors' report from the index (docs/api.md): a period's figures per asset, an
   * account's as borrower and lender, or a loan's life; the figures `lendnet audit report`
   * computes from the verified chain.
   */
  report: publicProcedure.input(reportInput).query(async ({ ctx, input }) => {
    try {
      const report = await reportFromIndex(ctx.db, input);
      if (!report) throw notFound(input.kind === 'loan' ? `loan ${input.id}` : 'the report');
      return reportJson(report);
    } catch (error) {
      if (error instanceof ReportTooLargeError || error instanceof ReportRangeError) throw badInput(error.message);
      throw error;
    }
  }),

  /** The commit certificate of a height, with the header it finalised and the validator set of that height to check it against. */
  commit: publicProcedure.input(z.object({ height: heightInput.min(1) })).query(async ({ ctx, input }) => {
    const [block, commit] = await Promise.all([ctx.node.block(input.height), ctx.node.commitOf(input.height)]);
    if (!block || !commit) throw notFound(`the commit of height ${input.height}`);
    const validators = ctx.node.validatorsAt(input.height).map((v) => ({ account: v.account, power: v.power }));
    return { header: block.header, blockHash: blockHash(block.header), commit, validators };
  }),

  /**
   * The genesis validators and the proofs of every change to the set adopted up to `height`
   * (the head when read): verified with verifyValidatorHistory, they give the set that commits
   * every block up to `height` + ADOPTION_DELAY, trusting only the genesis set.
   */
  validatorHistory: publicProcedure.query(({ ctx }) => {
    const { height } = ctx.node.status();
    return {
      chainId: ctx.node.chainId,
      height,
      genesisValidators: ctx.node.genesis.validators.map((v) => ({ account: v.account, power: v.power })),
      changes: ctx.node.validatorChanges().filter((change) => change.header.height <= height),
    };
  }),
});
