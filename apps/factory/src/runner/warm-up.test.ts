import { ClusterClock } from '../clock';
import { totalArrivals, unitsOwned, type RateSchedule } from '@barrage/planning';
import type { ChunkJob } from '@barrage/contracts';
import { CHUNK_WARM_MS, warmLines, warmRate, warmUp } from './warm-up';
import { startWarmUpServer } from './warm-up-server';

describe('warmUp', () => {
  it('runs the request path the number of times asked, against its own server', async () => {
    const r = await warmUp(new ClusterClock(), { requests: 300, maxMs: 10_000, concurrency: 8 });
    expect(r.requests).toBe(300);
  });

  it('has a server (on its own thread) that answers until closed, then refuses', async () => {
    const server = await startWarmUpServer();
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await fetch(`${server.origin}/warm-up`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('ok');
    await server.close();
    await expect(fetch(`${server.origin}/warm-up`)).rejects.toThrow();
  });
});

/** The fields of a chunk job the warm-up plans read; the rest do not matter to them. */
function job(part: Pick<ChunkJob, 'share'> & Partial<Pick<ChunkJob, 'rate' | 'lines'>>): ChunkJob {
  return { rate: null, lines: null, ...part } as ChunkJob;
}

const constant = (rate: number, durationMs: number): RateSchedule => ({ segments: [{ startMs: 0, durationMs, fromRate: rate, toRate: rate }] });

/** Arrivals of `schedule` a chunk with `share` owns. */
const owned = (j: ChunkJob, schedule: RateSchedule) => unitsOwned(j.share, 0, totalArrivals(schedule));

describe('a chunk\'s warm-up plan', () => {
  const whole = { levels: [{ weights: [1], index: 0 }] };
  const quarter = { levels: [{ weights: [1, 1], index: 1 }, { weights: [1, 1], index: 0 }] };

  it('open model: the chunk\'s own peak rate for CHUNK_WARM_MS, in the plan\'s units', () => {
    const ramp: RateSchedule = { segments: [{ startMs: 0, durationMs: 10_000, fromRate: 0, toRate: 80_000 }, { startMs: 10_000, durationMs: 5000, fromRate: 80_000, toRate: 100 }] };
    const j = job({ share: quarter, rate: ramp });
    const warm = warmRate(j);
    expect(warm).toEqual(constant(80_000, CHUNK_WARM_MS));
    expect(owned(j, warm)).toBe((20_000 * CHUNK_WARM_MS) / 1000);
  });

  it('open model: a slow chunk still warms at 10,000 of its own arrivals a second', () => {
    expect(owned(job({ share: whole, rate: constant(50, 60_000) }), warmRate(job({ share: whole, rate: constant(50, 60_000) })))).toBe(6000);
    const j = job({ share: quarter, rate: constant(400, 60_000) });
    expect(warmRate(j)).toEqual(constant(40_000, CHUNK_WARM_MS));
    expect(owned(j, warmRate(j))).toBe(6000);
  });

  it('closed model: the chunk\'s own minions, 64 at most, all at once; none when it owns none', () => {
    expect(warmLines(job({ share: quarter, lines: [{ atMs: 0, count: 8 }, { atMs: 5000, count: 12 }] }))).toEqual([{ atMs: 0, count: 5 }]);
    expect(warmLines(job({ share: whole, lines: [{ atMs: 0, count: 10_000 }] }))).toEqual([{ atMs: 0, count: 64 }]);
    const last = { levels: [{ weights: [1, 1], index: 1 }, { weights: [1, 1], index: 1 }] }; // owns minions 3, 7, …
    expect(warmLines(job({ share: last, lines: [{ atMs: 0, count: 3 }] }))).toEqual([]);
    expect(warmLines(job({ share: last, lines: [{ atMs: 0, count: 4 }] }))).toEqual([{ atMs: 0, count: 1 }]);
  });
});
