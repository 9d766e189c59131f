#!/usr/bin/env node
// The operator command. Sources are TypeScript; tsx loads them without a build step.
import { register } from 'tsx/esm/api';

register();
// A reader that stops early (`lendnet status | head -1`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const { main } = await import('../node/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  // `start` runs the whole product and `reindex` rebuilds its index (server/), loaded only for those commands: node/ never imports server/.
  start: async (request) => (await import('../server/start.ts')).start(request),
  reindex: async (home) => (await import('../server/reindex.ts')).reindex(home),
});
