import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { refreshesOnBlock } from './live';

describe('what a new block refreshes', () => {
  const client = new QueryClient();
  const cache = client.getQueryCache();
  const query = (queryKey: readonly unknown[], options: { data?: unknown; live?: boolean } = {}) => {
    const built = cache.build(client, { queryKey, ...(options.live === undefined ? {} : { meta: { live: options.live } }) });
    if (options.data !== undefined) built.setData(options.data);
    return built;
  };

  it('refreshes what the chain changes: heads, balances, the book, loans, and queries outside the API', () => {
    expect(refreshesOnBlock(query([['chain', 'head'], { type: 'query' }], { data: { height: 3 } }))).toBe(true);
    expect(refreshesOnBlock(query([['accounts', 'balances'], { input: { account: 'a' }, type: 'query' }], { data: {} }))).toBe(true);
    expect(refreshesOnBlock(query([['loans', 'byId'], { input: { id: 1 }, type: 'query' }], { data: {} }))).toBe(true);
    expect(refreshesOnBlock(query(['healthz'], { data: {} }))).toBe(true);
  });

  it('leaves settled answers alone once read, but asks again for one not found yet', () => {
    expect(refreshesOnBlock(query([['audit', 'commit'], { input: { height: 5 }, type: 'query' }], { data: {} }))).toBe(false);
    expect(refreshesOnBlock(query([['chain', 'block'], { input: { height: 9 }, type: 'query' }], { data: {} }))).toBe(false);
    expect(refreshesOnBlock(query([['chain', 'block'], { input: { height: 10 }, type: 'query' }]))).toBe(true);
  });

  it('holds still a query its page paused', () => {
    expect(refreshesOnBlock(query([['chain', 'blocks'], { input: { limit: 15 }, type: 'query' }], { data: {}, live: false }))).toBe(false);
    expect(refreshesOnBlock(query([['chain', 'blocks'], { input: { limit: 16 }, type: 'query' }], { data: {}, live: true }))).toBe(true);
  });
});
