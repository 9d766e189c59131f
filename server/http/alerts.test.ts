import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
import { FakeChain } from './test-kit.js';

const ALERTS = join(import.meta.dirname, '..', '..', 'docs', 'alerts.example.yml');

/** Series a histogram adds to its name. */
const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

/**
 * docs/alerts.example.yml is read line by line (no YAML parser is a dependency): every rule has
 * an alert name and an expression, and every lendnet_* metric an expression names is one
 * /metrics exposes, so the example never alerts on a series that does not exist.
 */
describe('the example alert rules', () => {
  it('name only metrics the node exposes', async () => {
    const text = await readFile(ALERTS, 'utf8');
    const alerts = [...text.matchAll(/^\s*- alert: (\S+)$/gm)].map((m) => m[1]);
    const expressions = [...text.matchAll(/^\s*expr: (.+)$/gm)].map((m) => m[1]!);
    expect(alerts).toEqual(
      expect.arrayContaining(['LendnetNodeDown', 'LendnetStalled', 'LendnetIndexLagging', 'LendnetManyRoundsPerHeight', 'LendnetPeersBelowQuorum', 'LendnetMempoolNearFull']),
    );
    expect(expressions).toHaveLength(alerts.length);
    expect(expressions[0]).toMatch(/^up\{.*\} == 0$/);

    const chain = new FakeChain();
    const monitor = { mempoolCapacity: 1, gossipCounts: () => undefined, watchConsensus: () => () => undefined };
    const metrics = createMetrics(chain, chain, { monitor });
    const exposed = new Set([...(await metrics.text()).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    metrics.close();
    const named = new Set(expressions.flatMap((expr) => [...expr.matchAll(/\blendnet_[a-z_]+\b/g)].map((m) => m[0])));
    expect(named.size).toBeGreaterThanOrEqual(8);
    for (const name of named) {
      const metric = exposed.has(name) ? name : name.replace(HISTOGRAM_SERIES, '');
      expect(exposed, `${name} in docs/alerts.example.yml`).toContain(metric);
    }
  });
});
