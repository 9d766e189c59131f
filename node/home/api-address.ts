import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where a running node serves its API, for the commands that ask it to act (`lendnet backup`
 * of a running node): written by the process once it serves HTTP, removed when it stops.
 * Kept apart from status.json, which the node rewrites after every block.
 */
export interface ApiAddress {
  readonly pid: number;
  /** The HTTP origin, e.g. http://127.0.0.1:3000. */
  readonly url: string;
}

export const apiAddressPath = (home: string) => join(home, 'api.json');

export async function writeApiAddress(home: string, url: string): Promise<void> {
  const path = apiAddressPath(home);
  const address: ApiAddress = { pid: process.pid, url };
  await writeFile(`${path}.tmp`, `${JSON.stringify(address)}\n`);
  await rename(`${path}.tmp`, path);
}

/** Removes the address this process wrote (another process's is left alone). */
export async function removeApiAddress(home: string): Promise<void> {
  const found = await readApiAddress(home);
  if (found?.pid === process.pid) await rm(apiAddressPath(home), { force: true });
}

/** The address a node of this home wrote, or undefined (its process may have died since). */
export async function readApiAddress(home: string): Promise<ApiAddress | undefined> {
  try {
    const parsed = JSON.parse(await readFile(apiAddressPath(home), 'utf8')) as Partial<ApiAddress>;
    return typeof parsed.pid === 'number' && typeof parsed.url === 'string' ? { pid: parsed.pid, url: parsed.url } : undefined;
  } catch {
    return undefined;
  }
}
