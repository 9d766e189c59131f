import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFUSAL_CODES, utf8 } from '../../contracts/index.js';
import { signed, testKey } from '../../contracts/test/fixtures.js';
import { byteMutations, type Json, jsonMutations, mutateBytesAll, mutateJsonAll, nastyValue } from '../../contracts/test/fuzz-kit.js';
import { testDatabaseKinds } from '../db/test-databases.js';
import { API_ERROR_CODES } from './errors.js';
import { ADMIN_TOKEN, type ApiTestbed, startTestbed } from './test-kit.js';

/**
 * Every tRPC procedure over the real HTTP handler, fed random inputs and mutations of valid
 * ones: each answer is a valid result or a coded 4xx JSON error, never a 5xx and never a hang;
 * queries leave the node's head as it was, and so does every refused `tx.submit`.
 */

const kinds = await testDatabaseKinds();
// One database is enough to fuzz the API; the server's when there is one, as production runs.
const kind = kinds.includes('postgres') ? 'postgres' : 'pglite';

const alice = testKey('alice');
const bob = testKey('bob');
const usd = (units: number) => BigInt(units) * 1_000_000n;
const CODES: ReadonlySet<string> = new Set<string>([...API_ERROR_CODES.filter((code) => code !== 'INTERNAL'), ...REFUSAL_CODES, 'ALREADY_KNOWN', 'MEMPOOL_FULL', 'ACCOUNT_QUEUE_FULL']);

type Kind = 'query' | 'mutation' | 'subscription';

/** A procedure with valid inputs to mutate (filled in once the market holds something). */
interface Procedure {
  readonly path: string;
  readonly kind: Kind;
  readonly inputs: Json[];
}

/** A cursor key: numbers and digit strings of every size, or something stranger. */
const cursorKey = fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 80n }).map(String), fc.integer({ min: -(2 ** 53), max: 2 ** 53 }), nastyValue);
/** A base64url cursor of a listing's scope with a key of whatever shape: what decodeCursor must refuse or bound. */
const forgedCursor = fc
  .tuple(fc.constantFrom('blocks', 'txs', 'loans', 'orders', 'history', 'book:lend:rate:asc', 'book:lend:term:desc', 'book:borrow:amount:asc', 'book:borrow:newest:desc', 'x'), fc.array(cursorKey, { maxLength: 3 }))
  .map(([scope, key]) => Buffer.from(JSON.stringify([scope, ...key]), 'utf8').toString('base64url'));
/** Inputs of the book in each sort whose cursor scope forgedCursor names. */
const bookSorts: Json[] = [
  { side: 'lend', sort: 'rate' },
  { side: 'lend', sort: 'term', sortDirection: 'desc' },
  { side: 'borrow', sort: 'amount', sortDirection: 'asc' },
  { side: 'borrow', sort: 'newest', sortDirection: 'desc' },
];

describe(`the API over HTTP, fuzzed (${kind})`, () => {
  let bed: ApiTestbed;
  let procedures: Procedure[];
  /** A signed faucet whose nonce the account has not reached: refused whatever its bytes. */
  let refusedWire: string;

  beforeAll(async () => {
    bed = await startTestbed(kind);
    const api = bed.caller();
    const submit = async (key: typeof alice, type: string, body: Parameters<ApiTestbed['sign']>[2]) => {
      expect(await api.tx.submit({ wire: bed.sign(key, type, body).encoded })).toMatchObject({ status: 'committed' });
    };
    await submit(alice, 'faucet', { asset: 'USD', amount: usd(10_000) });
    await submit(bob, 'faucet', { asset: 'USD', amount: usd(100) });
    const offer = { asset: 'USD', amount: usd(1_000), minTicket: usd(10), maxTicket: usd(1_000), aprBps: 900, term: 30 * 86_400, schedule: 'amortizing', installments: 3, expiresAt: 4_000_000_000 };
    await submit(alice, 'post-lend-offer', offer);
    await submit(alice, 'post-lend-offer', { ...offer, aprBps: 700 });
    await submit(bob, 'take-offer', { orderId: 1, amount: usd(100) });
    await bed.indexed();
    const txId = (await api.accounts.txs({ account: bob.account, limit: 1 })).items[0]!.id;
    const cursors = {
      blocks: (await api.chain.blocks({ limit: 1 })).nextCursor,
      book: (await api.market.book({ side: 'lend', limit: 1 })).nextCursor,
      history: (await api.accounts.history({ account: alice.account, limit: 1 })).nextCursor,
    };
    refusedWire = signed(bob, 99n, 'faucet', { asset: 'USD', amount: 1n }).encoded;
    const account = { account: alice.account };
    const q = (path: string, ...inputs: Json[]): Procedure => ({ path, kind: 'query', inputs: inputs.length > 0 ? inputs : [null] });
    procedures = [
      q('market.book', { side: 'lend', asset: 'USD', amountMin: '1', rateMaxBps: 5_000, sort: 'rate', limit: 1, cursor: cursors.book }, { side: 'borrow', sort: 'newest', sortDirection: 'desc', collateral: 'none' }, ...bookSorts),
      q('market.order', { id: 1 }),
      q('market.ratesByTerm', { side: 'lend', asset: 'USD', bucketSeconds: 86_400 }),
      q('market.depth', { asset: 'USD', levels: 10 }),
      q('loans.byId', { id: 1 }),
      q('loans.list', { borrower: bob.account, status: 'active', limit: 5 }, { lender: alice.account, asset: 'USD' }),
      q('accounts.balances', account),
      q('accounts.history', { account: alice.account, types: ['faucetPaid'], limit: 1, cursor: cursors.history }),
      q('accounts.txs', { account: bob.account, limit: 2 }),
      q('accounts.credit', account),
      q('accounts.orders', { account: alice.account, status: 'open', side: 'lend' }),
      q('accounts.loans', { account: bob.account, role: 'borrower', status: 'active' }),
      q('accounts.portfolio', account),
      { path: 'accounts.onEvents', kind: 'subscription', inputs: [{ account: alice.account, lastEventId: '1:0' }] },
      q('chain.head'),
      q('chain.blocks', { limit: 1, cursor: cursors.blocks }),
      q('chain.block', { height: 1, txsFrom: 0 }),
      q('chain.tx', { id: txId }),
      q('chain.validators'),
      q('chain.assets'),
      q('chain.search', { term: 'USD' }, { term: alice.account }),
      { path: 'chain.onBlock', kind: 'subscription', inputs: [{ lastEventId: '1' }] },
      q('node.status'),
      q('node.peers'),
      q('node.evidence'),
      q('node.mempool'),
      { path: 'node.backup', kind: 'mutation', inputs: [{ path: '/tmp/lendnet-fuzz-backup-never-written' }] },
      q('audit.stateProof', { kind: 'balance', account: alice.account, asset: 'USD' }, { kind: 'loan', id: 1 }),
      q('audit.txInclusion', { id: txId }),
      q('audit.loanFile', { id: 1 }),
      q('audit.report', { kind: 'period', from: 0, to: 40 * 86_400, by: 'day' }, { kind: 'loan', id: 1 }, { kind: 'account', account: alice.account }),
      q('audit.commit', { height: 1 }),
      q('audit.validatorHistory'),
      { path: 'tx.submit', kind: 'mutation', inputs: [{ wire: refusedWire, wait: true }] },
      q('tx.status', { id: txId }),
    ];
  }, 60_000);

  afterAll(async () => {
    await bed?.close();
  });

  /**
   * Sends one call and checks the answer: a result, or a coded 4xx JSON error; a subscription's
   * stream is read to its first event and closed. Returns the status and the result's data.
   */
  async function call(procedure: Procedure, inputText: string | undefined, authorization?: string): Promise<{ status: number; data?: unknown }> {
    const headers: Record<string, string> = authorization ? { authorization } : {};
    const url = `${bed.origin}/api/trpc/${procedure.path}`;
    const signal = AbortSignal.timeout(10_000);
    let response: Response;
    if (procedure.kind === 'mutation') {
      response = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: inputText ?? '', signal });
    } else {
      const query = inputText === undefined ? '' : `?input=${encodeURIComponent(inputText)}`;
      response = await fetch(`${url}${query}`, { headers, signal });
    }
    expect(response.status, `${procedure.path} ${inputText?.slice(0, 200)}`).toBeLessThan(500);
    if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
      const reader = response.body!.getReader();
      const first = await reader.read();
      expect(first.done).toBe(false);
      expect(new TextDecoder().decode(first.value)).not.toMatch(/INTERNAL/);
      await reader.cancel();
      return { status: response.status };
    }
    const body = (await response.json()) as { result?: { data?: unknown }; error?: { data?: { code?: string; httpStatus?: number } } };
    if (response.status >= 400) {
      expect(CODES.has(body.error?.data?.code ?? 'none'), `${procedure.path} ${inputText?.slice(0, 200)}: ${JSON.stringify(body.error)}`).toBe(true);
      expect(body.error?.data?.httpStatus).toBe(response.status);
    } else {
      expect(body).toHaveProperty('result');
    }
    return { status: response.status, data: body.result?.data };
  }

  /** Input text: a mutation of a valid input, random JSON, a nasty value, or text that is not JSON. */
  const inputFor = (procedure: Procedure) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...procedure.inputs), jsonMutations).map(([input, changes]) => JSON.stringify(mutateJsonAll(input, changes))) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
      { weight: 1, arbitrary: nastyValue.map((value) => JSON.stringify(value)) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...procedure.inputs), forgedCursor).map(([input, cursor]) => JSON.stringify({ ...(input as object), cursor })) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...procedure.inputs), byteMutations).map(([input, changes]) => new TextDecoder().decode(mutateBytesAll(utf8(JSON.stringify(input)), changes))) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );

  const authorizations = fc.constantFrom(undefined, 'Bearer wrong-token', `Basic ${ADMIN_TOKEN}`, 'Bearer', '');

  it('every procedure answers random and mutated inputs with a result or a coded 4xx error, and queries change nothing', async () => {
    const head = bed.node.status();
    const calls = fc.constantFrom(...procedures.filter((p) => p.path !== 'tx.submit')).chain((procedure) => fc.tuple(fc.constant(procedure), inputFor(procedure), authorizations));
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(calls, async ([procedure, input, authorization]) => {
        // URLs past 8 KB are refused by node:http itself, before the API sees them.
        if (procedure.kind !== 'mutation' && input !== undefined && encodeURIComponent(input).length > 8_000) return;
        // The admin token opens only the operator queries that change nothing.
        const admin = ['node.peers', 'node.evidence', 'node.mempool'].includes(procedure.path) ? `Bearer ${ADMIN_TOKEN}` : authorization;
        const { status } = await call(procedure, input, admin);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
      { numRuns: 400 },
    );
    // Both kinds of answer were seen: the fuzzing reached the procedures, not only the parser.
    expect(statuses.get(200)).toBeGreaterThan(20);
    expect(statuses.get(400)).toBeGreaterThan(20);
    expect(bed.node.status()).toMatchObject({ height: head.height, stateRoot: head.stateRoot });
  }, 60_000);

  it('a batch of calls with random and mutated inputs answers each with a result or a coded error', async () => {
    const queries = procedures.filter((p) => p.kind === 'query');
    const entry = fc.constantFrom(...queries).chain((procedure) => fc.tuple(fc.constant(procedure.path), inputFor(procedure)));
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 4 }), async (entries) => {
        const input = Object.fromEntries(entries.map(([, text], i) => [String(i), text === undefined ? null : safeParse(text)]));
        const url = `${bed.origin}/api/trpc/${entries.map(([path]) => path).join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`;
        if (url.length > 8_000) return;
        const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        expect(response.status).toBeLessThan(500);
        const body = (await response.json()) as { error?: { data?: { code?: string } } }[] | { error?: { data?: { code?: string } } };
        for (const answer of Array.isArray(body) ? body : [body]) if (answer.error) expect(CODES.has(answer.error.data?.code ?? 'none')).toBe(true);
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it("every listing answers cursors forged for its own scope with a page or a coded 4xx error", async () => {
    const listings: readonly { readonly path: string; readonly input: Json; readonly scope: string; readonly arity: number }[] = [
      { path: 'chain.blocks', input: { limit: 1 }, scope: 'blocks', arity: 1 },
      { path: 'accounts.txs', input: { account: bob.account }, scope: 'txs', arity: 2 },
      { path: 'accounts.history', input: { account: alice.account }, scope: 'history', arity: 2 },
      { path: 'accounts.orders', input: { account: alice.account }, scope: 'orders', arity: 1 },
      { path: 'accounts.loans', input: { account: bob.account, role: 'borrower' }, scope: 'loans', arity: 1 },
      { path: 'loans.list', input: {}, scope: 'loans', arity: 1 },
      ...bookSorts.map((input) => {
        const { side, sort, sortDirection } = input as { side: string; sort: string; sortDirection?: string };
        return { path: 'market.book', input, scope: `book:${side}:${sort}:${sortDirection ?? 'asc'}`, arity: sort === 'newest' ? 1 : 2 };
      }),
    ];
    const cursor = (scope: string, key: readonly unknown[]) => Buffer.from(JSON.stringify([scope, ...key]), 'utf8').toString('base64url');
    const forged = fc.constantFrom(...listings).chain((listing) => fc.tuple(fc.constant(listing), fc.array(cursorKey, { minLength: listing.arity, maxLength: listing.arity })));
    await fc.assert(
      fc.asyncProperty(forged, async ([listing, key]) => {
        const input = JSON.stringify({ ...(listing.input as object), cursor: cursor(listing.scope, key) });
        if (encodeURIComponent(input).length <= 8_000) await call({ path: listing.path, kind: 'query', inputs: [] }, input);
      }),
      {
        numRuns: 150,
        // Found by fuzzing: keys past the columns' types (a 20-digit rate, a position past 2^31) answered 500.
        examples: [
          [[listings[6]!, ['99999999999999999999', 1]]],
          [[listings[1]!, [1, 2 ** 40]]],
          [[listings[2]!, [1, -(2 ** 31) - 1]]],
        ],
      },
    );
  }, 60_000);

  it('tx.submit refuses random and mutated wires with a coded 4xx error, changing nothing', async () => {
    const head = bed.node.status();
    const submit = procedures.find((p) => p.path === 'tx.submit')!;
    const wire = fc.oneof(
      fc.tuple(fc.constant(refusedWire), byteMutations).map(([text, changes]) => new TextDecoder().decode(mutateBytesAll(utf8(text), changes))),
      fc.tuple(fc.constant(JSON.parse(refusedWire) as Json), jsonMutations).map(([value, changes]) => JSON.stringify(mutateJsonAll(value, changes))),
      fc.constant(refusedWire),
    );
    const body = fc.oneof(
      { weight: 3, arbitrary: fc.tuple(wire, fc.oneof(fc.boolean(), fc.constant(undefined))).map(([text, wait]) => JSON.stringify({ wire: text, wait })) },
      { weight: 1, arbitrary: inputFor(submit) },
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const answer = await call(submit, text);
        // Asked not to wait, a wire that decodes is answered "pending"; its refusal comes after.
        if (answer.status < 400) expect(answer.data).toMatchObject({ status: 'pending' });
      }),
      { numRuns: 150 },
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bed.node.status()).toMatchObject({ height: head.height, stateRoot: head.stateRoot, mempoolSize: 0 });
  }, 60_000);
});

function safeParse(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}
