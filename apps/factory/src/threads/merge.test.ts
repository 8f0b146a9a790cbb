import fc from 'fast-check';
import { StepRecorder, summarizeEncoded } from '@barrage/metrics';
import type { Snapshot } from '@barrage/contracts';
import { IntervalCollector, mergeThreadOutcomes, mergeThreadProgress, mergeThreadSnapshots } from './merge';

/** A thread's snapshot of one interval with `requests` successful requests of `latencyUs` each. */
function part(bucketStart: number, requests: number, latencyUs: number, extra: Partial<Snapshot> = {}): Snapshot {
  const rec = new StepRecorder('get');
  for (let i = 0; i < requests; i++) rec.recordResponse(latencyUs, latencyUs, 200, 100, 50, null);
  return {
    type: 'snapshot', campaignKey: 'c', chunkId: 'c:s:z:0', factoryId: 'f', run: 'r', scenario: 's', zone: 'z',
    seq: 99, bucketStart, resolutionMs: 1000, minionsActive: 2, minionsStarted: 1, iterations: requests, droppedIterations: 0,
    targetArrivals: requests, maxLagMs: 1, maxLatenessMs: 0.5, cpu: 0.3, saturated: false, steps: [rec.swap()], ...extra,
  };
}

describe('merging a chunk\'s worker threads into one run', () => {
  it('sums counts, merges histograms exactly and keeps the worst thread\'s health', () => {
    const merged = mergeThreadSnapshots([part(1000, 3, 2000), part(1000, 5, 8000, { cpu: 0.9, maxLagMs: 7, saturated: true })], 4);
    expect(merged).toMatchObject({ seq: 4, bucketStart: 1000, minionsActive: 4, minionsStarted: 2, iterations: 8, targetArrivals: 8, cpu: 0.9, maxLagMs: 7, saturated: true });
    expect(merged.steps[0]).toMatchObject({ step: 'get', requests: 8, successes: 8, bytesIn: 800, bytesOut: 400 });
    const latency = summarizeEncoded(merged.steps[0]!.latency);
    expect(latency.count).toBe(8);
    expect(latency.min).toBeCloseTo(2, 1);
    expect(latency.max).toBeCloseTo(8, 1);
  });

  it('hands out each interval once every running thread has moved past it, in order, with its own seq', () => {
    const c = new IntervalCollector(2);
    expect(c.add(0, part(1000, 1, 1000))).toEqual([]);
    expect(c.add(0, part(2000, 1, 1000))).toEqual([]); // thread 1 has said nothing yet
    const first = c.add(1, part(1000, 2, 1000));
    expect(first.map((s) => [s.bucketStart, s.seq, s.iterations])).toEqual([[1000, 0, 3]]);
    const second = c.add(1, part(2000, 2, 1000));
    expect(second.map((s) => [s.bucketStart, s.seq, s.iterations])).toEqual([[2000, 1, 3]]);
    // Thread 0 ends; thread 1's later intervals no longer wait for it.
    expect(c.end(0)).toEqual([]);
    expect(c.add(1, part(3000, 4, 1000)).map((s) => [s.bucketStart, s.seq, s.iterations])).toEqual([[3000, 2, 4]]);
    expect(c.published).toBe(3);
  });

  it('for any interleaving of the threads\' snapshots, every count is published exactly once, in bucket order, with seq 0, 1, 2…', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((threads) =>
          fc.tuple(
            fc.constant(threads),
            fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 6 }), { minLength: threads, maxLength: threads }),
            fc.array(fc.nat(), { maxLength: 60 }),
          ),
        ),
        ([threads, perThread, picks]) => {
          // Thread t reports bucket k with perThread[t][k] requests, then ends; the picks interleave them.
          const c = new IntervalCollector(threads);
          const next = perThread.map(() => 0);
          const out: Snapshot[] = [];
          const step = (t: number) => {
            if (next[t]! < perThread[t]!.length) out.push(...c.add(t, part((next[t]! + 1) * 1000, perThread[t]![next[t]!]!, 1000)));
            else if (next[t] === perThread[t]!.length) out.push(...c.end(t));
            next[t]!++;
          };
          for (const p of picks) step(p % threads);
          for (let t = 0; t < threads; t++) while (next[t]! <= perThread[t]!.length) step(t);
          expect(out.map((s) => s.seq)).toEqual(out.map((_, i) => i));
          expect(out.map((s) => s.bucketStart)).toEqual([...out.map((s) => s.bucketStart)].sort((a, b) => a - b));
          expect(new Set(out.map((s) => s.bucketStart)).size).toBe(out.length);
          const total = perThread.flat().reduce((a, b) => a + b, 0);
          expect(out.reduce((n, s) => n + s.steps[0]!.requests, 0)).toBe(total);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('ends the chunk\'s run with its threads\' totals, handed back or out of rows if any thread was', () => {
    const end = { iterations: 10, lastSeq: 3, aborted: false, handedBack: false, superseded: false, minionsStarted: 4, droppedIterations: 1, rowsExhausted: false };
    expect(mergeThreadOutcomes([end, { ...end, iterations: 5, handedBack: true, rowsExhausted: true }], 7)).toEqual({ ...end, iterations: 15, lastSeq: 7, handedBack: true, minionsStarted: 8, droppedIterations: 2, rowsExhausted: true });
  });

  it('resumes a takeover at the slowest thread\'s progress', () => {
    expect(mergeThreadProgress([{ arrival: 41 }, { arrival: 40 }, { arrival: 43 }])).toEqual({ arrival: 40 });
    expect(mergeThreadProgress([{ line: 3 }, { line: 2 }])).toEqual({ line: 2 });
    expect(mergeThreadProgress([])).toBeNull();
  });
});
