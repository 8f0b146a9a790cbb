import { mergeStepIntervals } from '@barrage/metrics';
import type { ChunkProgress, Snapshot } from '@barrage/contracts';
import type { ChunkOutcome } from '../runner/chunk-runner.js';

/**
 * One interval of a chunk run by several worker threads, as one snapshot (the head sees one
 * run of the chunk, whatever the thread count): counts summed, histograms merged exactly,
 * generator health the worst thread's. `seq` is the merged run's own.
 */
export function mergeThreadSnapshots(parts: readonly Snapshot[], seq: number): Snapshot {
  const first = parts[0];
  if (!first) throw new RangeError('no snapshot to merge');
  const sum = (pick: (s: Snapshot) => number) => parts.reduce((n, s) => n + pick(s), 0);
  const max = (pick: (s: Snapshot) => number) => parts.reduce((n, s) => Math.max(n, pick(s)), 0);
  return {
    ...first,
    seq,
    minionsActive: sum((s) => s.minionsActive),
    minionsStarted: sum((s) => s.minionsStarted),
    iterations: sum((s) => s.iterations),
    droppedIterations: sum((s) => s.droppedIterations),
    targetArrivals: sum((s) => s.targetArrivals),
    maxLagMs: max((s) => s.maxLagMs),
    maxLatenessMs: max((s) => s.maxLatenessMs),
    // Each thread's share of its own core: the busiest one says whether the generator kept up.
    cpu: max((s) => s.cpu),
    saturated: parts.some((s) => s.saturated),
    steps: first.steps.map((step, i) => mergeStepIntervals(parts.map((p) => p.steps[i] ?? step), step.step)),
  };
}

/**
 * The chunk's progress from its threads': each thread's is counted in the chunk's arrivals or
 * lines, and a takeover must not skip what a slower thread has not issued, so the least wins
 * (at most the few units the threads were apart are sent twice).
 */
export function mergeThreadProgress(parts: readonly ChunkProgress[]): ChunkProgress | null {
  if (parts.length === 0) return null;
  const arrivals = parts.flatMap((p) => (p.arrival === undefined ? [] : [p.arrival]));
  if (arrivals.length) return { arrival: Math.min(...arrivals) };
  const lines = parts.flatMap((p) => (p.line === undefined ? [] : [p.line]));
  return lines.length ? { line: Math.min(...lines) } : null;
}

/** How the chunk's one run ended, from its threads' ends; `lastSeq` is the merged run's. */
export function mergeThreadOutcomes(parts: readonly ChunkOutcome[], lastSeq: number): ChunkOutcome {
  const sum = (pick: (o: ChunkOutcome) => number) => parts.reduce((n, o) => n + pick(o), 0);
  const any = (pick: (o: ChunkOutcome) => boolean) => parts.some(pick);
  return {
    iterations: sum((o) => o.iterations),
    lastSeq,
    aborted: any((o) => o.aborted),
    handedBack: any((o) => o.handedBack),
    superseded: any((o) => o.superseded),
    minionsStarted: sum((o) => o.minionsStarted),
    droppedIterations: sum((o) => o.droppedIterations),
    rowsExhausted: any((o) => o.rowsExhausted),
  };
}

/**
 * Collects the threads' snapshots by interval and hands out each interval once every thread
 * still running has moved past it (a thread's snapshots come in order; a finished thread adds
 * nothing more).
 */
export class IntervalCollector {
  private readonly pending = new Map<number, Snapshot[]>();
  /** Latest bucket each running thread reported. */
  private readonly latest = new Map<number, number>();
  private seq = 0;

  constructor(threads: number) {
    for (let t = 0; t < threads; t++) this.latest.set(t, -1);
  }

  /** Snapshots published so far (the merged run's next seq). */
  get published(): number {
    return this.seq;
  }

  add(thread: number, s: Snapshot): Snapshot[] {
    const list = this.pending.get(s.bucketStart);
    if (list) list.push(s);
    else this.pending.set(s.bucketStart, [s]);
    if (this.latest.has(thread)) this.latest.set(thread, Math.max(this.latest.get(thread)!, s.bucketStart));
    return this.ready();
  }

  /** The thread has ended: intervals no longer wait for it. */
  end(thread: number): Snapshot[] {
    this.latest.delete(thread);
    return this.ready();
  }

  private ready(): Snapshot[] {
    const through = this.latest.size ? Math.min(...this.latest.values()) : Number.POSITIVE_INFINITY;
    const out: Snapshot[] = [];
    for (const bucket of [...this.pending.keys()].sort((a, b) => a - b)) {
      if (bucket > through) break;
      out.push(mergeThreadSnapshots(this.pending.get(bucket)!, this.seq++));
      this.pending.delete(bucket);
    }
    return out;
  }
}
