import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromHex, keyPairFromSecret, signTransaction } from '../../contracts/index.js';
import { main } from './main.js';

/** A transfer signed by a fixed key. */
function signedTransfer() {
  const key = keyPairFromSecret(new Uint8Array(32).fill(7));
  const to = keyPairFromSecret(new Uint8Array(32).fill(8)).account;
  return signTransaction({ chainId: 'lendnet-test', type: 'transfer', signer: key.account, nonce: 0n, body: { asset: 'USD', to, amount: 5n } }, key.secretKey);
}

function capture(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
  return { out, err };
}

afterEach(() => vi.restoreAllMocks());

describe('lendnet command', () => {
  it('keys new prints a key pair whose account matches its secret', async () => {
    const { out } = capture();
    expect(await main(['keys', 'new'])).toBe(0);
    const printed = JSON.parse(out.join('\n')) as { secretKey: string; account: string };
    expect(printed.secretKey).toMatch(/^[0-9a-f]{64}$/);
    expect(keyPairFromSecret(fromHex(printed.secretKey)).account).toBe(printed.account);
  });

  it('tx decode prints the id of a well-signed transaction and exits 0', async () => {
    const signed = signedTransfer();
    const { out } = capture();
    expect(await main(['tx', 'decode', signed.encoded])).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ id: signed.id, signatureValid: true });
  });

  it('tx decode names the refusal code of bad input in one line and exits 1', async () => {
    const { err } = capture();
    expect(await main(['tx', 'decode', '{"body":{}}'])).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain('MISSING_FIELD');
  });

  it('init --devnet writes a home once, then refuses in one plain line', async () => {
    const home = join(await mkdtemp(join(tmpdir(), 'lendnet-cli-')), 'home');
    const { err } = capture();
    expect(await main(['init', '--devnet', '--home', home])).toBe(0);
    expect(await main(['init', '--devnet', '--home', home])).toBe(1);
    expect(err).toHaveLength(1);
    expect(await main(['init', '--home'])).toBe(1);
  });

  it('an unknown command is one plain error line and a non-zero exit', async () => {
    const { err } = capture();
    expect(await main(['frobnicate'])).toBe(2);
    expect(err).toHaveLength(1);
  });
});
