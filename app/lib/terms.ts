/**
 * Loan terms on screen: APRs are integer basis points on the wire (docs/protocol.md §1), terms
 * and times are seconds. These turn them into words and back with integer arithmetic only.
 */

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;
/** A month of the market: 30 days. A year: 365 days, the year APRs are quoted over. */
export const TERM_UNITS = {
  minutes: MINUTE,
  hours: HOUR,
  days: DAY,
  months: 30 * DAY,
  years: 365 * DAY,
} as const;
export type TermUnit = keyof typeof TERM_UNITS;

/** An APR in basis points as a percentage: 725 is "7.25 %", 1200 is "12 %". */
export function formatRate(bps: number): string {
  const whole = Math.trunc(bps / 100);
  const cents = Math.abs(bps % 100);
  const fraction = cents === 0 ? '' : `.${String(cents).padStart(2, '0').replace(/0$/, '')}`;
  return `${bps < 0 && whole === 0 ? '-' : ''}${whole.toLocaleString('en-US')}${fraction} %`;
}

/** A percentage someone typed ("7.25", "7,25 %") in basis points, or a plain-word reason it is not one. */
export function parseRate(text: string): { bps: number } | { error: string } {
  const cleaned = text.trim().replace(/\s*%$/, '').replace(',', '.');
  if (cleaned === '') return { error: 'Enter a rate.' };
  const match = /^(\d{1,7})(?:\.(\d{0,2}))?$/.exec(cleaned) ?? /^()\.(\d{1,2})$/.exec(cleaned);
  if (!match) return { error: 'Enter a rate as a percentage with at most two decimals, such as 7.25.' };
  const bps = Number(match[1] || '0') * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return { bps };
}

function plural(count: number, word: string): string {
  return `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;
}

/** A term in the largest unit that divides it: 7776000 is "3 months", 31536000 "1 year", 90 "90 seconds". */
export function formatTerm(seconds: number): string {
  if (seconds <= 0) return plural(seconds, 'second');
  const units: [number, string][] = [
    [TERM_UNITS.years, 'year'],
    [TERM_UNITS.months, 'month'],
    [DAY, 'day'],
    [HOUR, 'hour'],
    [MINUTE, 'minute'],
  ];
  for (const [size, word] of units) if (seconds % size === 0) return plural(seconds / size, word);
  // Not a whole number of anything: days to one decimal when it is long, else seconds.
  if (seconds >= DAY) return `${(Math.round((seconds / DAY) * 10) / 10).toLocaleString('en-US')} days`;
  return plural(seconds, 'second');
}

/** A count of a unit someone typed in seconds, or a plain-word reason it is not a whole count. */
export function parseTerm(text: string, unit: TermUnit, what = 'the term'): { seconds: number } | { error: string } {
  const cleaned = text.trim();
  if (cleaned === '') return { error: `Enter ${what}.` };
  if (!/^\d{1,9}$/.test(cleaned)) return { error: `Enter ${what} as a whole number of ${unit}.` };
  const count = Number(cleaned);
  if (count === 0) return { error: `${capitalise(what)} must be at least 1 ${unit.replace(/s$/, '')}.` };
  return { seconds: count * TERM_UNITS[unit] };
}

/** A block time as a date and time in UTC, the same for every reader: "2026-01-01 00:00 UTC". */
export function formatTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function capitalise(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
