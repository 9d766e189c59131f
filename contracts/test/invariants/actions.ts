/**
 * What the property test generates: a scenario of accounts, genesis allocations and actions.
 * An action names what to attempt (`who` and `pick` index into the accounts, orders or loans
 * that exist when it runs) and how to spoil its wire (`tamper`); `plan` turns it into wire
 * bytes against the state of the moment.
 */

/** How a signed wire is spoiled, if at all. */
export type Tamper = 'none' | 'nonceAhead' | 'nonceBehind' | 'wrongChain' | 'badSig' | 'otherSigner';
/** XYZ is an asset the genesis does not know. */
export type AssetChoice = 'USD' | 'COL' | 'XYZ';

export interface Terms {
  readonly asset: AssetChoice;
  readonly term: number;
  readonly schedule: 'amortizing' | 'bullet';
  readonly installments: number;
}

export type Expiry = { readonly kind: 'soon' | 'far' | 'past'; readonly seconds: number };

export type Action =
  | { readonly kind: 'advance'; readonly seconds: number }
  | { readonly kind: 'faucet'; readonly who: number; readonly asset: AssetChoice; readonly permille: number; readonly tamper: Tamper }
  | {
      readonly kind: 'mint';
      readonly byIssuer: boolean;
      readonly who: number;
      readonly to: number;
      readonly asset: AssetChoice;
      readonly amount: bigint;
      readonly badRecipient: boolean;
      readonly tamper: Tamper;
    }
  | { readonly kind: 'burn'; readonly byIssuer: boolean; readonly who: number; readonly asset: AssetChoice; readonly percent: number; readonly tamper: Tamper }
  | { readonly kind: 'transfer'; readonly who: number; readonly to: number; readonly asset: AssetChoice; readonly percent: number; readonly tamper: Tamper }
  | {
      readonly kind: 'lend';
      readonly who: number;
      readonly terms: Terms;
      readonly tiny: number | null;
      readonly percent: number;
      readonly minPercent: number;
      readonly maxPercent: number;
      readonly apr: number;
      readonly collateral: null | { readonly sameAsset: boolean; readonly ratioBps: number };
      readonly expiry: Expiry;
      readonly tamper: Tamper;
    }
  | {
      readonly kind: 'borrow';
      readonly who: number;
      readonly terms: Terms;
      readonly amount: bigint;
      readonly apr: number;
      readonly partial: boolean;
      readonly collateral: null | { readonly sameAsset: boolean; readonly percent: number };
      readonly expiry: Expiry;
      readonly tamper: Tamper;
    }
  | { readonly kind: 'cancel'; readonly who: number; readonly pick: number; readonly own: boolean; readonly tamper: Tamper }
  | { readonly kind: 'take'; readonly who: number; readonly pick: number; readonly mode: 'percent' | 'remaining' | 'min' | 'max' | 'over' | 'affordable'; readonly percent: number; readonly tamper: Tamper }
  | { readonly kind: 'fund'; readonly who: number; readonly pick: number; readonly mode: 'percent' | 'remaining' | 'over'; readonly percent: number; readonly tamper: Tamper }
  | { readonly kind: 'accept'; readonly who: number; readonly pick: number; readonly own: boolean; readonly tamper: Tamper }
  | {
      readonly kind: 'repay';
      readonly who: number;
      readonly pick: number;
      readonly byBorrower: boolean;
      readonly mode: 'next' | 'percent' | 'all' | 'over' | 'tiny';
      readonly percent: number;
      readonly tamper: Tamper;
    }
  | { readonly kind: 'prepay'; readonly who: number; readonly pick: number; readonly byBorrower: boolean; readonly tamper: Tamper }
  | { readonly kind: 'declareDefault'; readonly who: number; readonly pick: number; readonly tamper: Tamper }
  | { readonly kind: 'replay'; readonly pick: number }
  | { readonly kind: 'garbage'; readonly who: number; readonly variant: 'whitespace' | 'truncated' | 'unknownType' };

/** An action that becomes a wire: every action but the end of a block. */
export type TxAction = Exclude<Action, { kind: 'advance' }>;

/** The action of `kind`. */
export type ActionOf<K extends Action['kind']> = Extract<Action, { kind: K }>;

export interface Scenario {
  readonly accounts: number;
  readonly allocations: readonly { readonly usd: bigint; readonly col: bigint }[];
  readonly actions: readonly Action[];
  /** Before which action a state is rebuilt with MarketState.fromRecords and run alongside. */
  readonly cut: number;
}
