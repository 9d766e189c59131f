import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../codec/canonical.js';
import { CHAIN_ID, testGenesis, testKey } from '../test/fixtures.js';
import { encodeGenesisDocument, type GenesisDocument, genesisDocumentDecoder, genesisHash } from './genesis-hash.js';
import { verifyLoanFile } from './loan-file.js';

const here = dirname(fileURLToPath(import.meta.url));
const contractsDir = resolve(here, '..');

/** Every module the verifier loads, following its imports from loan-file.ts; packages are listed as they are named. */
function importGraph(entry: string): { readonly files: Set<string>; readonly packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, specifier] of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/g)) {
      if (!specifier!.startsWith('.')) packages.add(specifier!);
      else visit(resolve(dirname(file), specifier!.replace(/\.js$/, '.ts')));
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the loan file verifier runs in a browser', () => {
  it('loads only code of contracts/ and the portable hash and curve packages', () => {
    const { files, packages } = importGraph(join(here, 'loan-file.ts'));
    expect(files.size).toBeGreaterThan(10);
    for (const file of files) expect(relative(contractsDir, file).startsWith('..'), file).toBe(false);
    expect([...packages].sort()).toEqual(['@noble/curves/ed25519.js', '@noble/hashes/sha2.js']);
  });
});

describe('the genesis hash', () => {
  const genesis: GenesisDocument = { genesisTime: 1_000, market: testGenesis(), validators: [{ account: testKey('validator').account, power: 1 }] };

  it('is SHA-256 of the canonical encoding of the genesis document', () => {
    const text = encodeGenesisDocument(genesis);
    expect(text.startsWith('{"genesisTime":"1000","market":{"allocations":[],"assets":[{"decimals":"6","id":"USD"')).toBe(true);
    expect(text).not.toMatch(/\s"|":\s|\n/);
    expect(genesisHash(genesis)).toBe(toHex(sha256(utf8(text))));
  });

  it('decodes the encoding back to the same document, and changes with every field', () => {
    const decoded = genesisDocumentDecoder(JSON.parse(encodeGenesisDocument(genesis)), 'genesis');
    expect(decoded).toEqual(genesis);
    expect(genesisHash(decoded)).toBe(genesisHash(genesis));
    expect(genesisHash({ ...genesis, genesisTime: 1_001 })).not.toBe(genesisHash(genesis));
    expect(genesisHash({ ...genesis, validators: [{ ...genesis.validators[0]!, power: 2 }] })).not.toBe(genesisHash(genesis));
    expect(genesisHash({ ...genesis, market: testGenesis({ params: { ...genesis.market.params, chainId: `${CHAIN_ID}-2` } }) })).not.toBe(genesisHash(genesis));
  });
});

describe('a loan file of unknown origin', () => {
  it('gives a verdict naming the fault for every input, never an exception', () => {
    const inputs: unknown[] = [null, undefined, 0, 'x', [], {}, { format: 'lendnet-loan-file/2', loanId: '1' }, { format: 'lendnet-loan-file/1', loanId: '1' }, { format: { toString: null } }, Object.create(null)];
    for (const input of inputs) {
      const verdict = verifyLoanFile(input);
      expect(verdict.ok).toBe(false);
      expect(verdict.failure?.what).toMatch(/^the file is not a well-formed loan file: /);
      expect(verdict.checks).toEqual({ validatorChanges: 0, headers: 0, commits: 0, txs: 0 });
    }
  });
});
