import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LruMap } from './lru-map.js';

describe('LruMap', () => {
  test('forgets the least recently used first; get and set make an entry the most recent, peek does not', () => {
    const lru = new LruMap<string, number>(3);
    expect(lru.set('a', 1)).toBe(false);
    lru.set('b', 2);
    lru.set('c', 3);
    expect(lru.get('a')).toBe(1);
    expect(lru.peek('b')).toBe(2);
    expect(lru.set('d', 4)).toBe(true);
    expect([...lru.keys()]).toEqual(['c', 'a', 'd']);
    expect(lru.has('b')).toBe(false);
    lru.set('c', 30);
    expect(lru.set('e', 5)).toBe(true);
    expect([...lru.keys()]).toEqual(['d', 'c', 'e']);
    expect(lru.peek('c')).toBe(30);
    expect(lru.delete('d')).toBe(true);
    expect(lru.delete('d')).toBe(false);
    expect(lru.size).toBe(2);
    lru.clear();
    expect([...lru.keys()]).toEqual([]);
    lru.set('f', 6);
    expect([...lru.keys()]).toEqual(['f']);
  });

  test('refuses a capacity that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new LruMap(bad)).toThrow(RangeError);
  });

  test('behaves as a reference LRU under random operations', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('get' as const), key: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ kind: fc.constant('peek' as const), key: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 12 }), value: fc.integer() }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 12 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 80 }), (capacity, ops) => {
        const lru = new LruMap<number, number>(capacity);
        // The reference: an array from least to most recently used.
        let order: [number, number][] = [];
        for (const o of ops) {
          const at = order.findIndex(([key]) => key === o.key);
          if (o.kind === 'get') {
            expect(lru.get(o.key)).toBe(at < 0 ? undefined : order[at]![1]);
            if (at >= 0) order = [...order.slice(0, at), ...order.slice(at + 1), order[at]!];
          } else if (o.kind === 'peek') {
            expect(lru.peek(o.key)).toBe(at < 0 ? undefined : order[at]![1]);
          } else if (o.kind === 'set') {
            if (at >= 0) order.splice(at, 1);
            order.push([o.key, o.value]);
            const evicts = order.length > capacity;
            if (evicts) order.shift();
            expect(lru.set(o.key, o.value)).toBe(evicts);
          } else {
            expect(lru.delete(o.key)).toBe(at >= 0);
            if (at >= 0) order.splice(at, 1);
          }
          expect([...lru.keys()]).toEqual(order.map(([key]) => key));
          expect(lru.size).toBe(order.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
