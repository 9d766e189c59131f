'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import type { ApiOutputs } from './api-types';
import { plural, shortHex } from './format';
import { AccountLink, BlockLink, LoadError, TableScroll } from './ui';

type ValidatorSet = ApiOutputs['chain']['validators'];
type Validator = ValidatorSet['validators'][number];
type Proposal = ValidatorSet['proposals'][number];

/** How often the set is read again: it changes only by transactions, but a change is followed block by block. */
const REFRESH_EVERY_MS = 5_000;

/** A share of the voting power as a percentage with two decimals, without floating-point money. */
function shareText(power: number, total: number): string {
  if (total <= 0) return '—';
  const hundredths = Math.round((power * 10_000) / total);
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')} %`;
}

const powerOf = (validators: readonly Validator[]) => validators.reduce((sum, v) => sum + v.power, 0);

/** The power a proposal's signers hold in the set, and the most power that is still not enough (2/3 of the total). */
function approvalPower(proposal: Proposal, set: readonly Validator[]): { readonly power: number; readonly total: number; readonly short: number } {
  const signers = new Set(proposal.approvals);
  const total = powerOf(set);
  return { power: powerOf(set.filter((v) => signers.has(v.account))), total, short: Math.floor((2 * total) / 3) };
}

/** What a proposal changes, in words, against the set it would change. */
function ChangeText({ proposal, set }: { readonly proposal: Proposal; readonly set: readonly Validator[] }) {
  const current = set.find((v) => v.account === proposal.account);
  const account = <AccountLink account={proposal.account} />;
  if (proposal.power === 0) return <>Remove {account}</>;
  if (current) {
    return (
      <>
        Power of {account}: {current.power.toLocaleString('en-US')} → {proposal.power.toLocaleString('en-US')}
      </>
    );
  }
  return (
    <>
      Add {account} with power {proposal.power.toLocaleString('en-US')}
    </>
  );
}

/** Each validator with its power and share; with `before`, a column says what changed from that set. */
function ValidatorTable({ label, validators, before }: { readonly label: string; readonly validators: readonly Validator[]; readonly before?: readonly Validator[] }) {
  const total = powerOf(validators);
  const changeOf = (validator: Validator): string => {
    const old = before?.find((v) => v.account === validator.account);
    if (!old) return 'added';
    return old.power === validator.power ? '' : `power ${old.power.toLocaleString('en-US')} → ${validator.power.toLocaleString('en-US')}`;
  };
  return (
    <TableScroll label={`${label}, scrollable`}>
      <table className="data-table">
        <caption className="sr-only">{label}</caption>
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col" className="num">
              Power
            </th>
            <th scope="col" className="num">
              Share
            </th>
            {before && <th scope="col">Change</th>}
          </tr>
        </thead>
        <tbody>
          {validators.map((validator) => (
            <tr key={validator.account}>
              <th scope="row">
                <AccountLink account={validator.account} />
              </th>
              <td className="num">{validator.power.toLocaleString('en-US')}</td>
              <td className="num">{shareText(validator.power, total)}</td>
              {before && <td>{changeOf(validator)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

/** The adopted change: the set that signs from its first block on, and who leaves. */
function AdoptedChange({ data, Heading }: { readonly data: ValidatorSet; readonly Heading: 'h3' | 'h4' }) {
  const next = data.next;
  if (!next) return null;
  const removed = data.validators.filter((v) => !next.validators.some((n) => n.account === v.account));
  return (
    <>
      <Heading id="validators-next-heading">Change waiting to take effect</Heading>
      <p>
        From block <BlockLink height={next.from} /> on, {next.validators.length === 1 ? 'one validator signs' : `${next.validators.length} validators sign`} (
        {powerOf(next.validators).toLocaleString('en-US')} power in all); the set above signs the blocks before it. No other change can be proposed until then.
      </p>
      {removed.length > 0 && (
        <p>
          Leaving the set:{' '}
          {removed.map((v, i) => (
            <span key={v.account}>
              {i > 0 && ', '}
              <AccountLink account={v.account} />
            </span>
          ))}
          .
        </p>
      )}
      <ValidatorTable label="Validators from the change on" validators={next.validators} before={data.validators} />
    </>
  );
}

/** The open proposals with their signers and the power they hold. */
function OpenProposals({ data, Heading }: { readonly data: ValidatorSet; readonly Heading: 'h3' | 'h4' }) {
  return (
    <>
      <Heading id="validators-proposals-heading">Open proposals</Heading>
      {data.proposals.length === 0 ? (
        <p className="muted">No proposal to change the validator set is open.</p>
      ) : (
        <TableScroll label="Open validator proposals, scrollable">
          <table className="data-table">
            <caption className="sr-only">Open validator proposals</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Proposal
                </th>
                <th scope="col">Change</th>
                <th scope="col">Proposed by</th>
                <th scope="col" className="num">
                  In block
                </th>
                <th scope="col">Approvals</th>
              </tr>
            </thead>
            <tbody>
              {data.proposals.map((proposal) => {
                const tally = approvalPower(proposal, data.validators);
                return (
                  <tr key={proposal.id}>
                    <th scope="row" className="num">
                      #{proposal.id}
                    </th>
                    <td>
                      <ChangeText proposal={proposal} set={data.validators} />
                    </td>
                    <td>
                      <AccountLink account={proposal.proposer} />
                    </td>
                    <td className="num">
                      <BlockLink height={proposal.height} />
                    </td>
                    <td>
                      {plural(proposal.approvals.length, 'validator')}, power {tally.power.toLocaleString('en-US')} of {tally.total.toLocaleString('en-US')} (adopted
                      above {tally.short.toLocaleString('en-US')}):{' '}
                      {proposal.approvals.map((account, i) => (
                        <span key={account}>
                          {i > 0 && ', '}
                          <AccountLink account={account} />
                        </span>
                      ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}

/**
 * The validators that sign the next block with their voting power, a change adopted and waiting
 * to take effect, and the open proposals to change the set (`lendnet validators` shows the same).
 */
export function Validators({ headingLevel = 2 }: { readonly headingLevel?: 2 | 3 }) {
  const trpc = useTRPC();
  // chain.validators is not refreshed by new blocks (live.tsx counts it settled), so it is read on a timer.
  const validators = useQuery({ ...trpc.chain.validators.queryOptions(), staleTime: REFRESH_EVERY_MS, refetchInterval: REFRESH_EVERY_MS });
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const SubHeading = headingLevel === 2 ? 'h3' : 'h4';
  const data = validators.data;
  return (
    <section id="validators" aria-labelledby="validators-heading" className="card">
      <Heading id="validators-heading">Validators</Heading>
      {validators.isPending && <p className="muted">Reading the validator set…</p>}
      {validators.isError && !data && <LoadError what="the validators" error={validators.error} retry={() => void validators.refetch()} />}
      {data && (
        <>
          <p className="muted small">
            {data.validators.length === 1 ? 'One validator signs' : `${data.validators.length} validators sign`} the next block,{' '}
            {data.height.toLocaleString('en-US')}; a block needs the signatures of more than two thirds of the voting power (
            {data.totalPower.toLocaleString('en-US')} in all). Set hash <code title={data.validatorsHash}>{shortHex(data.validatorsHash)}</code>.
          </p>
          {data.validators.length === 0 ? <p className="muted">This chain names no validators.</p> : <ValidatorTable label="Validators" validators={data.validators} />}
          <AdoptedChange data={data} Heading={SubHeading} />
          <OpenProposals data={data} Heading={SubHeading} />
          <p className="muted small">
            A validator proposes adding a validator, changing one&apos;s power or removing one; other validators approve it. Once the validators that signed
            it hold more than two thirds of the power, the change is adopted, the new set signs from two blocks later, and the other open proposals are
            dropped.
          </p>
        </>
      )}
    </section>
  );
}
