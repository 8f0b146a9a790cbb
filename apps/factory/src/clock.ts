import { performance } from 'node:perf_hooks';
import type { FactoryClockState } from '@barrage/contracts';

/** Redis TIME round trips per sync; the lowest-RTT ones are kept (an NTP-style filter). */
const SAMPLES_PER_SYNC = 8;
const KEPT_PER_SYNC = 3;
/** Syncs whose kept samples stay in the filter: a sync taken while the machine is busy does not replace a better recent one. */
const SYNCS_KEPT = 8;
/** Drift is estimated only over at least this span of syncs: over less, RTT noise dominates. */
const MIN_DRIFT_SPAN_MS = 10_000;
/** A drift estimate beyond this is noise (quartz is within ~100 ppm), not the clock. */
const MAX_DRIFT = 500e-6;

/** Where the cluster's time comes from: Redis's TIME (seconds, microseconds), as ioredis returns it. */
export interface TimeSource {
  time(): Promise<(string | number)[]>;
}

interface Sample {
  /** Local ms at the sample's midpoint. */
  local: number;
  /** cluster − local at that instant (ms). */
  offset: number;
  rttMs: number;
}

/**
 * The cluster clock (docs/architecture.md#time): Redis's TIME, the round trip compensated, mapped
 * onto this process's monotonic clock. `now()` is one performance.now() call and a few
 * arithmetic operations, cheap enough for the hot path, and immune to the wall clock being
 * stepped.
 *
 * Each sync takes several samples and keeps the lowest-RTT ones; the estimate is the kept
 * sample (of the last few syncs) whose error bound is smallest now — half its RTT plus the
 * drift since it was taken — projected to now with the drift measured across syncs.
 *
 * `skewMs` shifts this process's *local* clock (test-only: CLOCK_SKEW_MS), as a factory whose
 * system clock is wrong would see it; the estimate has to correct it.
 */
export class ClusterClock {
  /** This process's own clock (epoch ms): the system clock unless a test gives another. */
  private readonly localClock: () => number;
  /** Kept samples of the last SYNCS_KEPT syncs, oldest first. */
  private readonly kept: Sample[][] = [];
  /** Best sample of each sync, for the drift estimate. */
  private readonly history: Sample[] = [];
  private best: Sample | null = null;
  /** Drift of the local clock against the cluster's, ms per ms (0 until measured). */
  drift = 0;
  /** Local ms of the last successful sync. */
  private syncedLocal = Number.NaN;
  /** Cluster epoch ms of the last successful sync. */
  syncedAt = Number.NaN;
  /** Until the first sync, the local clock itself. */
  private offset = 0;
  private base = 0;

  /** `local` (tests only) replaces the system clock, e.g. one that runs fast, to check the drift estimate. */
  constructor(readonly skewMs = 0, local?: () => number) {
    const origin = performance.timeOrigin + skewMs;
    this.localClock = local ?? (() => origin + performance.now());
  }

  /** This process's own clock: what the factory's system clock says (epoch ms). */
  local(): number {
    return this.localClock();
  }

  now(): number {
    const l = this.localClock();
    return l + this.offset + this.drift * (l - this.base);
  }

  /** Round trip of the sample the estimate rests on (ms). */
  get rttMs(): number {
    return this.best?.rttMs ?? Number.NaN;
  }

  /** How wrong `now()` may be at most, in ms: half the best RTT plus the drift since that sample. */
  uncertaintyMs(): number {
    if (!this.best) return Number.POSITIVE_INFINITY;
    return this.best.rttMs / 2 + Math.abs(this.drift) * (this.local() - this.best.local);
  }

  /**
   * How far this factory's own clock is ahead of the cluster clock (ms): positive when it runs
   * ahead, so a factory started with CLOCK_SKEW_MS=250 shows about +250.
   */
  offsetMs(): number {
    const l = this.local();
    return l - this.now();
  }

  state(boundMs: number): FactoryClockState {
    const uncertaintyMs = this.uncertaintyMs();
    return {
      offsetMs: round3(this.offsetMs()),
      uncertaintyMs: Number.isFinite(uncertaintyMs) ? round3(uncertaintyMs) : null,
      rttMs: Number.isFinite(this.rttMs) ? round3(this.rttMs) : null,
      // Signed like offsetMs: positive when this factory's clock runs fast.
      driftPpm: round3(-this.drift * 1e6) || 0,
      lastSyncAt: Number.isFinite(this.syncedAt) ? new Date(this.syncedAt).toISOString() : null,
      boundMs,
      withinBound: uncertaintyMs <= boundMs,
    };
  }

  /** Samples Redis's TIME, filters, re-estimates offset and drift. Rejects when Redis does not answer. */
  async sync(redis: TimeSource, samples = SAMPLES_PER_SYNC): Promise<void> {
    const taken: Sample[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = this.local();
      const [s, us] = await redis.time();
      const t1 = this.local();
      const rttMs = t1 - t0;
      const local = t0 + rttMs / 2;
      taken.push({ local, offset: Number(s) * 1000 + Number(us) / 1000 - local, rttMs });
    }
    taken.sort((a, b) => a.rttMs - b.rttMs);
    this.kept.push(taken.slice(0, KEPT_PER_SYNC));
    if (this.kept.length > SYNCS_KEPT) this.kept.shift();
    this.history.push(taken[0]!);
    if (this.history.length > SYNCS_KEPT) this.history.shift();
    this.drift = estimateDrift(this.history);
    this.choose();
    this.syncedLocal = this.local();
    this.syncedAt = this.now();
  }

  /** The kept sample with the least error bound now becomes the estimate. */
  private choose(): void {
    const now = this.local();
    const drift = Math.abs(this.drift);
    let best: Sample | null = null;
    let bound = Number.POSITIVE_INFINITY;
    for (const round of this.kept) {
      for (const s of round) {
        const b = s.rttMs / 2 + drift * (now - s.local);
        if (b < bound) {
          bound = b;
          best = s;
        }
      }
    }
    if (!best) return;
    this.best = best;
    this.base = best.local;
    this.offset = best.offset;
  }

  /** Ms since the last successful sync (local clock). */
  sinceSyncMs(): number {
    return this.local() - this.syncedLocal;
  }
}

/** Least-squares slope of offset over local time, when the syncs span long enough to mean something. */
function estimateDrift(h: Sample[]): number {
  if (h.length < 3 || h.at(-1)!.local - h[0]!.local < MIN_DRIFT_SPAN_MS) return 0;
  const mx = h.reduce((a, s) => a + s.local, 0) / h.length;
  const my = h.reduce((a, s) => a + s.offset, 0) / h.length;
  let num = 0;
  let den = 0;
  for (const s of h) {
    num += (s.local - mx) * (s.offset - my);
    den += (s.local - mx) ** 2;
  }
  const slope = den > 0 ? num / den : 0;
  return Math.max(-MAX_DRIFT, Math.min(MAX_DRIFT, slope));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
