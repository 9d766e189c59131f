import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { homePaths } from '../home/home.js';
import { writeNetworkHomes } from '../home/network-homes.js';

/** The operator command's entry point, which each node of the cluster runs as its own process. */
const LENDNET_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'lendnet.js');

/**
 * `lendnet cluster`: a local network of validators on 127.0.0.1, one process each (as
 * operators would run them), for development. Writes the homes on first run; prefixes each
 * node's log lines with its name; on SIGINT or SIGTERM stops every node and waits for them.
 * Exits non-zero if a node exits on its own.
 */
export async function runCluster(flags: ReadonlyMap<string, string | true>): Promise<number> {
  const dirFlag = flags.get('--dir');
  const dir = resolve(typeof dirFlag === 'string' ? dirFlag : '.lendnet-cluster');
  const countFlag = flags.get('--validators');
  const validators = typeof countFlag === 'string' && /^[0-9]{1,3}$/.test(countFlag) ? Number(countFlag) : 4;
  if (!existsSync(join(dir, 'node0', 'config.json'))) {
    await writeNetworkHomes(dir, { validators, genesisTime: Math.floor(Date.now() / 1000) });
    console.log(`wrote the homes of a ${validators}-validator network in ${dir}`);
  }
  const homes = (await readdir(dir)).filter((name) => /^node[0-9]+$/.test(name) && existsSync(homePaths(join(dir, name)).config)).sort();
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  const exited: Promise<number>[] = homes.map(
    (name) =>
      new Promise<number>((done) => {
        // The first node serves the web app on $PORT (else 3000) and may keep its index at $DATABASE_URL;
        // the others serve their API on a free port, named in their log, and keep their index in their home.
        const first = name === homes[0];
        const http = first ? [] : ['--no-web', '--port', '0'];
        const env = { ...process.env };
        if (!first) delete env.DATABASE_URL;
        const child = spawn(process.execPath, [LENDNET_BIN, 'start', '--home', join(dir, name), ...http], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        children.set(name, child);
        for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (line) => console.log(`${name} ${line}`));
        child.on('exit', (code, signal) => {
          if (!stopping) console.error(`${name} exited (${signal ?? code}); stopping the cluster`);
          done(stopping ? 0 : 1);
          if (!stopping) stopAll();
        });
      }),
  );
  function stopAll(): void {
    stopping = true;
    for (const child of children.values()) if (child.exitCode === null) child.kill('SIGTERM');
  }
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  console.log(`started ${homes.length} nodes from ${dir}; Ctrl-C stops them all`);
  const codes = await Promise.all(exited);
  return codes.some((code) => code !== 0) ? 1 : 0;
}
