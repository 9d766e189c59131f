import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from './harness.js';

/**
 * Runs the benchmark cases in bench/cases (or those named on the command line) and prints
 * one JSON object per figure: name, value, unit, and where a limit was measured in the same
 * run, the limit and the ratio. Figures, not pass/fail.
 */
const only = new Set(process.argv.slice(2));
const folder = join(dirname(fileURLToPath(import.meta.url)), 'cases');
const files = (await readdir(folder)).filter((file) => file.endsWith('.ts')).sort();

for (const file of files) {
  const { default: bench } = (await import(join(folder, file))) as { default: BenchCase };
  if (only.size > 0 && !only.has(bench.name)) continue;
  for (const figure of await bench.run()) console.log(JSON.stringify({ case: bench.name, ...figure }));
}
