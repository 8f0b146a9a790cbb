/**
 * Prometheus naming conventions for every metric the head and a factory expose (README,
 * "Metrics"), read from their real /metrics text: the `barrage_` prefix, base units (seconds,
 * bytes; never ms), `_total` on counters and only on them, and labels whose values are
 * bounded (no campaign, factory or request id as a label). The README lists each of our own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type Cluster } from './support/cluster';

jest.setTimeout(120_000);

/** Labels of our own metrics: a campaign status (9 values), a zone (as many as the operator runs), a histogram bucket. */
const OWN_LABELS = new Set(['status', 'zone', 'le']);
/**
 * prom-client's default gauges named `_total` (counts of live handles, not counters): Node's
 * names, kept as every Node service exports them rather than renamed for us alone.
 */
const DEFAULT_GAUGES_NAMED_TOTAL = /_nodejs_active_(resources|handles|requests)_total$/;
/** Labels of Node's default metrics (prom-client): versions, GC kinds, heap spaces, buckets. */
const DEFAULT_LABELS = new Set(['version', 'major', 'minor', 'patch', 'kind', 'space', 'type', 'le', 'quantile']);

interface Family {
  name: string;
  type: string;
  labels: Set<string>;
}

/** The metric families of a Prometheus text exposition, with the label names their samples use. */
function families(text: string): Family[] {
  const byName = new Map<string, Family>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) byName.set(type[1]!, { name: type[1]!, type: type[2]!, labels: new Set() });
  }
  const names = [...byName.keys()].sort((a, b) => b.length - a.length);
  for (const line of text.split('\n')) {
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? /.exec(line);
    if (!sample) continue;
    const family = byName.get(sample[1]!) ?? byName.get(names.find((n) => sample[1]!.startsWith(n))!);
    for (const pair of (sample[3] ?? '').split(/,(?=[a-zA-Z_]+=)/).filter(Boolean)) family?.labels.add(pair.split('=')[0]!);
  }
  return [...byName.values()];
}

let cluster: Cluster;
let head: Family[];
let factory: Family[];

beforeAll(async () => {
  cluster = await startCluster({ factories: [{ zone: 'metric-names' }] });
  head = families(await (await fetch(`${cluster.api.base}/metrics`)).text());
  factory = families(await (await fetch(cluster.factories[0]!.metricsUrl)).text());
});

afterAll(async () => {
  await cluster?.stop();
});

describe.each([
  ['head', () => head, 'barrage_head_'],
  ['factory', () => factory, 'barrage_factory_'],
])('the %s', (_name, metrics, defaultsPrefix) => {
  it('exposes metrics, all prefixed barrage_', () => {
    expect(metrics().length).toBeGreaterThan(10);
    for (const m of metrics()) expect(m.name).toMatch(/^barrage_[a-z0-9_]+$/);
  });

  it('names counters _total and nothing else so', () => {
    for (const m of metrics().filter((f) => !DEFAULT_GAUGES_NAMED_TOTAL.test(f.name))) {
      expect({ name: m.name, total: m.name.endsWith('_total') }).toEqual({ name: m.name, total: m.type === 'counter' });
    }
  });

  it('uses base units: seconds and bytes, never milliseconds or kilobytes', () => {
    for (const m of metrics()) expect(m.name).not.toMatch(/_(ms|milliseconds|millis|us|microseconds|kb|kilobytes|mb|megabytes)(_|$)/);
    for (const m of metrics().filter((f) => f.type === 'histogram' || f.type === 'summary')) expect(m.name).toMatch(/_(seconds|bytes)$/);
  });

  it('has only bounded labels', () => {
    for (const m of metrics()) {
      const allowed = m.name.startsWith(defaultsPrefix) ? DEFAULT_LABELS : OWN_LABELS;
      for (const label of m.labels) expect({ name: m.name, label, bounded: allowed.has(label) }).toEqual({ name: m.name, label, bounded: true });
    }
  });
});

it('the README lists every metric of our own', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const own = [...head, ...factory].filter((m) => !m.name.startsWith('barrage_head_') && !/^barrage_factory_(process|nodejs)_/.test(m.name));
  expect(own.length).toBeGreaterThan(10);
  for (const m of own) expect({ name: m.name, listed: readme.includes(`\`${m.name}\``) }).toEqual({ name: m.name, listed: true });
});
