/**
 * A node under load, for the crash test: runs the node of the home given as argv[2] and
 * submits transfers and faucet payouts from a few accounts as fast as they commit, printing
 * `committed <tx id> <height>` for every transaction the node reports committed. The test
 * kills this process with SIGKILL at random moments.
 */
import { pino } from 'pino';
import { type KeyPair, keyPairFromSecret, signTransaction, utf8 } from '../../contracts/index.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { loadHome } from '../home/home.js';
import { runNode } from './run.js';

const home = await loadHome(process.argv[2] as string);
const { node } = await runNode(home, pino({ level: 'silent' }));
const accounts: KeyPair[] = ['a', 'b', 'c', 'd'].map((name) => keyPairFromSecret(sha256(utf8(`crash-${name}`))));

async function drive(key: KeyPair, peer: KeyPair): Promise<never> {
  for (let round = 0; ; round++) {
    const nonce = node.account(key.account).nonce;
    const body = round % 3 === 0 ? { asset: 'USD', amount: 1_000n } : { asset: 'USD', to: peer.account, amount: 1n };
    const type = round % 3 === 0 ? 'faucet' : 'transfer';
    const signed = signTransaction({ chainId: node.chainId, type, signer: key.account, nonce, body }, key.secretKey);
    const result = await node.submit(signed.encoded);
    if (result.status === 'committed') process.stdout.write(`committed ${result.id} ${result.height}\n`);
  }
}

await Promise.all(accounts.map((key, i) => drive(key, accounts[(i + 1) % accounts.length] as KeyPair)));
