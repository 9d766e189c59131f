import { accountsRouter } from './routers/accounts.js';
import { auditRouter } from './routers/audit.js';
import { chainRouter } from './routers/chain.js';
import { loansRouter } from './routers/loans.js';
import { marketRouter } from './routers/market.js';
import { nodeRouter } from './routers/node.js';
import { txRouter } from './routers/tx.js';
import { createCallerFactory, router } from './trpc.js';

/** The whole API, one router per domain. */
export const appRouter = router({
  market: marketRouter,
  loans: loansRouter,
  accounts: accountsRouter,
  chain: chainRouter,
  node: nodeRouter,
  audit: auditRouter,
  tx: txRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in process, with an inner context and no HTTP request (tests, server components). */
export const createCaller = createCallerFactory(appRouter);

/** Whether a type holds a bigint somewhere: JSON cannot carry one, so no output may. */
type HoldsBigint<T> = T extends bigint
  ? true
  : T extends readonly (infer Item)[]
    ? HoldsBigint<Item>
    : T extends object
      ? { [K in keyof T]-?: HoldsBigint<T[K]> }[keyof T]
      : false;

/** What each procedure returns, before serialisation (tRPC's inferred outputs already drop what JSON cannot carry). */
type ReturnedBy<Record> = { [K in keyof Record]: Record[K] extends { _def: { $types: { output: infer Output } } } ? Output : ReturnedBy<Record[K]> };

// Fails to compile when a procedure's output holds a bigint: money leaves as decimal strings.
const outputsAreJsonSafe: HoldsBigint<ReturnedBy<AppRouter['_def']['record']>> extends false ? true : never = true;
void outputsAreJsonSafe;
