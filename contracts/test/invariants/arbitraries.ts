/**
 * The fast-check arbitraries of scenarios. Weights favour what makes orders meet and loans
 * run their course; a small share of every kind is invalid on purpose.
 */
import fc from 'fast-check';
import { MAX_AMOUNT } from '../../money.js';
import type { Action, ActionOf, AssetChoice, Expiry, Scenario, Tamper, Terms } from './actions.js';
import { MAX_ACCOUNTS } from './signing.js';

/** `value` in `weight` cases out of `weight + 1`, else its opposite. */
function usually(value: boolean, weight: number): fc.Arbitrary<boolean> {
  return fc.oneof({ weight, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: fc.constant(!value) });
}

type FieldsOf<K extends Action['kind']> = { readonly [P in Exclude<keyof ActionOf<K>, 'kind'>]: fc.Arbitrary<ActionOf<K>[P]> };

/** An action of `kind` whose other fields are drawn from `fields`, in their order. */
function actionOf<K extends Action['kind']>(kind: K, fields: FieldsOf<K>): fc.Arbitrary<ActionOf<K>> {
  // fc.record cannot see through the generic mapped type; `FieldsOf` has already typed each field.
  return fc.record({ kind: fc.constant(kind), ...fields }) as fc.Arbitrary<ActionOf<K>>;
}

/** Terms most orders use, so that orders meet in the book; plus some the network refuses. */
const PRESET_TERMS: readonly Terms[] = [
  { asset: 'USD', term: 120, schedule: 'amortizing', installments: 4 },
  { asset: 'USD', term: 360, schedule: 'amortizing', installments: 12 },
  { asset: 'USD', term: 60, schedule: 'bullet', installments: 1 },
  { asset: 'USD', term: 180, schedule: 'bullet', installments: 3 },
  { asset: 'COL', term: 100, schedule: 'amortizing', installments: 2 },
  { asset: 'USD', term: 480, schedule: 'amortizing', installments: 48 },
];

const who = fc.nat({ max: 999 });
const pick = fc.nat();
const percent = fc.integer({ min: 1, max: 120 });
const assetChoice: fc.Arbitrary<AssetChoice> = fc.oneof({ weight: 12, arbitrary: fc.constantFrom<AssetChoice>('USD', 'COL') }, { weight: 1, arbitrary: fc.constant<AssetChoice>('XYZ') });
const tamper: fc.Arbitrary<Tamper> = fc.oneof(
  { weight: 30, arbitrary: fc.constant<Tamper>('none') },
  { weight: 2, arbitrary: fc.constantFrom<Tamper>('nonceAhead', 'nonceBehind', 'wrongChain', 'badSig', 'otherSigner') },
);
const terms: fc.Arbitrary<Terms> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...PRESET_TERMS) },
  {
    weight: 3,
    arbitrary: fc
      .record({ asset: fc.constantFrom<AssetChoice>('USD', 'COL'), period: fc.integer({ min: 1, max: 120 }), n: fc.integer({ min: 1, max: 24 }), schedule: fc.constantFrom('amortizing' as const, 'bullet' as const) })
      .map(({ asset, period, n, schedule }) => ({ asset, term: period * n, schedule, installments: n })),
  },
  // refused: a term that does not divide into the installments, or below the minimum term
  { weight: 1, arbitrary: fc.constantFrom<Terms>({ asset: 'USD', term: 121, schedule: 'amortizing', installments: 4 }, { asset: 'USD', term: 30, schedule: 'bullet', installments: 1 }) },
);
const apr = fc.oneof(fc.constantFrom(0, 1, 500, 1200, 1200, 1800, 3000, 100_000), fc.integer({ min: 0, max: 100_000 }));
const expiry: fc.Arbitrary<Expiry> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('soon' as const), seconds: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('far' as const), seconds: fc.integer({ min: 100, max: 5_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('past' as const), seconds: fc.integer({ min: 0, max: 10 }) }) },
);
const smallOrHuge = fc.oneof({ weight: 8, arbitrary: fc.bigInt({ min: 1n, max: 10_000_000_000n }) }, { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: MAX_AMOUNT }) });
const blockStep = fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 10, max: 60 }), fc.integer({ min: 60, max: 300 }));

const lend = actionOf('lend', {
  who,
  terms,
  tiny: fc.option(fc.integer({ min: 1, max: 2_000 }), { freq: 4 }),
  percent: fc.integer({ min: 1, max: 60 }),
  minPercent: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 10 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 60 }) }),
  maxPercent: fc.integer({ min: 5, max: 100 }),
  apr,
  collateral: fc.option(fc.record({ sameAsset: usually(false, 15), ratioBps: fc.constantFrom(1, 5_000, 10_000, 15_000, 1_000_000) }), { freq: 2 }),
  expiry,
  tamper,
});

const borrow = actionOf('borrow', {
  who,
  terms,
  amount: fc.oneof(fc.bigInt({ min: 1n, max: 2_000n }), fc.bigInt({ min: 1_000_000n, max: 5_000_000_000n })),
  apr,
  partial: fc.boolean(),
  collateral: fc.option(fc.record({ sameAsset: usually(false, 15), percent: fc.integer({ min: 1, max: 110 }) }), { freq: 3 }),
  expiry,
  tamper,
});

const take = actionOf('take', { who, pick, mode: fc.constantFrom('percent', 'remaining', 'min', 'max', 'over', 'affordable', 'affordable'), percent, tamper });

// mostly part of what is left, so that several lenders fund one request
const fundPercent = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 5, max: 60 }) }, { weight: 1, arbitrary: percent });
const fund = actionOf('fund', { who, pick, mode: fc.constantFrom('percent', 'percent', 'percent', 'remaining', 'over'), percent: fundPercent, tamper });

const repay = actionOf('repay', { who, pick, byBorrower: usually(true, 6), mode: fc.constantFrom('next', 'next', 'percent', 'all', 'over', 'tiny'), percent, tamper });

export const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 10, arbitrary: actionOf('advance', { seconds: blockStep }) },
  { weight: 5, arbitrary: actionOf('faucet', { who, asset: assetChoice, permille: fc.integer({ min: 1, max: 1_050 }), tamper }) },
  { weight: 2, arbitrary: actionOf('mint', { byIssuer: fc.boolean(), who, to: who, asset: assetChoice, amount: smallOrHuge, badRecipient: usually(false, 9), tamper }) },
  { weight: 2, arbitrary: actionOf('burn', { byIssuer: fc.boolean(), who, asset: assetChoice, percent, tamper }) },
  { weight: 5, arbitrary: actionOf('transfer', { who, to: who, asset: assetChoice, percent, tamper }) },
  { weight: 12, arbitrary: lend },
  { weight: 10, arbitrary: borrow },
  { weight: 3, arbitrary: actionOf('cancel', { who, pick, own: fc.boolean(), tamper }) },
  { weight: 10, arbitrary: take },
  { weight: 10, arbitrary: fund },
  { weight: 4, arbitrary: actionOf('accept', { who, pick, own: usually(true, 3), tamper }) },
  { weight: 14, arbitrary: repay },
  { weight: 2, arbitrary: actionOf('prepay', { who, pick, byBorrower: usually(true, 5), tamper }) },
  { weight: 4, arbitrary: actionOf('declareDefault', { who, pick, tamper }) },
  { weight: 2, arbitrary: actionOf('replay', { pick }) },
  { weight: 1, arbitrary: actionOf('garbage', { who, variant: fc.constantFrom('whitespace', 'truncated', 'unknownType') }) },
);

export const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    accounts: fc.integer({ min: 6, max: MAX_ACCOUNTS }),
    allocations: fc.array(
      fc.record({
        usd: fc.oneof(fc.constant(0n), fc.bigInt({ min: 100_000_000n, max: 100_000_000_000n })),
        col: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1_000_000_000n, max: 50_000_000_000n })),
      }),
      { minLength: MAX_ACCOUNTS, maxLength: MAX_ACCOUNTS },
    ),
    actions: fc.array(action, { minLength: 40, maxLength: 120 }),
    cutFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ accounts, allocations, actions, cutFraction }) => ({ accounts, allocations, actions, cut: Math.floor(cutFraction * actions.length) }));
