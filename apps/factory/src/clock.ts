import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';

/**
 * The cluster clock (docs/architecture.md#time): Redis's TIME, corrected for half the round trip, mapped onto
 * this process's monotonic clock. `now()` is then one performance.now() call plus an add,
 * cheap enough for the hot path, and immune to the wall clock being stepped.
 */
export class ClusterClock {
  /** cluster epoch ms = performance.now() + offset */
  private offset = performance.timeOrigin;
  /** Round trip of the best sample; the error bound of the offset is half of it. */
  rttMs = Number.NaN;

  now(): number {
    return performance.now() + this.offset;
  }

  /** Takes several samples and keeps the one with the shortest round trip (least uncertainty). */
  async sync(redis: Redis, samples = 5): Promise<void> {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      const [s, us] = await redis.time();
      const t1 = performance.now();
      const rtt = t1 - t0;
      if (rtt < best) {
        best = rtt;
        const serverMs = Number(s) * 1000 + Number(us) / 1000;
        this.offset = serverMs - (t0 + rtt / 2);
      }
    }
    this.rttMs = best;
  }
}
