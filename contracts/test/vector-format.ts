import type { Validator } from '../chain/block.js';
import { encodeCanonical, type CanonicalValue } from '../codec/canonical.js';
import { REFUSAL_CODES, type RefusalCode } from '../errors.js';
import type { MarketEvent } from '../events.js';
import { endBlock, genesisState, processTransaction } from '../machine.js';
import type { Allocation, AssetDefinition, MarketGenesis, NetworkParams } from '../params.js';
import type { MarketState } from '../state/market-state.js';

/**
 * Contract vectors: `contracts/test/vectors/<topic>.json` holds an array of cases. A case
 * starts from a genesis and a few blocks (`pre`), runs its steps (`txs`: a wire transaction
 * or an end-of-block at a height and time) and states the outcome: every state record and
 * the events of every step (`post`), or the code of the refusal of its one transaction
 * (`error`), which must leave the state as it was. Values are canonical JSON, so bigints
 * and numbers are decimal strings; a third party can replay the cases with no TypeScript.
 */

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/**
 * A genesis as JSON: everything as in MarketGenesis, with bigints as decimal strings, and for a
 * chain committed by a network its validator set (`genesisState`'s second argument), which
 * puts the `validators` record in the state. Without it the chain has no validator set.
 */
export interface GenesisJson {
  readonly params: Omit<NetworkParams, 'faucet'> & { readonly faucet: Readonly<Record<string, string>> };
  readonly assets: readonly AssetDefinition[];
  readonly allocations: readonly { readonly account: string; readonly asset: string; readonly amount: string }[];
  readonly validators?: readonly Validator[];
}

/** A block replayed before the case: every transaction must succeed; then its end-of-block rules run. */
export interface PreBlock {
  readonly height: number;
  readonly time: number;
  readonly txs: readonly string[];
}

export type VectorStep =
  | { readonly height: number; readonly time: number; readonly tx: string }
  | { readonly height: number; readonly time: number; readonly endBlock: true };

export interface VectorPost {
  /** Every record of the state after the last step: key → canonical JSON of the value. */
  readonly state: Readonly<Record<string, Json>>;
  /** The events of each step, in order, as canonical JSON. */
  readonly events: readonly (readonly Json[])[];
}

export interface VectorCase {
  readonly name: string;
  readonly description: string;
  readonly pre: { readonly genesis: GenesisJson; readonly blocks: readonly PreBlock[] };
  readonly txs: readonly VectorStep[];
  readonly post?: VectorPost;
  /** The code the case's one transaction is refused with; the state must not change. */
  readonly error?: { readonly code: RefusalCode };
}

// ---- JSON forms ----------------------------------------------------------------------

/** The canonical JSON of a value: what `encodeCanonical` writes, parsed back. */
export function canonicalJson(value: unknown): Json {
  return JSON.parse(encodeCanonical(value as CanonicalValue)) as Json;
}

/** Every record of the state, key → canonical JSON, in key order. */
export function stateSnapshot(state: MarketState): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [key, value] of state.entries()) out[key] = canonicalJson(value);
  return out;
}

export function eventsJson(events: readonly MarketEvent[]): Json[] {
  return events.map((event) => canonicalJson(event));
}

export function genesisToJson(genesis: MarketGenesis, validators?: readonly Validator[]): GenesisJson {
  const faucet: Record<string, string> = {};
  for (const [asset, amount] of Object.entries(genesis.params.faucet)) faucet[asset] = amount.toString();
  return {
    params: { ...genesis.params, faucet },
    assets: genesis.assets.map((asset) => ({ ...asset })),
    allocations: genesis.allocations.map(({ account, asset, amount }) => ({ account, asset, amount: amount.toString() })),
    ...(validators ? { validators: validators.map(({ account, power }) => ({ account, power })) } : {}),
  };
}

export function genesisFromJson(json: GenesisJson): MarketGenesis {
  const faucet: Record<string, bigint> = {};
  for (const [asset, amount] of Object.entries(json.params.faucet)) faucet[asset] = BigInt(amount);
  const allocations: Allocation[] = json.allocations.map(({ account, asset, amount }) => ({ account, asset, amount: BigInt(amount) }));
  return { params: { ...json.params, faucet }, assets: json.assets.map((asset) => ({ ...asset })), allocations };
}

/** The transaction type a wire string names, or undefined if it is not a JSON envelope. */
export function txTypeOf(wire: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(wire);
    if (typeof parsed === 'object' && parsed !== null && 'type' in parsed && typeof parsed.type === 'string') return parsed.type;
  } catch {
    // a malformed wire names no type
  }
  return undefined;
}

// ---- replay --------------------------------------------------------------------------

export type StepOutcome = { readonly ok: true; readonly events: Json[] } | { readonly ok: false; readonly code: RefusalCode };

export interface Replay {
  readonly outcomes: StepOutcome[];
  /** The state before the last step. */
  readonly before: Record<string, Json>;
  /** The state after the last step. */
  readonly after: Record<string, Json>;
}

/** The state a case's pre leads to. Throws if any pre transaction is refused. */
export function replayPre(vector: VectorCase): MarketState {
  const state = genesisState(genesisFromJson(vector.pre.genesis), vector.pre.genesis.validators);
  for (const block of vector.pre.blocks) {
    const ctx = { height: block.height, time: block.time };
    block.txs.forEach((wire, index) => {
      const outcome = processTransaction(state, ctx, wire);
      if (!outcome.ok) throw new Error(`${vector.name}: pre block ${block.height} tx ${index} refused with ${outcome.refusal.code}: ${outcome.refusal.message}`);
    });
    endBlock(state, ctx);
  }
  return state;
}

export function runStep(state: MarketState, step: VectorStep): StepOutcome {
  const ctx = { height: step.height, time: step.time };
  if ('endBlock' in step) return { ok: true, events: eventsJson(endBlock(state, ctx)) };
  const outcome = processTransaction(state, ctx, step.tx);
  return outcome.ok ? { ok: true, events: eventsJson(outcome.events) } : { ok: false, code: outcome.refusal.code };
}

/** Replays a case from its pre through every step, stopping at the first refused step. */
export function replayCase(vector: VectorCase): Replay {
  const state = replayPre(vector);
  const outcomes: StepOutcome[] = [];
  let before = stateSnapshot(state);
  for (const step of vector.txs) {
    before = stateSnapshot(state);
    const outcome = runStep(state, step);
    outcomes.push(outcome);
    if (!outcome.ok) break;
  }
  return { outcomes, before, after: stateSnapshot(state) };
}

// ---- reading vector files ------------------------------------------------------------

type JsonObject = { readonly [key: string]: unknown };

function fail(path: string, message: string): never {
  throw new Error(`${path}: ${message}`);
}

function objectAt(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'expected an object');
  return value as JsonObject;
}

function arrayAt(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) fail(path, 'expected an array');
  return value;
}

function stringAt(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'expected a string');
  return value;
}

function integerAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(path, 'expected an integer');
  return value;
}

function decimalAt(value: unknown, path: string): string {
  const text = stringAt(value, path);
  if (!/^(0|[1-9][0-9]*)$/.test(text)) fail(path, 'expected a decimal string');
  return text;
}

function readGenesis(value: unknown, path: string): GenesisJson {
  const genesis = objectAt(value, path);
  const params = objectAt(genesis.params, `${path}.params`);
  const faucetIn = objectAt(params.faucet, `${path}.params.faucet`);
  const faucet: Record<string, string> = {};
  for (const [asset, amount] of Object.entries(faucetIn)) faucet[asset] = decimalAt(amount, `${path}.params.faucet.${asset}`);
  const devnet = params.devnet;
  if (typeof devnet !== 'boolean') fail(`${path}.params.devnet`, 'expected a boolean');
  const int = (key: string) => integerAt(params[key], `${path}.params.${key}`);
  const validators = genesis.validators === undefined ? undefined : readValidators(genesis.validators, `${path}.validators`);
  return {
    params: {
      chainId: stringAt(params.chainId, `${path}.params.chainId`),
      devnet,
      gracePeriod: int('gracePeriod'),
      defaultPeriod: int('defaultPeriod'),
      lateFeeBps: int('lateFeeBps'),
      minTerm: int('minTerm'),
      maxTerm: int('maxTerm'),
      maxInstallments: int('maxInstallments'),
      maxOpenOrdersPerAccount: int('maxOpenOrdersPerAccount'),
      maxLendersPerLoan: int('maxLendersPerLoan'),
      faucet,
    },
    assets: arrayAt(genesis.assets, `${path}.assets`).map((item, i) => {
      const asset = objectAt(item, `${path}.assets[${i}]`);
      return {
        id: stringAt(asset.id, `${path}.assets[${i}].id`),
        name: stringAt(asset.name, `${path}.assets[${i}].name`),
        decimals: integerAt(asset.decimals, `${path}.assets[${i}].decimals`),
        issuer: stringAt(asset.issuer, `${path}.assets[${i}].issuer`),
      };
    }),
    allocations: arrayAt(genesis.allocations, `${path}.allocations`).map((item, i) => {
      const allocation = objectAt(item, `${path}.allocations[${i}]`);
      return {
        account: stringAt(allocation.account, `${path}.allocations[${i}].account`),
        asset: stringAt(allocation.asset, `${path}.allocations[${i}].asset`),
        amount: decimalAt(allocation.amount, `${path}.allocations[${i}].amount`),
      };
    }),
    ...(validators ? { validators } : {}),
  };
}

function readValidators(value: unknown, path: string): Validator[] {
  return arrayAt(value, path).map((item, i) => {
    const validator = objectAt(item, `${path}[${i}]`);
    return { account: stringAt(validator.account, `${path}[${i}].account`), power: integerAt(validator.power, `${path}[${i}].power`) };
  });
}

function readStep(value: unknown, path: string): VectorStep {
  const step = objectAt(value, path);
  const height = integerAt(step.height, `${path}.height`);
  const time = integerAt(step.time, `${path}.time`);
  if (step.endBlock === true && step.tx === undefined) return { height, time, endBlock: true };
  return { height, time, tx: stringAt(step.tx, `${path}.tx`) };
}

function isRefusalCode(code: string): code is RefusalCode {
  return (REFUSAL_CODES as readonly string[]).includes(code);
}

function readCase(value: unknown, path: string): VectorCase {
  const vector = objectAt(value, path);
  const pre = objectAt(vector.pre, `${path}.pre`);
  const base = {
    name: stringAt(vector.name, `${path}.name`),
    description: stringAt(vector.description, `${path}.description`),
    pre: {
      genesis: readGenesis(pre.genesis, `${path}.pre.genesis`),
      blocks: arrayAt(pre.blocks, `${path}.pre.blocks`).map((item, i) => {
        const block = objectAt(item, `${path}.pre.blocks[${i}]`);
        return {
          height: integerAt(block.height, `${path}.pre.blocks[${i}].height`),
          time: integerAt(block.time, `${path}.pre.blocks[${i}].time`),
          txs: arrayAt(block.txs, `${path}.pre.blocks[${i}].txs`).map((tx, j) => stringAt(tx, `${path}.pre.blocks[${i}].txs[${j}]`)),
        };
      }),
    },
    txs: arrayAt(vector.txs, `${path}.txs`).map((item, i) => readStep(item, `${path}.txs[${i}]`)),
  };
  if ((vector.post === undefined) === (vector.error === undefined)) fail(path, 'a case has exactly one of post and error');
  if (vector.error !== undefined) {
    const code = stringAt(objectAt(vector.error, `${path}.error`).code, `${path}.error.code`);
    if (!isRefusalCode(code)) fail(`${path}.error.code`, `unknown refusal code ${code}`);
    if (base.txs.length !== 1 || !('tx' in (base.txs[0] as VectorStep))) fail(`${path}.txs`, 'an error case has exactly one transaction step');
    return { ...base, error: { code } };
  }
  const post = objectAt(vector.post, `${path}.post`);
  const events = arrayAt(post.events, `${path}.post.events`).map((item, i) => arrayAt(item, `${path}.post.events[${i}]`) as readonly Json[]);
  if (events.length !== base.txs.length) fail(`${path}.post.events`, 'there is one list of events per step');
  return { ...base, post: { state: objectAt(post.state, `${path}.post.state`) as Record<string, Json>, events } };
}

/** Parses and checks the shape of one vector file. */
export function parseVectorFile(text: string, file: string): VectorCase[] {
  const cases = arrayAt(JSON.parse(text) as unknown, file).map((item, i) => readCase(item, `${file}[${i}]`));
  const names = new Set<string>();
  for (const vector of cases) {
    if (names.has(vector.name)) fail(file, `two cases are named ${vector.name}`);
    names.add(vector.name);
  }
  return cases;
}

/** The transaction types that succeed and the refusal codes produced somewhere in these cases. */
export function coverageOf(cases: readonly VectorCase[]): { txTypes: Set<string>; refusalCodes: Set<RefusalCode> } {
  const txTypes = new Set<string>();
  const refusalCodes = new Set<RefusalCode>();
  for (const vector of cases) {
    if (vector.error) refusalCodes.add(vector.error.code);
    else {
      for (const step of vector.txs) {
        const type = 'tx' in step ? txTypeOf(step.tx) : undefined;
        if (type) txTypes.add(type);
      }
    }
  }
  return { txTypes, refusalCodes };
}

/**
 * The text of a vector file: JSON indented by two spaces, except that any value whose
 * one-line form fits in `width` columns stays on one line, so records and events read at a glance.
 */
export function formatVectorJson(value: unknown, width = 160): string {
  return `${formatValue(JSON.parse(JSON.stringify(value)) as Json, '', width)}\n`;
}

function formatValue(value: Json, indent: string, width: number): string {
  const flat = JSON.stringify(value);
  if (typeof value !== 'object' || value === null || indent.length + flat.length <= width) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items = value as readonly Json[];
    return `[\n${items.map((item) => inner + formatValue(item, inner, width)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as { readonly [key: string]: Json });
  return `{\n${entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${formatValue(item, inner, width)}`).join(',\n')}\n${indent}}`;
}
