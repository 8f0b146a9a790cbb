import fc from 'fast-check';
import { ClusterClock, type TimeSource } from './clock.js';

/**
 * A simulated world: the cluster's true time, a factory clock that is off by `skewMs` and runs
 * `driftPpm` fast, and a Redis whose TIME answers after `up` ms and reaches the factory `down`
 * ms later (an asymmetric path is the worst case: the estimate can only assume half and half).
 */
class World implements TimeSource {
  trueMs = 1_800_000_000_000;
  /** Per TIME call: [up, down] ms; the last pair repeats. */
  paths: [number, number][] = [[0.2, 0.2]];
  private call = 0;

  constructor(
    readonly skewMs: number,
    readonly driftPpm: number,
  ) {}

  readonly local = (): number => this.trueMs + this.skewMs + (this.trueMs - 1_800_000_000_000) * this.driftPpm * 1e-6;

  async time(): Promise<[string, string]> {
    const [up, down] = this.paths[Math.min(this.call++, this.paths.length - 1)]!;
    this.trueMs += up;
    const us = Math.round(this.trueMs * 1000);
    this.trueMs += down;
    return [String(Math.floor(us / 1e6)), String(us % 1e6)];
  }

  advance(ms: number): void {
    this.trueMs += ms;
  }

  errorOf(clock: ClusterClock): number {
    return clock.now() - this.trueMs;
  }
}

describe('ClusterClock (the cluster clock a factory keeps: offset, drift, uncertainty)', () => {
  it('corrects a clock 250 ms ahead to within its uncertainty, and reports the offset', async () => {
    const world = new World(250, 0);
    const clock = new ClusterClock(0, world.local);
    await clock.sync(world);
    expect(Math.abs(world.errorOf(clock))).toBeLessThanOrEqual(clock.uncertaintyMs());
    expect(clock.uncertaintyMs()).toBeCloseTo(0.2, 3);
    expect(clock.offsetMs()).toBeCloseTo(250, 3);
    const state = clock.state(5);
    expect(state.withinBound).toBe(true);
    expect(state.offsetMs).toBeCloseTo(250, 2);
  });

  it('corrects a clock 400 ms behind whose TIME answers take an asymmetric path: the error stays within half the RTT', async () => {
    const world = new World(-400, 0);
    world.paths = [[1.5, 0.1]];
    const clock = new ClusterClock(0, world.local);
    await clock.sync(world);
    // The midpoint assumption is off by (up − down) / 2 = 0.7 ms, inside the stated 0.8 ms.
    expect(Math.abs(world.errorOf(clock))).toBeCloseTo(0.7, 3);
    expect(clock.uncertaintyMs()).toBeCloseTo(0.8, 3);
    expect(clock.offsetMs()).toBeCloseTo(-400.7, 3);
  });

  it('keeps the lowest-RTT samples: a sync taken while the machine is busy does not replace a better recent one', async () => {
    const world = new World(100, 0);
    const clock = new ClusterClock(0, world.local);
    world.paths = [[0.1, 0.1]];
    await clock.sync(world);
    const good = clock.uncertaintyMs();
    world.advance(1000);
    // Every sample of this sync is slow and lopsided: taken alone it would be 9.5 ms off.
    world.paths = [[19.5, 0.5]];
    await clock.sync(world);
    expect(clock.uncertaintyMs()).toBeCloseTo(good, 3);
    expect(Math.abs(world.errorOf(clock))).toBeLessThanOrEqual(good + 1e-3);
  });

  it('within one sync, the fastest of its samples wins', async () => {
    const world = new World(0, 0);
    world.paths = [[6, 6], [4, 0.5], [0.3, 0.3], [3, 3], [5, 1], [8, 8], [2, 2], [7, 1]];
    const clock = new ClusterClock(0, world.local);
    await clock.sync(world);
    expect(clock.rttMs).toBeCloseTo(0.6, 3);
    expect(Math.abs(world.errorOf(clock))).toBeLessThanOrEqual(0.3 + 1e-3);
  });

  it('measures a clock running 200 ppm fast (driftPpm +200, signed like offsetMs) and keeps correcting it between syncs', async () => {
    const world = new World(-50, 200);
    const clock = new ClusterClock(0, world.local);
    // Syncs every 2 s for 20 s (the drift is only estimated over at least 10 s of syncs).
    for (let i = 0; i < 10; i++) {
      world.paths = [[0.2 + (i % 3) * 0.05, 0.2]];
      await clock.sync(world);
      world.advance(2000);
    }
    expect(clock.state(5).driftPpm).toBeGreaterThan(180);
    expect(clock.state(5).driftPpm).toBeLessThan(220);
    // Ten seconds after the last sync, a clock 200 ppm fast has gained 2 ms; the estimate has not.
    world.advance(10_000);
    const error = Math.abs(world.errorOf(clock));
    expect(error).toBeLessThan(0.5);
    expect(error).toBeLessThanOrEqual(clock.uncertaintyMs());
    // The uncertainty grows with the time since the sample the estimate rests on.
    const u = clock.uncertaintyMs();
    world.advance(60_000);
    expect(clock.uncertaintyMs()).toBeGreaterThan(u);
  });

  it('without drift tracked (syncs span under 10 s) a drifting clock is off by what it gained: the case the estimate exists for', async () => {
    const world = new World(0, 200);
    const clock = new ClusterClock(0, world.local);
    await clock.sync(world);
    world.advance(10_000);
    expect(clock.state(5).driftPpm).toBe(0);
    expect(Math.abs(world.errorOf(clock))).toBeGreaterThan(1.8);
  });

  it('a clock never synced has an unbounded uncertainty and says it is past any bound', () => {
    const clock = new ClusterClock(0, () => 1_800_000_000_000);
    expect(clock.uncertaintyMs()).toBe(Number.POSITIVE_INFINITY);
    expect(clock.state(5)).toMatchObject({ uncertaintyMs: null, withinBound: false, lastSyncAt: null });
  });

  // Epoch ms carry ~0.25 µs of float precision and TIME has 1 µs: comparisons allow 1 µs.
  it('for any skew, drift within ±100 ppm and any path delays, now() is off by at most its stated uncertainty plus what the drift estimate misses', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: -2000, max: 2000, noNaN: true }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.array(fc.tuple(fc.double({ min: 0.02, max: 10, noNaN: true }), fc.double({ min: 0.02, max: 10, noNaN: true })), { minLength: 8, maxLength: 64 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 30_000 }),
        async (skewMs, driftPpm, paths, syncs, afterMs) => {
          const world = new World(skewMs, driftPpm);
          world.paths = paths;
          const clock = new ClusterClock(0, world.local);
          for (let i = 0; i < syncs; i++) {
            await clock.sync(world);
            world.advance(2500);
          }
          world.advance(afterMs);
          // The sample the estimate rests on is at most this old; the drift it misses is the rest.
          const sinceBest = (2500 + 200) * syncs + afterMs;
          const missedDrift = Math.abs(driftPpm - clock.state(5).driftPpm) * 1e-6;
          expect(Math.abs(world.errorOf(clock))).toBeLessThanOrEqual(clock.uncertaintyMs() + missedDrift * sinceBest + 1e-3);
        },
      ),
      { numRuns: 300 },
    );
  });
});
