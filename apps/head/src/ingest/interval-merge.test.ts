import fc from 'fast-check';
import { StepRecorder, decodeHistogram, mergeStepIntervals } from '@barrage/metrics';
import type { Snapshot } from '@barrage/contracts';
import { batchContributions, combineContributions, mergeRow, rowId, snapshotGauges, type Gauges, type RowContribution, type StoredRow } from './interval-merge.js';

// A batch merges the combination of its contributions to a row once (ingest.service.ts); it
// must give exactly the row that merging them one by one, snapshot by snapshot, gives.

const stepArb = fc.array(
  fc.record({
    lat: fc.integer({ min: 1, max: 30_000_000 }),
    status: fc.constantFrom(200, 201, 404, 500),
    bytes: fc.nat(10_000),
    fail: fc.boolean(),
    check: fc.option(fc.constantFrom('ok', 'has token'), { nil: null }),
  }),
  { maxLength: 40 },
);

const gaugesArb: fc.Arbitrary<Gauges> = fc.record({
  minionsActive: fc.nat(1000),
  minionsStarted: fc.nat(1000),
  targetArrivals: fc.nat(1000),
  iterations: fc.nat(100_000),
  dropped: fc.nat(100),
  maxLagMs: fc.nat(5000),
  maxLatenessMs: fc.nat(5000),
  saturated: fc.boolean(),
});

type Event = { lat: number; status: number; bytes: number; fail: boolean; check: string | null };

function contribution(events: Event[], gauges: Gauges | null): RowContribution {
  const r = new StepRecorder('login');
  for (const e of events) {
    if (e.fail) r.recordFailure('timeout', e.lat);
    else r.recordResponse(e.lat, Math.max(1, e.lat - 100), e.status, e.bytes, 100, e.status >= 500 ? 'http_5xx' : null);
    if (e.check) r.recordCheckFailure(e.check);
  }
  return { scenario: 'shop', step: 'login', zone: 'eu', data: r.swap(), gauges };
}

const contributionArb = (withGauges: boolean) => fc.tuple(stepArb, withGauges ? gaugesArb : fc.constant(null)).map(([ev, g]) => contribution(ev, g));

const asStored = (row: ReturnType<typeof mergeRow>): StoredRow => ({ scenario: 'shop', step: 'login', zone: 'eu', stream: null, ...row });

describe('combineContributions', () => {
  for (const withGauges of [false, true]) {
    it(`merged once equals merged one by one, onto an empty or a stored row (${withGauges ? 'step * rows, with gauges' : 'step rows'})`, () => {
      fc.assert(
        fc.property(fc.option(contributionArb(withGauges), { nil: undefined }), fc.array(contributionArb(withGauges), { minLength: 1, maxLength: 6 }), (first, batch) => {
          const stored = first ? asStored(mergeRow(undefined, first, 1000)) : undefined;
          const oneByOne = batch.reduce<StoredRow | undefined>((row, c) => asStored(mergeRow(row, c, 1000)), stored);
          const once = asStored(mergeRow(stored, combineContributions(batch), 1000));
          expect(once).toEqual(oneByOne);
          const all = first ? [first, ...batch] : batch;
          expect(once.count).toBe(all.reduce((n, c) => n + c.data.requests, 0));
          expect(decodeHistogram(once.histogram).totalCount).toBe(all.reduce((n, c) => n + decodeHistogram(c.data.latency).totalCount, 0));
        }),
        { numRuns: 150 },
      );
    });
  }

  it('refuses an empty list', () => {
    expect(() => combineContributions([])).toThrow(RangeError);
  });
});

// Only the fields the merge reads; the rest of a snapshot is the contract's concern.
const snapshotArb = fc
  .record({
    scenario: fc.constantFrom('shop', 'search'),
    zone: fc.constantFrom('eu', 'us', 'ap'),
    bucketStart: fc.constantFrom(0, 1000),
    steps: fc.uniqueArray(fc.tuple(fc.constantFrom('login', 'browse', 'pay'), stepArb), { maxLength: 3, selector: ([name]) => name }),
    gauges: gaugesArb,
  })
  .map(({ scenario, zone, bucketStart, steps, gauges: g }) => {
    const data = steps.map(([name, ev]) => ({ ...contribution(ev, null).data, step: name }));
    return { scenario, zone, bucketStart, steps: data, ...g, droppedIterations: g.dropped } as unknown as Snapshot;
  });

/**
 * The roll-up rule of docs/metrics.md#roll-ups for one snapshot, stated plainly: its steps per
 * zone and over all zones, and the all-step rows per scenario and over all scenarios, in its
 * zone and over all zones. `batchContributions` must give the same rows for any batch.
 */
function contributions(s: Snapshot): RowContribution[] {
  const out: RowContribution[] = [];
  for (const step of s.steps) {
    out.push({ scenario: s.scenario, step: step.step, zone: s.zone, data: step, gauges: null });
    out.push({ scenario: s.scenario, step: step.step, zone: '*', data: step, gauges: null });
  }
  const all = mergeStepIntervals(s.steps, '*');
  for (const [scenario, zone] of [[s.scenario, s.zone], [s.scenario, '*'], ['*', s.zone], ['*', '*']] as const) {
    out.push({ scenario, step: '*', zone, data: all, gauges: snapshotGauges(s) });
  }
  return out;
}

describe('batchContributions', () => {
  it('gives the rows, sums and histograms of every snapshot’s contributions combined row by row', () => {
    fc.assert(
      fc.property(fc.array(snapshotArb, { minLength: 1, maxLength: 8 }), (snaps) => {
        const reference = new Map<string, RowContribution[]>();
        for (const s of snaps) for (const c of contributions(s)) reference.set(rowId(c, s.bucketStart), [...(reference.get(rowId(c, s.bucketStart)) ?? []), c]);
        const batch = batchContributions(snaps);
        expect([...batch.keys()].sort()).toEqual([...reference.keys()].sort());
        for (const [id, cs] of reference) {
          const got = batch.get(id)!;
          expect({ scenario: got.c.scenario, step: got.c.step, zone: got.c.zone }).toEqual({ scenario: cs[0]!.scenario, step: cs[0]!.step, zone: cs[0]!.zone });
          expect(mergeRow(undefined, got.c, 1000)).toEqual(mergeRow(undefined, combineContributions(cs), 1000));
        }
      }),
      { numRuns: 100 },
    );
  });
});
