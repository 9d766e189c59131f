import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * The web app, served by the same process as the ledger node (server/http/host.ts).
 * @type {import('next').NextConfig}
 */
const config = {
  // Native and WebAssembly packages stay outside the bundle and load from node_modules.
  serverExternalPackages: ['classic-level', 'lmdb', '@electric-sql/pglite', '@electric-sql/pglite-socket', 'postgres', 'pino'],
  // The app's own tsconfig: `next build` edits the one it is given, and the root one stays as typecheck wants it.
  typescript: { tsconfigPath: 'tsconfig.app.json' },
  turbopack: {
    root,
    // contracts/ imports its modules as `./x.js` (Node ESM style); Turbopack needs them without the `.js`.
    rules: {
      '*.ts': [{ condition: { path: /(^|[\\/])contracts[\\/].*\.ts$/ }, loaders: ['./app/build/contracts-specifier-loader.cjs'], as: '*.ts' }],
    },
  },
  outputFileTracingRoot: root,
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
