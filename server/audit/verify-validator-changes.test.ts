import { beforeAll, describe, expect, test } from 'vitest';
import { blockHash, decodeBlock, decodeCommit, encodeCommit, precommitBytes, signMessage, toHex, utf8, validatorsHash } from '../../contracts/index.js';
import { CHAIN_ID } from '../../contracts/test/fixtures.js';
import type { Genesis } from '../../node/home/genesis-file.js';
import { decodeValidatorChanges, encodeValidatorChanges, VALIDATOR_CHANGES_KEY } from '../../node/ledger/validator-changes.js';
import { blockKey, commitKey, type MemoryStoreData, nodeDataKey, openMemoryStore } from '../../node/store/index.js';
import { verifyChain } from './verify-chain.js';
import { AUDIT_VALIDATORS, type AuditChainFigures, buildAuditChain, JOINING_VALIDATOR, LEAVING_VALIDATOR } from './verify-test-chain.js';

/**
 * `lendnet audit verify` on a chain whose validator set changed twice by transaction: each
 * block's commit is checked against the set of its height, not the genesis set.
 */

let data: MemoryStoreData;
let genesis: Genesis;
let figures: AuditChainFigures;
let head: number;

beforeAll(async () => {
  data = new Map();
  const built = await buildAuditChain(await openMemoryStore(data), { actors: 4, rounds: 4, changeValidators: true });
  ({ genesis, figures } = built);
  head = built.chain.head().height;
}, 60_000);

const latin1 = (key: Uint8Array) => Buffer.from(key).toString('latin1');

async function auditTampered(tamper: (copy: MemoryStoreData) => void) {
  const copy = new Map(data);
  tamper(copy);
  return verifyChain(await openMemoryStore(copy), genesis);
}

describe('the replay of a chain whose validator set changed', () => {
  test('verifies, each block committed by the set of its height', async () => {
    expect(figures.validatorChanges).toHaveLength(2);
    const audit = await verifyChain(await openMemoryStore(data), genesis);
    expect(audit.fault).toBeUndefined();
    expect(audit.blocks).toBe(head);
    const [joined, left] = figures.validatorChanges.map((height) => height + 2);
    const genesisSet = AUDIT_VALIDATORS.map((v) => ({ account: v.account, power: 1 }));
    const fiveSet = [...genesisSet, { account: JOINING_VALIDATOR.account, power: 1 }];
    const lastSet = fiveSet.filter((v) => v.account !== LEAVING_VALIDATOR.account);
    const setHashOf = (height: number) => audit.replayed[height - 1]!.header.validatorsHash;
    expect(setHashOf(joined! - 1)).toBe(validatorsHash(genesisSet));
    expect(setHashOf(joined!)).toBe(validatorsHash(fiveSet));
    expect(setHashOf(left! - 1)).toBe(validatorsHash(fiveSet));
    expect(setHashOf(left!)).toBe(validatorsHash(lastSet));
    expect(setHashOf(head)).toBe(validatorsHash(lastSet));
  });

  test('a commit signed by the genesis set after that set was replaced is named', async () => {
    // Every validator of genesis signs a late block: a quorum of the genesis set, but one of
    // them has left the set of that height.
    const height = figures.validatorChanges[1]! + 3;
    const audit = await auditTampered((copy) => {
      const header = decodeBlock(copy.get(latin1(blockKey(height)))!).header;
      const hash = blockHash(header);
      const message = precommitBytes(CHAIN_ID, height, 0, hash);
      const precommits = AUDIT_VALIDATORS.map((key) => ({ validator: key.account, signature: toHex(signMessage(key.secretKey, message)) }));
      copy.set(latin1(commitKey(height)), utf8(encodeCommit({ height, round: 0, blockHash: hash, precommits })));
    });
    expect(audit.fault).toEqual({ height, what: `block ${height}: the commit certificate does not verify (UNKNOWN_VALIDATOR)` });
    expect(audit.blocks).toBe(height - 1);
  });

  test('a commit by the new set of a block it does not yet commit is named', async () => {
    // The block right after the adoption is still the old set's; the joining validator's precommit is foreign there.
    const height = figures.validatorChanges[0]! + 1;
    const audit = await auditTampered((copy) => {
      const commit = decodeCommit(copy.get(latin1(commitKey(height)))!);
      const signature = toHex(signMessage(JOINING_VALIDATOR.secretKey, precommitBytes(CHAIN_ID, height, 0, commit.blockHash)));
      copy.set(latin1(commitKey(height)), utf8(encodeCommit({ ...commit, precommits: [...commit.precommits, { validator: JOINING_VALIDATOR.account, signature }] })));
    });
    expect(audit.fault).toEqual({ height, what: `block ${height}: the commit certificate does not verify (UNKNOWN_VALIDATOR)` });
  });

  test("the store's proofs of validator changes, missing or altered: named at the head", async () => {
    const key = latin1(nodeDataKey(VALIDATOR_CHANGES_KEY));
    expect(decodeValidatorChanges(data.get(key)!)).toHaveLength(2);
    const missing = await auditTampered((copy) => copy.delete(key));
    expect(missing.fault).toEqual({ height: head, what: `block ${head}: the store keeps no proofs of validator changes, but the chain adopted 2` });
    const shortened = await auditTampered((copy) => copy.set(key, encodeValidatorChanges(decodeValidatorChanges(data.get(key)!).slice(0, 1))));
    expect(shortened.fault).toEqual({ height: head, what: `block ${head}: the proofs of validator changes the store keeps differ from those of the 2 changes the chain adopted` });
  });
});
