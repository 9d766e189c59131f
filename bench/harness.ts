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
