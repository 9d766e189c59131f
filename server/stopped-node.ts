import type { Home } from '../node/home/home.js';
import { readStatus } from '../node/ledger/run.js';

/**
 * Whether the node of `home` is stopped, as the commands that read or write its store need.
 * If it runs, says so in one line on `err`, ending "stop it before <doing>", and returns false.
 */
export async function nodeIsStopped(home: Home, doing: string, err: (line: string) => void = console.error): Promise<boolean> {
  const running = await readStatus(home.dir);
  if (!running?.running) return true;
  err(`lendnet: the node of ${home.dir} is running (pid ${running.status.pid}); stop it before ${doing}`);
  return false;
}
