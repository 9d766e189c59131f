import { refuse } from './errors.js';
import { MAX_AMOUNT } from './money.js';
import { isValidAccountId } from './tx/keys.js';

/** Seconds in the year that APRs are quoted over (365 days). */
export const SECONDS_PER_YEAR = 31_536_000;

/** An asset declared in genesis, with the key that mints and burns it. */
export interface AssetDefinition {
  readonly id: string;
  readonly name: string;
  readonly decimals: number;
  readonly issuer: string;
}

/**
 * The rules a network chooses in genesis, so a devnet can run minute-long loans and a real
 * network months-long ones. Durations are seconds of block time.
 */
export interface NetworkParams {
  readonly chainId: string;
  /** Devnet chains have a faucet; others refuse faucet transactions. */
  readonly devnet: boolean;
  /** How long after its due time an unpaid installment becomes late. */
  readonly gracePeriod: number;
  /** How long after its due time an unpaid installment puts the loan in default. */
  readonly defaultPeriod: number;
  /** Late fee charged once on what is left of an installment when it becomes late. */
  readonly lateFeeBps: number;
  readonly minTerm: number;
  readonly maxTerm: number;
  readonly maxInstallments: number;
  readonly maxOpenOrdersPerAccount: number;
  readonly maxLendersPerLoan: number;
  /** The most one faucet transaction pays out, per asset, in minor units. */
  readonly faucet: Readonly<Record<string, bigint>>;
}

export interface Allocation {
  readonly account: string;
  readonly asset: string;
  readonly amount: bigint;
}

/** What the market's state starts from. */
export interface MarketGenesis {
  readonly params: NetworkParams;
  readonly assets: readonly AssetDefinition[];
  /** Opening balances; they count as minted. */
  readonly allocations: readonly Allocation[];
}

/** Parameters of a devnet where a month lasts a minute: fast enough to watch a loan default. */
export function devnetParams(chainId: string): NetworkParams {
  return {
    chainId,
    devnet: true,
    gracePeriod: 30,
    defaultPeriod: 120,
    lateFeeBps: 500,
    minTerm: 60,
    maxTerm: 40 * SECONDS_PER_YEAR,
    maxInstallments: 480,
    maxOpenOrdersPerAccount: 100,
    maxLendersPerLoan: 100,
    faucet: { USD: 100_000_000_000n, COL: 10_000_000_000n },
  };
}

/** Checks that parameters are coherent; a genesis that fails this never starts a chain. */
export function validateGenesis(genesis: MarketGenesis): void {
  const { params, assets } = genesis;
  const bad = (message: string): never => refuse('BAD_FIELD', `genesis: ${message}`);
  if (params.gracePeriod < 0 || params.defaultPeriod < params.gracePeriod) bad('defaultPeriod must be at least gracePeriod');
  if (params.lateFeeBps < 0 || params.lateFeeBps > 10_000) bad('lateFeeBps must be from 0 to 10000');
  if (params.minTerm < 1 || params.maxTerm < params.minTerm) bad('term bounds are inverted');
  if (params.maxInstallments < 1 || params.maxInstallments > 1000) bad('maxInstallments must be from 1 to 1000');
  if (params.maxLendersPerLoan < 1 || params.maxOpenOrdersPerAccount < 1) bad('limits must be at least 1');
  const ids = new Set<string>();
  for (const asset of assets) {
    if (ids.has(asset.id)) bad(`asset ${asset.id} is declared twice`);
    if (asset.decimals < 0 || asset.decimals > 18) bad(`asset ${asset.id} decimals must be from 0 to 18`);
    if (!isAccountKey(asset.issuer)) bad(`asset ${asset.id} issuer is not an acceptable ed25519 public key`);
    ids.add(asset.id);
  }
  for (const [asset, amount] of Object.entries(params.faucet)) {
    if (!ids.has(asset)) bad(`faucet names undeclared asset ${asset}`);
    if (amount < 0n || amount > MAX_AMOUNT) bad(`faucet amount for ${asset} is out of range`);
  }
  const supply = new Map<string, bigint>();
  for (const allocation of genesis.allocations) {
    if (!ids.has(allocation.asset)) bad(`allocation of undeclared asset ${allocation.asset}`);
    if (!isAccountKey(allocation.account)) bad(`allocation to ${allocation.account} is not to an acceptable ed25519 public key`);
    const total = (supply.get(allocation.asset) ?? 0n) + allocation.amount;
    if (allocation.amount <= 0n || total > MAX_AMOUNT) bad(`allocation of ${allocation.asset} is out of range`);
    supply.set(allocation.asset, total);
  }
}

function isAccountKey(account: string): boolean {
  return /^[0-9a-f]{64}$/.test(account) && isValidAccountId(account);
}
