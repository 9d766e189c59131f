import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { genesisHash } from '../../contracts/audit/genesis-hash.js';
import { isValidAccountId } from '../../contracts/index.js';
import { encodeGenesis } from '../home/genesis-file.js';
import { HomeError, homeDir } from '../home/home.js';
import { createOperatorKeys, readHomeCard, writeJoinHome } from '../home/join.js';
import { assembleGenesis, encodeCard, peerAddress, readCards } from '../home/validator-card.js';

/**
 * The commands operators run to form a network from their own machines: each makes keys and
 * shares a public card (`keys new --home`, `keys show`), one assembles the genesis from every
 * card (`genesis --cards`), and each turns their home into one that joins (`init --join`).
 * Failures are HomeErrors, which the command prints as one plain line.
 */

type Flags = ReadonlyMap<string, string | true>;

function stringFlag(flags: Flags, name: string): string | undefined {
  const value = flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** Every value of a flag given more than once (`--peer A --peer B`), in order. */
export function repeatedFlag(argv: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) if (argv[i] === name && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) values.push(argv[i + 1]!);
  return values;
}

/** The words that follow a flag up to the next flag (`--cards a.json b.json`), so a shell glob works. */
export function wordsAfterFlag(argv: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== name) continue;
    for (let j = i + 1; j < argv.length && !argv[j]!.startsWith('--'); j++) values.push(argv[j]!);
  }
  return values;
}

/** `keys new --home DIR [--listen MULTIADDR]` and `keys show [--home DIR]`: print the home's card. */
export async function operatorKeys(sub: 'new' | 'show', flags: Flags): Promise<number> {
  if (sub === 'new') {
    const home = stringFlag(flags, '--home');
    if (home === undefined) throw new HomeError('keys new --listen needs --home DIR, where the keys are kept');
    const card = await createOperatorKeys(resolve(home), stringFlag(flags, '--listen'));
    process.stdout.write(encodeCard(card));
    return 0;
  }
  process.stdout.write(encodeCard(await readHomeCard(homeDir(stringFlag(flags, '--home')))));
  return 0;
}

const DEFAULT_CHAIN_ID = 'lendnet-network';

/**
 * `genesis --cards FILE... --out GENESIS.json [--chain-id ID] [--genesis-time SECONDS] [--faucet ACCOUNT]`:
 * checks every card, writes the genesis, and prints its hash (for operators to compare their
 * copies) and the --peer addresses of the validators' nodes. A bad card writes nothing.
 */
export async function genesisFromCards(argv: readonly string[], flags: Flags): Promise<number> {
  const out = stringFlag(flags, '--out');
  if (out === undefined) throw new HomeError('genesis --cards needs --out GENESIS.json');
  const chainId = stringFlag(flags, '--chain-id') ?? DEFAULT_CHAIN_ID;
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(chainId)) throw new HomeError('--chain-id must be lowercase letters, digits and dashes, at most 64');
  const timeFlag = stringFlag(flags, '--genesis-time');
  if (timeFlag !== undefined && (!/^[0-9]{1,12}$/.test(timeFlag) || Number(timeFlag) > 2 ** 40)) throw new HomeError('--genesis-time must be a time in whole seconds since 1970');
  const faucet = stringFlag(flags, '--faucet');
  if (faucet !== undefined && (!/^[0-9a-f]{64}$/.test(faucet) || !isValidAccountId(faucet))) throw new HomeError('--faucet must be an account: an acceptable ed25519 public key in 64 lowercase hex characters');
  if (existsSync(out)) throw new HomeError(`${out} already exists; choose another --out or remove it`);

  const cards = (await readCards(wordsAfterFlag(argv, '--cards'))).map(({ card }) => card);
  const genesis = assembleGenesis(cards, {
    chainId,
    genesisTime: timeFlag === undefined ? Math.floor(Date.now() / 1000) : Number(timeFlag),
    ...(faucet === undefined ? {} : { faucet }),
  });
  await mkdir(dirname(resolve(out)), { recursive: true });
  await writeFile(out, `${encodeGenesis(genesis)}\n`, { flag: 'wx' });
  console.log(`wrote ${out}: chain ${chainId}, ${genesis.validators.length} validators, genesis time ${genesis.genesisTime}, genesis hash ${genesisHash(genesis)}`);
  console.log(`peers: ${cards.map((card) => `--peer ${peerAddress(card)}`).join(' ')}`);
  return 0;
}

/** `init --join GENESIS.json --peer MULTIADDR [--peer ...] [--listen MULTIADDR] [--snapshot] [--home DIR]`. */
export async function initJoin(argv: readonly string[], flags: Flags): Promise<number> {
  const genesisFile = stringFlag(flags, '--join');
  if (genesisFile === undefined) throw new HomeError('init --join needs the genesis file');
  const home = homeDir(stringFlag(flags, '--home'));
  const listen = stringFlag(flags, '--listen');
  const stateSync = flags.get('--snapshot') === true;
  const joined = await writeJoinHome(home, { genesisFile, peers: repeatedFlag(argv, '--peer'), stateSync, ...(listen === undefined ? {} : { listen }) });
  const chainId = joined.genesis.market.params.chainId;
  const role = joined.validator ? 'a validator' : 'an observer (its key is not in the validator set)';
  console.log(`wrote a home at ${home} that joins chain ${chainId} as ${role}${joined.madeKeys ? ', with new keys' : ''}`);
  if (stateSync) console.log('  it starts from a state snapshot served by its peers, checked against a commit certificate and the state root');
  console.log(`  listening on ${peerAddress(joined.card)}; start it with: lendnet start --home ${home}`);
  return 0;
}
