import { describe, expect, it } from 'vitest';
import { formatRate, formatTerm, formatTime, parseRate, parseTerm } from './terms';

describe('rates', () => {
  it('shows basis points as a percentage without trailing zeros', () => {
    expect(formatRate(725)).toBe('7.25 %');
    expect(formatRate(1200)).toBe('12 %');
    expect(formatRate(950)).toBe('9.5 %');
    expect(formatRate(5)).toBe('0.05 %');
    expect(formatRate(15_000)).toBe('150 %');
  });

  it('reads a typed percentage as basis points, or says why not', () => {
    expect(parseRate('7.25')).toEqual({ bps: 725 });
    expect(parseRate(' 12 % ')).toEqual({ bps: 1200 });
    expect(parseRate('9,5')).toEqual({ bps: 950 });
    expect(parseRate('.5')).toEqual({ bps: 50 });
    expect(parseRate('7.255')).toHaveProperty('error');
    expect(parseRate('')).toEqual({ error: 'Enter a rate.' });
    expect(parseRate('abc')).toHaveProperty('error');
  });
});

describe('terms', () => {
  it('names a term in the largest unit that divides it', () => {
    expect(formatTerm(31_536_000)).toBe('1 year');
    expect(formatTerm(7_776_000)).toBe('3 months');
    expect(formatTerm(86_400 * 45)).toBe('45 days');
    expect(formatTerm(120)).toBe('2 minutes');
    expect(formatTerm(90)).toBe('90 seconds');
  });

  it('reads a count of units as seconds', () => {
    expect(parseTerm('3', 'months')).toEqual({ seconds: 7_776_000 });
    expect(parseTerm('0', 'days')).toHaveProperty('error');
    expect(parseTerm('1.5', 'days')).toHaveProperty('error');
  });

  it('shows a time in UTC', () => {
    expect(formatTime(1_767_225_600)).toBe('2026-01-01 00:00 UTC');
  });
});
