import { setFlagsFromString } from 'node:v8';
import type { ChunkJob } from '@barrage/contracts';

/** Closed-model minions running at once from which the old generation's growth is held. */
export const HELD_FROM_MINIONS = 1000;

/**
 * The old generation's growth (`--heap-growing-percent`) the factory wants for the chunks it
 * runs: `percent` (HEAP_GROWTH_PERCENT) while they hold at least 1,000 closed-model minions,
 * else 0, V8's own.
 *
 * Why: each response's objects live as long as the target takes. With thousands of minions on
 * a slow target they outlive the scavenges of Node's young generation and are promoted, and V8,
 * seeing memory plentiful, lets the old generation grow to ~4× what its last full collection
 * kept before the next one: 10,000 minions on a 1 s target peaked at 539–646 MB RSS where they
 * hold ~100 MB, and at 254–288 MB with 25 % (bench/README.md#memory). The price is more full
 * collections: there, ~4 % fewer requests and +40 ms at the median; in an open-model chunk at
 * 20,000/s, where little lives long, event-loop stalls of 20–29 ms against 7–13 ms, so it keeps
 * V8's own.
 */
export function heapGrowthFor(jobs: Iterable<Pick<ChunkJob, 'lines' | 'minions'>>, percent: number): number {
  let closed = 0;
  for (const j of jobs) if (j.lines !== null) closed += j.minions;
  return closed >= HELD_FROM_MINIONS ? percent : 0;
}

/** Applies heapGrowthFor to V8 as chunks come and go (a process-wide flag, read at each full collection). */
export class HeapGrowth {
  private current = 0;

  constructor(private readonly percent: number) {}

  /** The growth now in force: `percent`, or 0 for V8's own. Returns true when it changed. */
  apply(jobs: Iterable<Pick<ChunkJob, 'lines' | 'minions'>>): boolean {
    const want = heapGrowthFor(jobs, this.percent);
    if (want === this.current) return false;
    setFlagsFromString(`--heap-growing-percent=${want}`);
    this.current = want;
    return true;
  }

  get percentNow(): number {
    return this.current;
  }
}
