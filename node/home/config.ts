import { parseJson } from '../../contracts/codec/canonical.js';
import { boolean, integer, object, oneOf } from '../../contracts/codec/schema.js';

/** How an operator runs a node; read from `config.json` in the node's home. */
export interface NodeConfig {
  /** Milliseconds between blocks on a single-validator chain. */
  readonly blockIntervalMs: number;
  /** Whether to commit blocks that hold no transaction. */
  readonly emptyBlocks: boolean;
  readonly mempool: { readonly maxTxs: number; readonly maxPerAccount: number };
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
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
});

/** The config file's text, with integers as decimal strings like every Lendnet file. */
export function encodeConfig(config: NodeConfig): string {
  return `${JSON.stringify(
    { ...config, blockIntervalMs: String(config.blockIntervalMs), mempool: { maxTxs: String(config.mempool.maxTxs), maxPerAccount: String(config.mempool.maxPerAccount) } },
    null,
    2,
  )}\n`;
}

/** Reads a config file's text; a bad one throws a Refusal naming the field. */
export function decodeConfig(text: string): NodeConfig {
  return configDecoder(parseJson(text, 1024 * 1024), 'config');
}
