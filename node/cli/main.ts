import { existsSync, readFileSync } from 'node:fs';
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
import { type Home, HomeError, homeDir, homePaths, initDevnetHome, loadHome } from '../home/home.js';
import { writeNetworkHomes } from '../home/network-homes.js';
import { audit, AUDIT_USAGE, type AuditCommands } from './audit.js';
import { BACKUP_USAGE, backupCommand, restoreCommand } from './backup.js';
import { runCluster } from './cluster.js';
import { statusCommand } from './status.js';
import { genesisFromCards, initJoin, operatorKeys } from './operator.js';
import { validatorsCommand, VALIDATORS_USAGE } from './validators.js';

const USAGE = `usage: lendnet <command>

commands:
  init --devnet [--home DIR]   write a devnet home: config, genesis, validator and faucet keys, admin token
  init --join GENESIS.json --peer MULTIADDR [--peer ...] [--listen MULTIADDR] [--snapshot] [--home DIR]
                               write a home that joins a network: a copy of its genesis, a config that
                               listens on MULTIADDR (else the card's address, else /ip4/127.0.0.1/tcp/26656)
                               and dials the peers (each ending in /p2p/<peer id>), and keys if none yet;
                               --snapshot: start from a verified state snapshot of the peers, not block 1
  start [--home DIR] [--init-devnet] [--port N] [--host ADDR] [--no-web] [--dev] [--observer]
                               run the node with its index, the API (/api/trpc) and the web app in one
                               process until SIGTERM or SIGINT, logging JSON lines; HTTP on ADDR
                               (127.0.0.1) port N (else $PORT, else 3000), with /healthz and /metrics.
                               --init-devnet: first write a devnet home if there is none;
                               --no-web: node, index and API only; --dev: the web app in Next's dev mode;
                               --observer: follow and verify the chain, never propose or vote.
                               The index is in DIR/index, or on the Postgres server at $DATABASE_URL;
                               operator calls need DIR/keys/admin-token, or $LENDNET_ADMIN_TOKEN if set
  reindex [--home DIR]         rebuild the node's index from its block store (the node stopped), then
                               compare it with the ledger state row by row
  status [--home DIR] [--json] the node's height, last block, peers, consensus, mempool and index, then
                               the verdict: healthy, or unhealthy with the reasons (not running, no block
                               for S s, too few peers, the index behind, stopped after a fault); exit 0 only
                               when healthy. --json: the same as one JSON object, for scripts
${BACKUP_USAGE}
${VALIDATORS_USAGE}
${AUDIT_USAGE}
  genesis --validators N --out DIR [--observers M] [--host ADDR] [--base-port P] [--chain-id ID]
                               write the homes of a network of N validators (and M observers) that
                               know each other: DIR/node0 ... listening on ADDR (127.0.0.1) from port P (26656)
  genesis --cards FILE... --out GENESIS.json [--chain-id ID] [--genesis-time SECONDS] [--faucet ACCOUNT]
                               assemble a network's genesis from its operators' validator cards (the
                               faucet issues the assets; else the first validator); print its hash and
                               the --peer addresses of the validators' nodes. A bad card writes nothing
  cluster [--dir DIR] [--validators N]
                               run a local network: write its homes in DIR (./.lendnet-cluster) on first
                               run, start every node as its own process, stop them all on SIGINT or SIGTERM
  keys new                     print a new ed25519 key pair (secret key and account) as JSON
  keys new --home DIR [--listen MULTIADDR]
                               make an operator's validator and node keys in DIR/keys (never overwriting
                               one) and print the public validator card, also written to DIR/validator-card.json
  keys show [--home DIR]       print the home's validator card: public parts only
  tx decode <wire|->           decode a signed transaction, check its signature, print it with its id
  help                         this text

The home folder is --home, else $LENDNET_HOME, else ./.lendnet.`;

/** Splits arguments into positionals and --flags (a flag takes the next word unless it is a switch). */
function parseArgs(argv: readonly string[], switches: ReadonlySet<string>): { words: string[]; flags: Map<string, string | true> } {
  const words: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) words.push(arg);
    else if (switches.has(arg)) flags.set(arg, true);
    else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value`);
      flags.set(arg, value);
      i++;
    }
  }
  return { words, flags };
}

/** Runs one command; returns the process exit code. Errors are one plain line on stderr. */
export async function main(argv: readonly string[], server: ServerCommands = {}): Promise<number> {
  try {
    const { words, flags } = parseArgs(argv, new Set(['--devnet', '--help', '--init-devnet', '--no-web', '--dev', '--observer', '--json', '--snapshot']));
    const [command, sub, arg] = words;
    const home = flags.get('--home');
    if (command === 'init' && flags.has('--join')) return await initJoin(argv, flags);
    if (command === 'init') return await init(typeof home === 'string' ? home : undefined, flags.has('--devnet'));
    if (command === 'keys' && (sub === 'show' || (sub === 'new' && (flags.has('--home') || flags.has('--listen'))))) return await operatorKeys(sub, flags);
    if (command === 'keys' && sub === 'new') return keysNew();
    if (command === 'tx' && sub === 'decode' && arg !== undefined) return txDecode(arg === '-' ? readFileSync(0, 'utf8').trim() : arg);
    if (command === undefined || command === 'help' || flags.has('--help')) {
      console.log(USAGE);
      return 0;
    }
    if (command === 'start') return await start(flags, server.start);
    if (command === 'reindex') return await reindex(stringFlag(flags, '--home'), server.reindex);
    if (command === 'audit') return await audit(words, flags, server.audit);
    if (command === 'genesis' && flags.has('--cards')) return await genesisFromCards(argv, flags);
    if (command === 'genesis') return await genesisCommand(flags);
    if (command === 'cluster') return await runCluster(flags);
    if (command === 'backup') return await backupCommand(flags);
    if (command === 'restore') return await restoreCommand(flags);
    if (command === 'status') return await statusCommand(typeof home === 'string' ? home : undefined, flags.has('--json'));
    if (command === 'validators') return await validatorsCommand(words.slice(1), flags);
    console.error(`lendnet: unknown command "${argv.join(' ')}"; run "lendnet help"`);
    return 2;
  } catch (error) {
    console.error(`lendnet: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

async function init(homeFlag: string | undefined, devnet: boolean): Promise<number> {
  if (!devnet) {
    console.error('lendnet: only devnet homes can be made so far: run "lendnet init --devnet"');
    return 2;
  }
  const home = homeDir(homeFlag);
  try {
    const genesis = await initDevnetHome(home, { genesisTime: Math.floor(Date.now() / 1000) });
    console.log(`wrote a devnet home for chain ${genesis.market.params.chainId} at ${home}`);
    return 0;
  } catch (error) {
    if (error instanceof HomeError) {
      console.error(`lendnet: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** What `lendnet start` runs: the home, whether to serve the web app (and Next's dev server), and where to listen. */
export interface StartRequest {
  readonly home: Home;
  readonly web: boolean;
  readonly dev: boolean;
  readonly host: string;
  readonly port: number;
  /** Follow and verify the chain without proposing or voting, even with a key in the validator set. */
  readonly observer: boolean;
}

/** Runs a node until SIGTERM or SIGINT; resolves with the exit code. */
export type StartCommand = (request: StartRequest) => Promise<number>;

/** The commands that live outside node/: bin/lendnet.js passes the server's (node/ never imports server/). */
export interface ServerCommands {
  readonly start?: StartCommand;
  /** Rebuilds a stopped node's index from its store; resolves with the exit code. */
  readonly reindex?: (home: Home) => Promise<number>;
  readonly audit?: AuditCommands;
}

const DEFAULT_HTTP_PORT = 3000;
const DEFAULT_HTTP_HOST = '127.0.0.1';

async function start(flags: ReadonlyMap<string, string | true>, run: StartCommand | undefined): Promise<number> {
  if (!run) throw new Error('start needs the server: run it as bin/lendnet.js start');
  const homeFlag = stringFlag(flags, '--home');
  const port = flags.has('--port') ? numberFlag(flags, '--port') : portFromEnv();
  if (port > 65_535) throw new Error('--port must be at most 65535');
  if (flags.has('--init-devnet') && !existsSync(homePaths(homeDir(homeFlag)).config)) {
    const code = await init(homeFlag, true);
    if (code !== 0) return code;
  }
  let home: Home;
  try {
    home = await loadHome(homeDir(homeFlag));
  } catch (error) {
    if (!(error instanceof HomeError)) throw error;
    console.error(`lendnet: ${error.message}`);
    return 1;
  }
  const observer = flags.has('--observer');
  if (observer && !home.config.network) throw new Error('--observer needs a node on a network; this home is a single-validator devnet');
  return run({ home, web: !flags.has('--no-web'), dev: flags.has('--dev'), host: stringFlag(flags, '--host') ?? DEFAULT_HTTP_HOST, port, observer });
}

async function reindex(homeFlag: string | undefined, run: ServerCommands['reindex']): Promise<number> {
  if (!run) throw new Error('reindex needs the server: run it as bin/lendnet.js reindex');
  try {
    return await run(await loadHome(homeDir(homeFlag)));
  } catch (error) {
    if (!(error instanceof HomeError)) throw error;
    console.error(`lendnet: ${error.message}`);
    return 1;
  }
}

function portFromEnv(): number {
  const value = process.env.PORT;
  if (value === undefined || value === '') return DEFAULT_HTTP_PORT;
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65_535) throw new Error(`PORT must be a port number, not "${value}"`);
  return Number(value);
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

/** A flag's whole-number value, or the default; anything else is an error naming the flag. */
export function numberFlag(flags: ReadonlyMap<string, string | true>, name: string, fallback?: number): number {
  const value = flags.get(name);
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !/^[0-9]{1,9}$/.test(value)) throw new Error(`${name} needs a whole number`);
  return Number(value);
}

function stringFlag(flags: ReadonlyMap<string, string | true>, name: string): string | undefined {
  const value = flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

async function genesisCommand(flags: ReadonlyMap<string, string | true>): Promise<number> {
  const out = stringFlag(flags, '--out');
  if (out === undefined) throw new Error('genesis needs --out DIR');
  const host = stringFlag(flags, '--host');
  const chainId = stringFlag(flags, '--chain-id');
  try {
    const { genesis, homes } = await writeNetworkHomes(out, {
      validators: numberFlag(flags, '--validators'),
      observers: numberFlag(flags, '--observers', 0),
      basePort: numberFlag(flags, '--base-port', 26656),
      genesisTime: Math.floor(Date.now() / 1000),
      ...(host ? { host } : {}),
      ...(chainId ? { chainId } : {}),
    });
    console.log(`wrote ${homes.length} homes for chain ${genesis.market.params.chainId} (${genesis.validators.length} validators):`);
    for (const home of homes) console.log(`  ${home.dir}  ${home.validator ? 'validator' : 'observer '}  ${home.address}/p2p/${home.peerId}`);
    return 0;
  } catch (error) {
    if (error instanceof HomeError) {
      console.error(`lendnet: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
