/**
 * Scales for the hand-drawn charts. Pixel positions are JS numbers; amounts stay bigint until
 * they become a fraction of the axis, so no money passes through floating point on its way to a label.
 */

/** The chart's drawing box inside its SVG viewBox, leaving room for the axes' labels. */
export interface Plot {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

export const PLOT: Plot = { width: 640, height: 280, left: 64, right: 16, top: 16, bottom: 48 };

export const innerWidth = (plot: Plot) => plot.width - plot.left - plot.right;
export const innerHeight = (plot: Plot) => plot.height - plot.top - plot.bottom;

/** A round step for about `count` ticks up to `max`: 1, 2 or 5 times a power of ten. */
export function niceStep(max: number, count = 4): number {
  if (max <= 0) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  return Math.max(1, Math.round(step));
}

/** Ticks from 0 to the first multiple of the step at or above max. */
export function ticksUpTo(max: number, count = 4): number[] {
  const step = niceStep(max, count);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  return ticks;
}

/** `part / whole` as a number from 0 to 1, exact to a millionth, for a position on an axis. */
export function fraction(part: bigint, whole: bigint): number {
  if (whole <= 0n) return 0;
  return Number((part * 1_000_000n) / whole) / 1_000_000;
}

/** A short term for an axis label: "30d", "3mo", "1y", "2h", "5min". */
export function shortTerm(seconds: number): string {
  const units: [number, string][] = [
    [31_536_000, 'y'],
    [2_592_000, 'mo'],
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'min'],
  ];
  if (seconds === 0) return '0';
  for (const [size, suffix] of units) if (seconds % size === 0) return `${seconds / size}${suffix}`;
  return `${Math.round(seconds / 86_400)}d`;
}

/** Basis points as a short axis label: 725 → "7.25%". */
export function shortRate(bps: number): string {
  return `${(bps / 100).toFixed(bps % 100 === 0 ? 0 : bps % 10 === 0 ? 1 : 2)}%`;
}
