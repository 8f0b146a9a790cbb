import fc from 'fast-check';
import { largestRemainder } from './largest-remainder.js';
import { planLines } from './lines.js';
import { executionProfileSchema, type ClosedProfile, type OpenProfile } from './profiles/index.js';
import { planRate, totalArrivals } from './rate.js';
import {
  chunkLines,
  chunkShares,
  nextOwnedUnit,
  ownedUnitAt,
  ownsUnit,
  shareFraction,
  splitCounts,
  threadShare,
  unitsOwned,
  type ChunkShare,
} from './share.js';
import { totalMinions, type StartingLine } from './starting-line.js';

// ---- Arbitraries: random plans, zones and chunks ------------------------------------------

const closedProfileArb: fc.Arbitrary<ClosedProfile> = fc
  .oneof(
    fc.constant({ profile: 'IMMEDIATELY' }),
    fc.record({ profile: fc.constant('REGULAR'), periodMs: fc.integer({ min: 1, max: 1000 }), minionsCountProLaunch: fc.integer({ min: 1, max: 50 }) }),
    fc.record({
      profile: fc.constant('ACCELERATING'),
      startPeriodMs: fc.constant(2000),
      accelerator: fc.double({ min: 1.01, max: 4, noNaN: true }),
      minPeriodMs: fc.integer({ min: 1, max: 2000 }),
      minionsCountProLaunch: fc.integer({ min: 1, max: 40 }),
    }),
    fc.record({
      profile: fc.constant('PROGRESSING_VOLUME'),
      periodMs: fc.integer({ min: 1, max: 1000 }),
      minionsCountProLaunchAtStart: fc.integer({ min: 1, max: 20 }),
      multiplier: fc.double({ min: 1, max: 3, noNaN: true }),
      maxMinionsCountProLaunch: fc.integer({ min: 20, max: 500 }),
    }),
    fc.record({ profile: fc.constant('TIMEFRAME'), periodInMs: fc.integer({ min: 1, max: 500 }), timeFrameInMs: fc.integer({ min: 1, max: 20000 }) }),
    fc
      .array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 4 })
      .filter((stages) => stages.some(([minions]) => minions > 0))
      .map((stages) => ({
        profile: 'STAGE',
        stages: stages.map(([minionsCount, lines, extra]) => ({ minionsCount, resolutionMs: 100, rampUpDurationMs: lines * 100, totalDurationMs: (lines + extra) * 100 })),
      })),
    fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 4 }).map((raw) => ({
      profile: 'PERCENTAGE_STAGE',
      stages: largestRemainder(100_000, raw).map((thousandths, i) => ({
        minionsPercentage: thousandths / 1000,
        rampUpDurationMs: (i + 1) * 500,
        totalDurationMs: (i + 2) * 500,
      })),
    })),
  )
  .map((input) => executionProfileSchema.parse(input) as ClosedProfile);

const planArb = fc
  .tuple(closedProfileArb, fc.integer({ min: 0, max: 3000 }), fc.double({ min: 0.1, max: 10, noNaN: true }))
  .map(([profile, minions, speedFactor]) => planLines(profile, minions, speedFactor));

/** Zone percentages as people type them (up to 3 decimals), summing to 100 as floats. */
const zonePercentagesArb = fc
  .array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 5 })
  .map((raw) => largestRemainder(100_000, raw).map((thousandths) => thousandths / 1000))
  .filter((percentages) => percentages.every((p) => p > 0));

/** Zones with 1–50 chunks in all, at least one per zone, each with a random capacity. */
const layoutArb = zonePercentagesArb.chain((percentages) =>
  fc
    .tuple(...percentages.map(() => fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: Math.floor(50 / percentages.length) })))
    .map((capacities) => ({ percentages, capacities, shares: chunkShares(percentages, capacities) })),
);

/** Which chunk owns each unit of [0, total), checking that exactly one does. */
function ownersOf(shares: ChunkShare[], total: number): number[] {
  const owners: number[] = [];
  for (let unit = 0; unit < total; unit++) {
    const owning = shares.flatMap((share, chunk) => (ownsUnit(share, unit) ? [chunk] : []));
    if (owning.length !== 1) throw new Error(`unit ${unit} is owned by chunks [${owning}]`);
    owners.push(owning[0]);
  }
  return owners;
}

// ---- Properties ------------------------------------------------------------------------------

describe('splitting a closed plan over zones and chunks', () => {
  it('(a)(c) sums every line exactly over the chunks, with non-negative integer counts', () => {
    fc.assert(
      fc.property(planArb, layoutArb, (lines, { shares }) => {
        const perChunk = shares.map((share) => chunkLines(lines, share));
        const sums = new Map<number, number>();
        let badCounts = 0;
        for (const chunk of perChunk) {
          for (const line of chunk) {
            if (!(Number.isInteger(line.count) && line.count > 0)) badCounts++;
            sums.set(line.atMs, (sums.get(line.atMs) ?? 0) + line.count);
          }
        }
        expect(badCounts).toBe(0);
        expect(lines.map((line) => sums.get(line.atMs) ?? 0)).toEqual(lines.map((line) => line.count));
      }),
      { numRuns: 150 },
    );
  });

  it('(b) gives every minion to exactly one chunk, and chunkLines agrees with ownsUnit', () => {
    fc.assert(
      fc.property(planArb, layoutArb, (lines, { shares }) => {
        const total = totalMinions(lines);
        const owners = ownersOf(shares, total);
        shares.forEach((share, chunk) => {
          expect(totalMinions(chunkLines(lines, share))).toBe(owners.filter((owner) => owner === chunk).length);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('(d) keeps each zone within 1 of total × percentage / 100', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), layoutArb, (total, { percentages, capacities, shares }) => {
        let first = 0;
        percentages.forEach((percentage, zone) => {
          const zoneShares = shares.slice(first, first + capacities[zone].length);
          first += capacities[zone].length;
          const zoneTotal = zoneShares.reduce((sum, share) => sum + unitsOwned(share, 0, total), 0);
          expect(Math.abs(zoneTotal - (total * percentage) / 100)).toBeLessThan(1 + 1e-6);
        });
      }),
    );
  });

  it('(d) stays within the weight resolution for percentages with many decimals', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.5, max: 100, noNaN: true }), { minLength: 2, maxLength: 5 }),
        fc.integer({ min: 0, max: 100_000 }),
        (raw, total) => {
          const sum = raw.reduce((a, b) => a + b, 0);
          const percentages = raw.map((r) => (r * 100) / sum);
          const counts = splitCounts(total, percentages);
          expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
          counts.forEach((count, i) => expect(Math.abs(count - (total * percentages[i]) / 100)).toBeLessThan(1 + total * 1e-5));
        },
      ),
    );
  });
});

describe('splitting an open plan over zones and chunks', () => {
  const openProfileArb: fc.Arbitrary<OpenProfile> = fc
    .oneof(
      fc.record({ profile: fc.constant('CONSTANT_RATE'), rate: fc.double({ min: 0.5, max: 300, noNaN: true }), durationMs: fc.integer({ min: 1, max: 10000 }) }),
      fc.record({
        profile: fc.constant('RAMPING_RATE'),
        startRate: fc.oneof(fc.constant(0), fc.double({ min: 0.001, max: 200, noNaN: true })),
        stages: fc.array(fc.record({ targetRate: fc.double({ min: 0.5, max: 200, noNaN: true }), durationMs: fc.integer({ min: 1, max: 5000 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
      }),
    )
    .map((input) => executionProfileSchema.parse(input) as OpenProfile);

  it('(e) gives every arrival to exactly one chunk; per-chunk counts and walks sum to the total', () => {
    fc.assert(
      fc.property(openProfileArb, fc.double({ min: 0.5, max: 4, noNaN: true }), layoutArb, (profile, speedFactor, { shares }) => {
        const total = totalArrivals(planRate(profile, speedFactor));
        const owners = ownersOf(shares, total);
        let counted = 0;
        shares.forEach((share, chunk) => {
          const mine = owners.flatMap((owner, unit) => (owner === chunk ? [unit] : []));
          expect(unitsOwned(share, 0, total)).toBe(mine.length);
          counted += unitsOwned(share, 0, total);
          // The factory's walk: k = nextOwnedUnit(share, k + 1) until the schedule's end.
          const walked: number[] = [];
          for (let k = nextOwnedUnit(share, 0); k < total; k = nextOwnedUnit(share, k + 1)) walked.push(k);
          expect(walked).toEqual(mine);
        });
        expect(counted).toBe(total);
      }),
      { numRuns: 60 },
    );
  });
});

// ---- Examples and edges --------------------------------------------------------------------

describe('splitting a chunk over its factory\'s worker threads (barrage factory --threads)', () => {
  it('gives each of the chunk\'s minions and arrivals to exactly one thread, and nothing the chunk does not own', () => {
    fc.assert(
      fc.property(planArb, layoutArb, fc.integer({ min: 1, max: 8 }), fc.nat(), (lines, { shares }, threads, pick) => {
        const chunk = shares[pick % shares.length]!;
        const parts = Array.from({ length: threads }, (_, t) => threadShare(chunk, threads, t));
        // Lines: per instant, the threads' counts add up to the chunk's.
        const sums = new Map<number, number>();
        for (const part of parts) for (const l of chunkLines(lines, part)) sums.set(l.atMs, (sums.get(l.atMs) ?? 0) + l.count);
        expect(chunkLines(lines, chunk).map((l) => sums.get(l.atMs) ?? 0)).toEqual(chunkLines(lines, chunk).map((l) => l.count));
        // Units (arrivals): owned by the chunk ⇔ owned by exactly one thread.
        for (let unit = 0; unit < 400; unit++) {
          const owners = parts.filter((p) => ownsUnit(p, unit)).length;
          expect(owners).toBe(ownsUnit(chunk, unit) ? 1 : 0);
        }
        // The threads' shares are even: within 1 of each other over any prefix of the chunk's units.
        const counts = parts.map((p) => unitsOwned(p, 0, 2000));
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a thread count that is not a positive integer', () => {
    expect(() => threadShare({ levels: [{ weights: [1], index: 0 }] }, 0, 0)).toThrow(RangeError);
    expect(() => threadShare({ levels: [{ weights: [1], index: 0 }] }, 1.5, 0)).toThrow(RangeError);
  });
});

describe('chunk shares', () => {
  it('splits 200 minions IMMEDIATELY at zones 45/55 into 90/110', () => {
    const lines = planLines(executionProfileSchema.parse({ profile: 'IMMEDIATELY' }) as ClosedProfile, 200, 1);
    const [west, east] = chunkShares([45, 55], [[1], [1]]).map((share) => chunkLines(lines, share));
    expect(west).toEqual([{ atMs: 0, count: 90 }]);
    expect(east).toEqual([{ atMs: 0, count: 110 }]);
    expect(splitCounts(200, [45, 55])).toEqual([90, 110]);
  });

  it('splits a zone by capacity', () => {
    const lines: StartingLine[] = [{ atMs: 0, count: 700 }];
    const shares = chunkShares([100], [[200, 500]]);
    expect(shares.map((share) => chunkLines(lines, share))).toEqual([[{ atMs: 0, count: 200 }], [{ atMs: 0, count: 500 }]]);
    expect(shares.map(shareFraction)).toEqual([2 / 7, 5 / 7]);
  });

  it('rotates the rounding across lines instead of always favouring chunk 0', () => {
    const lines: StartingLine[] = Array.from({ length: 6 }, (_, i) => ({ atMs: i * 100, count: 1 }));
    const shares = chunkShares([100], [[1, 1, 1]]);
    expect(shares.map((share) => chunkLines(lines, share).map((line) => line.atMs))).toEqual([
      [0, 300],
      [100, 400],
      [200, 500],
    ]);
  });

  it('lets a factory join late: the first owned unit at or after any k', () => {
    const [share] = chunkShares([45.5, 54.5], [[3, 1], [1]]);
    for (const k of [0, 1, 17, 123456, 999_999_999_999]) {
      let brute = k;
      while (!ownsUnit(share, brute)) brute++;
      expect(nextOwnedUnit(share, k)).toBe(brute);
      expect(ownedUnitAt(share, unitsOwned(share, 0, k))).toBe(brute);
    }
  });

  it('owns nothing at a weight of 0', () => {
    const share: ChunkShare = { levels: [{ weights: [0, 1], index: 0 }] };
    expect(unitsOwned(share, 0, 1000)).toBe(0);
    expect(nextOwnedUnit(share, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(chunkLines([{ atMs: 0, count: 10 }], share)).toEqual([]);
  });

  it('refuses an index outside its weights, a share without levels, and a zone without chunks', () => {
    expect(() => unitsOwned({ levels: [{ weights: [1, 1], index: 2 }] }, 0, 1)).toThrow(RangeError);
    expect(() => unitsOwned({ levels: [] }, 0, 1)).toThrow(RangeError);
    expect(() => chunkShares([50, 50], [[1], []])).toThrow('zone 1 has load but no chunk');
    expect(() => ownsUnit({ levels: [{ weights: [1], index: 0 }] }, -1)).toThrow(RangeError);
  });

  it('compiles a share of 50 chunks at three-decimal percentages quickly', () => {
    const started = performance.now();
    const shares = chunkShares([33.333, 33.333, 33.334], [Array.from({ length: 50 }, (_, i) => 100 + i * 37), [1], [1]]);
    const counts = shares.map((share) => unitsOwned(share, 0, 1e12));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1e12);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
