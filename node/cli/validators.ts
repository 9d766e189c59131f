import { type CanonicalValue, isValidAccountId, MAX_VALIDATOR_POWER, signTransaction, type Validator, type ValidatorProposal } from '../../contracts/index.js';
import { readApiAddress } from '../home/api-address.js';
import { HomeError, homeDir, loadHome } from '../home/home.js';

export const VALIDATORS_USAGE = `  validators [--home DIR] [--json]
                               the validators that commit the next block (power, share), a change adopted
                               and the height it takes effect, and the open proposals with their approvals,
                               read from the home's running node; --json: the API's answer as it is
  validators propose --account HEX --power N [--home DIR]
                               sign with the home's validator key and submit a proposal to add the validator
                               HEX with power N, change its power, or remove it (--power 0); wait for its
                               block, then print the proposal's id, its approvals and, once more than 2/3 of
                               the power signed, the height the new set takes effect. Exit 1 if refused
  validators approve --proposal N [--home DIR]
                               sign open proposal N with the home's validator key, likewise`;

/** A validator and an open proposal as `chain.validators` gives them: the state's own shapes. */
type ValidatorView = Validator;
type ProposalView = ValidatorProposal;

/** The answer of `chain.validators`. */
export interface ValidatorSetView {
  /** The height of the next block, which `validators` commits. */
  readonly height: number;
  readonly validators: readonly ValidatorView[];
  readonly totalPower: number;
  readonly validatorsHash: string;
  /** A change adopted and not yet in effect: the set that commits from height `from` on. */
  readonly next: { readonly from: number; readonly validators: readonly ValidatorView[] } | null;
  readonly proposals: readonly ProposalView[];
}

/** The command was used wrongly: one line, exit code 2. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An error answer of the API: `code` is its `data.code`, a refusal's own code for a refused transaction. */
export class ApiAnswerError extends Error {
  override readonly name = 'ApiAnswerError';
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
  }
}

/** The HTTP API of the node running in a home (tRPC without a transformer: plain JSON in and out). */
export class NodeApi {
  constructor(readonly url: string) {}

  /** The API of the node of `home`, from the address it wrote when it began serving. */
  static async of(home: string): Promise<NodeApi> {
    const address = await readApiAddress(home);
    if (!address) throw new HomeError(`no node of ${home} is serving its API (no ${home}/api.json): start it with "lendnet start --home ${home}"`);
    return new NodeApi(address.url);
  }

  query<T>(path: string, input?: unknown, timeoutMs = 10_000): Promise<T> {
    const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return this.call<T>(`${this.url}/api/trpc/${path}${query}`, { method: 'GET' }, timeoutMs);
  }

  mutate<T>(path: string, input: unknown, timeoutMs = 10_000): Promise<T> {
    return this.call<T>(`${this.url}/api/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) }, timeoutMs);
  }

  private async call<T>(url: string, init: RequestInit, timeoutMs: number): Promise<T> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new HomeError(timedOut ? `the node at ${this.url} gave no answer within ${timeoutMs / 1000} s` : `the node does not answer at ${this.url}`);
    }
    const text = await response.text();
    let body: { result?: { data?: T }; error?: { message?: string; data?: { code?: string } } } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    if (response.ok && body?.result && 'data' in body.result) return body.result.data as T;
    throw new ApiAnswerError(body?.error?.data?.code ?? `HTTP_${response.status}`, body?.error?.message ?? `HTTP ${response.status}`, response.status);
  }
}

type Flags = ReadonlyMap<string, string | true>;

function requireFlags(flags: Flags, allowed: readonly string[], command: string): void {
  for (const name of flags.keys()) if (!allowed.includes(name)) throw new UsageError(`${command} takes no ${name} (it takes ${allowed.join(', ')})`);
}

function textFlag(flags: Flags, name: string, command: string): string {
  const value = flags.get(name);
  if (typeof value !== 'string') throw new UsageError(`${command} needs ${name}`);
  return value;
}

function wholeFlag(flags: Flags, name: string, command: string, min: number, max: number): number {
  const value = textFlag(flags, name, command);
  if (!/^[0-9]{1,9}$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  return Number(value);
}

/**
 * `lendnet validators [propose|approve]`: the set read from the home's running node, or a
 * proposal or approval signed with the home's validator key. Returns the exit code: 2 for a
 * command used wrongly, 1 for a refused transaction.
 */
export async function validatorsCommand(words: readonly string[], flags: Flags, out: (line: string) => void = console.log): Promise<number> {
  const [sub, extra] = words;
  try {
    if (extra !== undefined) throw new UsageError(`validators takes one subcommand, not "${words.join(' ')}"`);
    if (sub === undefined) {
      requireFlags(flags, ['--home', '--json'], 'validators');
      return await listValidators(homeOf(flags), flags.has('--json'), out);
    }
    if (sub === 'propose') {
      requireFlags(flags, ['--home', '--account', '--power'], 'validators propose');
      const account = textFlag(flags, '--account', 'validators propose').toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(account) || !isValidAccountId(account)) throw new UsageError('--account must be a validator account: an ed25519 public key in 64 hex characters');
      const power = wholeFlag(flags, '--power', 'validators propose', 0, MAX_VALIDATOR_POWER);
      return await submitChange(homeOf(flags), { type: 'propose-validator-change', body: { account, power } }, out);
    }
    if (sub === 'approve') {
      requireFlags(flags, ['--home', '--proposal'], 'validators approve');
      const proposal = wholeFlag(flags, '--proposal', 'validators approve', 1, 999_999_999);
      return await submitChange(homeOf(flags), { type: 'approve-validator-change', body: { proposal } }, out);
    }
    throw new UsageError(`unknown validators subcommand "${sub}": use propose or approve, or none to list the set`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`lendnet: ${error.message}`);
    return 2;
  }
}

function homeOf(flags: Flags): string {
  const flag = flags.get('--home');
  return homeDir(typeof flag === 'string' ? flag : undefined);
}

/** A share of the power as a percentage with two decimals, in integers (powers are whole numbers). */
function shareText(power: number, total: number): string {
  if (total <= 0) return '—';
  const hundredths = Math.round((power * 10_000) / total);
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')} %`;
}

const powerOf = (validators: readonly ValidatorView[]) => validators.reduce((sum, v) => sum + v.power, 0);

/** A proposal's change in words, against the set it would change. */
function changeText(change: { readonly account: string; readonly power: number }, set: readonly ValidatorView[]): string {
  const current = set.find((v) => v.account === change.account);
  if (change.power === 0) return `remove ${change.account}`;
  if (current) return `set the power of ${change.account} from ${current.power} to ${change.power}`;
  return `add ${change.account} with power ${change.power}`;
}

/** The power of a proposal's signers in the set, and whether it is more than 2/3 of the set's. */
function approvalText(approvals: readonly string[], set: readonly ValidatorView[]): string {
  const signers = new Set(approvals);
  const signed = set.filter((v) => signers.has(v.account));
  const total = powerOf(set);
  return `${signed.length} of ${set.length} validators, power ${powerOf(signed)} of ${total} (adopted above ${Math.floor((2 * total) / 3)})`;
}

/** The lines `lendnet validators` prints for the set, the change in flight and the open proposals. */
export function validatorLines(view: ValidatorSetView): string[] {
  const setLines = (set: readonly ValidatorView[], before?: readonly ValidatorView[]) =>
    set.map((v) => {
      const old = before?.find((b) => b.account === v.account);
      const change = !before ? '' : !old ? '  added' : old.power !== v.power ? `  was ${old.power}` : '';
      return `  ${v.account}  power ${String(v.power).padStart(4)}  ${shareText(v.power, powerOf(set)).padStart(8)}${change}`;
    });
  const lines = [`validators ${view.validators.length} commit block ${view.height}, power ${view.totalPower} in all, set hash ${view.validatorsHash}`, ...setLines(view.validators)];
  if (view.next) {
    const next = view.next.validators;
    lines.push(`change     adopted: from block ${view.next.from}, ${next.length} validators, power ${powerOf(next)} in all`, ...setLines(next, view.validators));
    for (const v of view.validators) if (!next.some((n) => n.account === v.account)) lines.push(`  ${v.account}  removed`);
  } else {
    lines.push('change     none adopted and waiting to take effect');
  }
  lines.push(`proposals  ${view.proposals.length === 0 ? 'none open' : `${view.proposals.length} open`}`);
  for (const p of view.proposals) {
    lines.push(`  #${p.id} ${changeText(p, view.validators)}`);
    lines.push(`     proposed by ${p.proposer} in block ${p.height}`);
    lines.push(`     approvals: ${approvalText(p.approvals, view.validators)}`);
  }
  return lines;
}

async function listValidators(home: string, json: boolean, out: (line: string) => void): Promise<number> {
  const view = await (await NodeApi.of(home)).query<ValidatorSetView>('chain.validators');
  if (json) out(JSON.stringify(view, null, 2));
  else for (const line of validatorLines(view)) out(line);
  return 0;
}

/** How long a submission waits for its block before giving up (the transaction may still commit). */
const SUBMIT_TIMEOUT_MS = 60_000;
/** How long to wait for the index to hold a block (for the nonce, and for the events of the transaction). */
const INDEX_WAIT_MS = 10_000;

type ValidatorChange =
  | { readonly type: 'propose-validator-change'; readonly body: { readonly account: string; readonly power: number } }
  | { readonly type: 'approve-validator-change'; readonly body: { readonly proposal: number } };

/** The events of a validator change, as the index gives them (chain.tx). */
type ChangeEvent =
  | { readonly type: 'validatorChangeProposed'; readonly proposal: ProposalView }
  | { readonly type: 'validatorChangeApproved'; readonly proposal: number; readonly approver: string; readonly approvedPower: number; readonly totalPower: number }
  | { readonly type: 'validatorSetChanged'; readonly proposal: number; readonly from: number; readonly validators: readonly ValidatorView[]; readonly dropped: readonly number[] };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The nonce the account's next transaction carries, read once the index holds every committed block. */
async function nextNonce(api: NodeApi, account: string): Promise<bigint> {
  const deadline = Date.now() + INDEX_WAIT_MS;
  for (;;) {
    const status = await api.query<{ height: number; indexedHeight: number }>('node.status');
    if (status.indexedHeight >= status.height) break;
    if (Date.now() > deadline) throw new HomeError(`the node's index is ${status.height - status.indexedHeight} blocks behind, so the signer's nonce is not known; try again once "lendnet status" says healthy`);
    await pause(200);
  }
  const balances = await api.query<{ nextNonce: string }>('accounts.balances', { account });
  return BigInt(balances.nextNonce);
}

/** The transaction's events once the index holds its block, or none if it does not within INDEX_WAIT_MS. */
async function changeEvents(api: NodeApi, id: string): Promise<ChangeEvent[]> {
  const deadline = Date.now() + INDEX_WAIT_MS;
  for (;;) {
    const tx = await api.query<{ events: readonly { readonly event: ChangeEvent }[] }>('chain.tx', { id });
    if (tx.events.length > 0 || Date.now() > deadline) return tx.events.map((e) => e.event);
    await pause(200);
  }
}

/**
 * Signs a proposal or an approval with the home's validator key, submits it to the home's
 * running node and waits for its block; prints what the block did, or the refusal (exit 1).
 */
async function submitChange(home: string, change: ValidatorChange, out: (line: string) => void): Promise<number> {
  const { genesis, validatorKey } = await loadHome(home);
  const api = await NodeApi.of(home);
  // Read before signing: what an approval approves, and the set its signers' power counts in.
  const before = await api.query<ValidatorSetView>('chain.validators');
  const nonce = await nextNonce(api, validatorKey.account);
  const body: CanonicalValue = change.body;
  const signed = signTransaction({ chainId: genesis.market.params.chainId, type: change.type, signer: validatorKey.account, nonce, body }, validatorKey.secretKey);
  let committed: { id: string; height: number };
  try {
    committed = await api.mutate<{ id: string; height: number }>('tx.submit', { wire: signed.encoded }, SUBMIT_TIMEOUT_MS);
  } catch (error) {
    if (!(error instanceof ApiAnswerError)) throw error;
    console.error(`lendnet: refused ${error.code}: ${error.message}`);
    return 1;
  }
  const events = await changeEvents(api, committed.id);
  const proposed = events.find((e) => e.type === 'validatorChangeProposed');
  const approved = events.find((e) => e.type === 'validatorChangeApproved');
  const adopted = events.find((e) => e.type === 'validatorSetChanged');
  const id = proposed?.proposal.id ?? approved?.proposal ?? (change.type === 'approve-validator-change' ? change.body.proposal : undefined);
  const what = change.type === 'propose-validator-change' ? 'proposal' : 'approval of proposal';
  out(`${what} ${id ?? '?'} committed in block ${committed.height} (transaction ${committed.id})`);
  const proposal = proposed?.proposal ?? before.proposals.find((p) => p.id === id);
  if (proposal) out(`  change: ${changeText(proposal, before.validators)}`);
  if (approved) out(`  approvals: power ${approved.approvedPower} of ${approved.totalPower}${adopted ? ', more than 2/3: adopted' : `; adopted above ${Math.floor((2 * approved.totalPower) / 3)}`}`);
  if (adopted) {
    out(`  the new set of ${adopted.validators.length} validators (power ${powerOf(adopted.validators)}) commits blocks from height ${adopted.from}`);
    if (adopted.dropped.length > 0) out(`  dropped the other open proposals: ${adopted.dropped.join(', ')}`);
  } else if (approved && id !== undefined) {
    out(`  the other validators approve it with: lendnet validators approve --proposal ${id}`);
  }
  if (events.length === 0) out(`  the index does not hold block ${committed.height} yet: "lendnet validators" shows the proposal once it does`);
  return 0;
}
