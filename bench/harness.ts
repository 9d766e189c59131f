import { readdirSync, readFileSync } from 'node:fs';

/** One figure a benchmark case measured. `limit` is a ceiling measured in the same run. */
export interface BenchFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly limit?: number;
  readonly ratio?: number;
  readonly target?: number;
  readonly note?: string;
}

export interface BenchCase {
  readonly name: string;
  run(): Promise<BenchFigure[]> | BenchFigure[];
}

/** Calls `step` repeatedly for at least `minMs` and returns operations per second. */
export function measureRate(step: () => number, minMs = 1500): number {
  let operations = 0;
  const started = process.hrtime.bigint();
  let elapsedNs = 0n;
  while (elapsedNs < BigInt(minMs) * 1_000_000n) {
    operations += step();
    elapsedNs = process.hrtime.bigint() - started;
  }
  return (operations * 1e9) / Number(elapsedNs);
}

export function rounded(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * CPU time of each thread of this process in clock ticks (user + system), read from
 * /proc/self/task on Linux; an empty map elsewhere. Node names every thread "node", so a thread
 * is told apart by its id; the main thread's id is the process id.
 */
export function threadTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return ticks;
  }
  for (const task of tasks) {
    try {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(task), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread exited between the listing and the read.
    }
  }
  return ticks;
}
