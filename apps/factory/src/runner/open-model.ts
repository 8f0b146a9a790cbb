import { DEFAULT_MAX_IN_FLIGHT, arrivalAtMs, arrivalsBefore, nextOwnedUnit, scheduleEndMs, totalArrivals, type RateSchedule } from '@barrage/planning';
import type { ChunkProgress } from '@barrage/contracts';
import type { Iteration } from './iteration.js';
import type { LoadModel, LoadModelHost } from './load-model.js';

/** How late an arrival may be and still be sent when a chunk joins its plan after the start. */
const CATCH_UP_MS = 100;
/** Iterations allocated before the start, so the first arrivals do not pay for it. */
const PREALLOCATED = 64;
/**
 * Requests each open-model socket carries before another opens (ConnectionLimits.queueDepth):
 * a brief stall queues on the open sockets instead of opening hundreds more.
 */
export const OPEN_MODEL_QUEUE_DEPTH = 8;

/**
 * The open model (k6's arrival-rate executors): arrival k is due at an instant computed from
 * the start instant, never from the previous one, so timer jitter does not accumulate; with
 * maxInFlight iterations outstanding, an arrival is dropped and counted, never delayed.
 */
export class OpenModel implements LoadModel {
  /** The plan's rate schedule, or the same prolonged at its last rate by an extend. */
  private rate: RateSchedule;
  private readonly free: Iteration[] = [];
  private inFlight = 0;
  private nextArrival = 0;
  private arrivalsTotal: number;
  private tickTimer: NodeJS.Timeout | null = null;
  private readonly tickBound = () => this.tick();
  private readonly maxInFlight: number;
  private launched = false;

  /** `rate`: the job's schedule unless told (a chunk's warm-up runs its own: ChunkRunner.warmUp). */
  constructor(
    private readonly host: LoadModelHost,
    rate: RateSchedule = host.job.rate!,
  ) {
    this.rate = rate;
    this.arrivalsTotal = totalArrivals(this.rate);
    this.maxInFlight = host.job.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  }

  get active(): number {
    return this.inFlight;
  }

  prepare(): { sockets: number } {
    while (this.free.length < Math.min(this.maxInFlight, PREALLOCATED)) this.free.push(this.host.newIteration());
    // Sockets for the first second's arrivals, at most the pool maxInFlight allows at full
    // queue depth (125 for the default 1000): the pool a 20,000/s chunk grew to, paced, during
    // its first second while arrivals piled up. Opened ahead they cost nothing during the run:
    // median first-second drops at 20,000/s went from 21 % (32 ahead) to 8 % (bench/README.md).
    const most = Math.ceil(this.maxInFlight / OPEN_MODEL_QUEUE_DEPTH);
    const share = this.host.job.share;
    let n = 0;
    for (let k = nextOwnedUnit(share, 0); k < this.arrivalsTotal && n < most && arrivalAtMs(this.rate, k) < 1000; k = nextOwnedUnit(share, k + 1)) n++;
    return { sockets: n };
  }

  firstDueMs(): number {
    const k = nextOwnedUnit(this.host.job.share, 0);
    return k < this.arrivalsTotal ? arrivalAtMs(this.rate, k) : 0;
  }

  start(resume: ChunkProgress, joinedAtMs: number): void {
    // Taking over: resume where the previous run's last snapshot (or hand-back) said it was,
    // so the gap while the chunk changed hands is sent late rather than lost. Otherwise
    // arrivals a little overdue are still sent (their lateness is recorded), and those due
    // before a late-taken chunk was accepted belonged to the factory it replaces.
    const skipBefore = joinedAtMs - CATCH_UP_MS;
    const from = resume.arrival ?? (skipBefore > 0 ? arrivalsBefore(this.rate, skipBefore) : 0);
    this.nextArrival = nextOwnedUnit(this.host.job.share, from);
    while (this.free.length < Math.min(this.maxInFlight, PREALLOCATED)) this.free.push(this.host.newIteration());
    this.tick();
  }

  private tick(): void {
    this.tickTimer = null;
    const host = this.host;
    const rate = this.rate;
    const share = host.job.share;
    const elapsed = host.clock.now() - host.startAt;
    let k = this.nextArrival;
    while (k < this.arrivalsTotal && !host.stopping) {
      const due = arrivalAtMs(rate, k);
      if (due > elapsed) break;
      if (this.inFlight < this.maxInFlight) {
        const it = this.free.pop() ?? host.newIteration();
        host.arrival(false);
        host.started(++this.inFlight);
        host.sent(elapsed - due);
        it.begin(k, 0, host.startAt + due);
        if (!this.launched) {
          this.launched = true;
          host.launched(host.startAt + due);
        }
      } else host.arrival(true); // never silently delayed: dropped and counted
      k = nextOwnedUnit(share, k + 1);
    }
    this.nextArrival = k;
    if (k >= this.arrivalsTotal || host.stopping) return host.checkDone();
    const wait = arrivalAtMs(rate, k) - (host.clock.now() - host.startAt);
    this.tickTimer = setTimeout(this.tickBound, wait > 2 ? Math.floor(wait) - 1 : 1);
  }

  iterationEnded(it: Iteration): void {
    this.inFlight--;
    this.free.push(it);
    this.host.checkDone();
  }

  /** In-flight iterations are not tracked one by one in the open model: they end on their own or with the connections. */
  abortAll(): void {}

  isDone(): boolean {
    return this.inFlight === 0 && (this.host.stopping || this.nextArrival >= this.arrivalsTotal);
  }

  progress(): ChunkProgress {
    return { arrival: this.nextArrival };
  }

  /**
   * Extend: arrivals go on at the plan's last rate until `endMs` (every factory prolongs the
   * plan the same way, so their shares still add up). The prefix of the schedule is
   * unchanged, so arrival k keeps its instant. A shorter end is the runner's stop timer.
   */
  setEnd(endMs: number): void {
    const plan = this.host.job.rate!;
    const planEnd = scheduleEndMs(plan);
    const last = plan.segments.at(-1);
    const next = endMs > planEnd && last && last.toRate > 0 ? { segments: [...plan.segments, { startMs: planEnd, durationMs: endMs - planEnd, fromRate: last.toRate, toRate: last.toRate }] } : plan;
    if (scheduleEndMs(next) === scheduleEndMs(this.rate)) return;
    this.rate = next;
    this.arrivalsTotal = totalArrivals(next);
  }

  close(): void {
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.tickTimer = null;
  }
}
