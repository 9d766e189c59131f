import { readFileSync } from 'node:fs';
import {
  bodyDecoder,
  decodeTransaction,
  encodeCanonical,
  generateKeyPair,
  hasValidSignature,
  isRefusal,
  toHex,
  type CanonicalValue,
} from '../../contracts/index.js';

const USAGE = `usage: lendnet <command>

commands:
  keys new                 print a new ed25519 key pair (secret key and account) as JSON
  tx decode <wire|->       decode a signed transaction, check its signature, print it with its id
  help                     this text

The ledger node (init, start, status) is not built yet.`;

/** Runs one command; returns the process exit code. Errors are one plain line on stderr. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, sub, arg] = argv;
  try {
    if (command === 'keys' && sub === 'new') return keysNew();
    if (command === 'tx' && sub === 'decode' && arg !== undefined) return txDecode(arg === '-' ? readFileSync(0, 'utf8').trim() : arg);
    if (command === undefined || command === 'help' || command === '--help') {
      console.log(USAGE);
      return 0;
    }
    if (command === 'start' || command === 'init' || command === 'status') {
      console.error(`lendnet: "${command}" needs the ledger node, which is not built yet; see README.md`);
      return 1;
    }
    console.error(`lendnet: unknown command "${argv.join(' ')}"; run "lendnet help"`);
    return 2;
  } catch (error) {
    console.error(`lendnet: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function keysNew(): number {
  const key = generateKeyPair();
  console.log(JSON.stringify({ secretKey: toHex(key.secretKey), account: key.account }, null, 2));
  return 0;
}

function txDecode(wire: string): number {
  try {
    const signed = decodeTransaction(wire, { bodyOf: bodyDecoder });
    const out = {
      id: signed.id,
      signatureValid: hasValidSignature(signed),
      tx: JSON.parse(encodeCanonical({ ...signed.tx, body: signed.tx.body as CanonicalValue })) as unknown,
    };
    console.log(JSON.stringify(out, null, 2));
    return out.signatureValid ? 0 : 1;
  } catch (error) {
    if (!isRefusal(error)) throw error;
    console.error(`lendnet: refused ${error.code}: ${error.message}`);
    return 1;
  }
}
