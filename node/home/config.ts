import { parseJson } from '../../contracts/codec/canonical.js';
import { arrayOf, boolean, integer, matching, object, oneOf, optional } from '../../contracts/codec/schema.js';

/** How an operator runs a node; read from `config.json` in the node's home. */
export interface NodeConfig {
  /** Milliseconds between blocks on a single-validator chain. */
  readonly blockIntervalMs: number;
  /** Whether to commit blocks that hold no transaction. */
  readonly emptyBlocks: boolean;
  readonly mempool: { readonly maxTxs: number; readonly maxPerAccount: number };
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /**
   * The node's place in a network of operator nodes; absent on a single-validator devnet.
   * `listen` is this node's libp2p multiaddr; `peers` are multiaddrs (ending in /p2p/<peer id>)
   * it dials and keeps dialling.
   */
  readonly network?: {
    readonly listen: string;
    readonly peers: readonly string[];
    /** Connections kept open at most (the p2p host's default, 50, when absent). */
    readonly maxPeers?: number;
    /**
     * Whether a node with no blocks yet starts from a state snapshot its peers serve (verified
     * against a commit certificate and the header's state root) instead of syncing from block 1.
     * A node that holds blocks ignores it.
     */
    readonly stateSync?: boolean;
  };
  /**
   * The API's limit per client address (server/http/rate-limit.ts's defaults when absent); 0 a
   * minute turns it off. `corsOrigins`: other web origins (`https://ops.example.org`) whose pages
   * may call the API from a browser; none when absent (server/http/cross-origin.ts).
   */
  readonly api?: { readonly requestsPerMinutePerIp: number; readonly burstPerIp: number; readonly corsOrigins?: readonly string[] };
  /** Tendermint's round timeouts on a network: the first round's, and how much each later round adds. */
  readonly consensus?: { readonly proposeMs: number; readonly voteMs: number; readonly incrementMs: number };
}

export const DEFAULT_CONFIG: NodeConfig = {
  blockIntervalMs: 1_000,
  emptyBlocks: false,
  mempool: { maxTxs: 50_000, maxPerAccount: 64 },
  logLevel: 'info',
};

const configDecoder = object({
  blockIntervalMs: integer(10, 600_000),
  emptyBlocks: boolean,
  mempool: object({ maxTxs: integer(1, 10_000_000), maxPerAccount: integer(1, 100_000) }),
  logLevel: oneOf('trace', 'debug', 'info', 'warn', 'error'),
  network: optional(
    object({
      listen: matching(/^\/(ip4|ip6|dns4|dns6)\/[^/\s]+\/tcp\/[0-9]{1,5}$/, 'a multiaddr like /ip4/127.0.0.1/tcp/26656'),
      peers: arrayOf(matching(/^\/(ip4|ip6|dns4|dns6)\/[^/\s]+\/tcp\/[0-9]{1,5}\/p2p\/[1-9A-HJ-NP-Za-km-z]{40,60}$/, 'a multiaddr ending in /p2p/<peer id>'), 256),
      maxPeers: optional(integer(1, 10_000)),
      stateSync: optional(boolean),
    }),
  ),
  api: optional(
    object({
      requestsPerMinutePerIp: integer(0, 10_000_000),
      burstPerIp: integer(1, 10_000_000),
      corsOrigins: optional(arrayOf(matching(/^https?:\/\/[a-z0-9.-]+(:[0-9]{1,5})?$/, 'an origin like https://ops.example.org (scheme, host and port; lowercase; no path)'), 64)),
    }),
  ),
  consensus: optional(object({ proposeMs: integer(10, 600_000), voteMs: integer(10, 600_000), incrementMs: integer(0, 600_000) })),
});

/** The config file's text, with integers as decimal strings like every Lendnet file. */
export function encodeConfig(config: NodeConfig): string {
  const { consensus, network, api } = config;
  return `${JSON.stringify(
    {
      ...config,
      blockIntervalMs: String(config.blockIntervalMs),
      mempool: { maxTxs: String(config.mempool.maxTxs), maxPerAccount: String(config.mempool.maxPerAccount) },
      ...(network?.maxPeers !== undefined ? { network: { ...network, maxPeers: String(network.maxPeers) } } : {}),
      ...(api ? { api: { ...api, requestsPerMinutePerIp: String(api.requestsPerMinutePerIp), burstPerIp: String(api.burstPerIp) } } : {}),
      ...(consensus ? { consensus: { proposeMs: String(consensus.proposeMs), voteMs: String(consensus.voteMs), incrementMs: String(consensus.incrementMs) } } : {}),
    },
    null,
    2,
  )}\n`;
}

/** Reads a config file's text; a bad one throws a Refusal naming the field. */
export function decodeConfig(text: string): NodeConfig {
  return configDecoder(parseJson(text, 1024 * 1024), 'config');
}
