import { StepRecorder } from '@barrage/metrics';
import { arrivalAtMs, arrivalsBefore, chunkLines, nextOwnedUnit, scheduleEndMs, totalArrivals, type RateSchedule, type StartingLine } from '@barrage/planning';
import { redisKeys, type ChunkJob, type ChunkProgress, type Snapshot } from '@barrage/contracts';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ClusterClock } from '../clock.js';
import { ControlWatcher, type ControlAnnouncements } from '../control.js';
import { Connections } from '../http/connections.js';
import type { Publisher } from '../publisher.js';
import { compileScenario, type CompiledScenario } from '../scenario/compiled.js';
import { GeneratorHealth } from './generator-health.js';
import { Iteration, prepareSteps, type IterationContext } from './iteration.js';

/** Least time between two new sockets in the open model (see ConnectionLimits.paceMs). */
const OPEN_MODEL_CONNECT_PACE_MS = 0.5;
const OPEN_MODEL_CONNECT_BURST = 32;

/** How late an arrival may be and still be sent when a chunk joins its plan after the start. */
const CATCH_UP_MS = 100;

export interface ChunkRunnerDeps {
  clock: ClusterClock;
  publisher: Publisher;
  redis: Redis;
  announcements: ControlAnnouncements | null;
  factoryId: string;
  /** This run of the chunk (a takeover or hand-back starts another); snapshots' seq restart at 0 per run. */
  run: string;
  host: string;
  log: Logger;
}

/** How long a chunk's progress is kept in Redis after its last write. */
const PROGRESS_TTL_S = 24 * 3600;
/** On hand-back, in-flight iterations get this long to finish before they are cut. */
const HAND_BACK_DRAIN_MS = 2000;

export interface ChunkOutcome {
  iterations: number;
  lastSeq: number;
  aborted: boolean;
  /** Stopped by handBack(): the chunk goes back to the queue, not to `finished`. */
  handedBack: boolean;
  /** Stopped because another run took the chunk over (see writeProgress). */
  superseded: boolean;
  minionsStarted: number;
  droppedIterations: number;
}

/**
 * Runs one chunk: waits for the synchronised start, starts minions on the chunk's lines
 * (closed model) or iterations on its arrivals (open model), and pushes one snapshot per
 * interval. Both schedules are functions of time since the start instant, so a chunk taken
 * late (a takeover) joins the plan at the current offset.
 */
export class ChunkRunner implements IterationContext {
  readonly scenario: CompiledScenario;
  readonly recorders: StepRecorder[];
  readonly connections: Connections;
  readonly clock: ClusterClock;
  private readonly prepared;
  private readonly control: ControlWatcher;
  private readonly health = new GeneratorHealth();

  private startAt = 0;
  /** Offset into the plan at which this chunk was taken: 0 unless it was taken late. */
  private joinedAtMs = 0;
  private endAt = Number.POSITIVE_INFINITY;
  private stopping = false;
  private hardStopped = false;
  private handingBack = false;
  private superseded = false;
  /** Where the plan resumes when this run takes over from another (see redisKeys.chunkProgress). */
  private resume: ChunkProgress = {};
  private finished = false;
  private resolveDone: (() => void) | null = null;
  private timers: NodeJS.Timeout[] = [];

  // closed model
  private lines: StartingLine[] = [];
  private lineIndex = 0;
  private readonly minions = new Set<Iteration>();
  private nextMinionId = 0;

  // open model
  /** The plan's rate schedule, or the same prolonged at its last rate by an extend. */
  private rate: RateSchedule | null;
  private readonly freeIterations: Iteration[] = [];
  private inFlight = 0;
  private nextArrival = 0;
  private arrivalsTotal = 0;

  // interval counters
  private seq = 0;
  private bucketStart = 0;
  private intervalStarted = 0;
  private intervalIterations = 0;
  private intervalDropped = 0;
  private intervalTarget = 0;
  /** Most minions (or in-flight iterations) active at once in the interval. */
  private intervalPeakActive = 0;
  private totalIterations = 0;
  private totalStarted = 0;
  private totalDropped = 0;
  private rowCursor = 0;

  constructor(
    readonly job: ChunkJob,
    private readonly deps: ChunkRunnerDeps,
  ) {
    this.clock = deps.clock;
    this.rate = job.rate;
    // Open model: sockets grow paced up to maxInFlight; closed model: a minion may always have its own.
    this.connections = job.rate
      ? new Connections({ maxConnections: job.maxInFlight ?? 1000, paceMs: OPEN_MODEL_CONNECT_PACE_MS, burst: OPEN_MODEL_CONNECT_BURST, queueDepth: 8 })
      : new Connections();
    this.scenario = compileScenario(job.scenario, job.variables);
    this.recorders = this.scenario.steps.map((s) => new StepRecorder(s.name));
    this.prepared = prepareSteps(this.scenario, this.connections);
    this.control = new ControlWatcher(deps.redis, job.campaignKey, deps.announcements);
  }

  get minionsActive(): number {
    return this.job.rate ? this.inFlight : this.minions.size;
  }

  async run(): Promise<ChunkOutcome> {
    this.control.start();
    try {
      const startAt = await this.waitForStart();
      if (startAt === null) return this.outcome(true);
      this.startAt = startAt;
      this.resume = await this.readProgress();
      await this.claim();
      this.event('started');
      this.applyControl();
      this.control.onChange(() => this.applyControl());
      // Taken after the start instant (a takeover): join the plan at the current offset.
      this.joinedAtMs = Math.max(0, this.clock.now() - startAt);
      await this.sleepUntil(startAt);
      // The wait before the start is not the generator's load: measure from the start instant.
      this.health.restart();
      const done = new Promise<void>((r) => (this.resolveDone = r));
      // A run that joins late reports from the bucket it joined in: its seq 0 is that bucket.
      this.bucketStart = Math.floor(Math.max(startAt, this.clock.now()) / this.job.resolutionMs) * this.job.resolutionMs;
      this.scheduleBoundary();
      // An extend (control endAt) moves the end past the timeout: it governs then.
      if (this.job.timeoutMs !== null) this.at(startAt + this.job.timeoutMs, () => (this.control.state.endAt ?? 0) > this.clock.now() || this.stop(this.job.hardTimeout));
      if (this.job.rate) this.startOpen();
      else this.startClosed();
      await done;
      this.emitSnapshot();
      return this.outcome(this.hardStopped || this.control.state.abort !== undefined);
    } finally {
      for (const t of this.timers) clearTimeout(t);
      if (this.tickTimer) clearTimeout(this.tickTimer);
      this.control.stop();
      this.health.close();
      await this.connections.close();
    }
  }

  /** Stops at once, in-flight requests included (SIGTERM past its grace period). */
  abort(): void {
    this.stop(true);
    this.resolveDone?.();
    this.abortWait?.();
  }

  /**
   * Stops issuing the plan and lets in-flight iterations finish (for HAND_BACK_DRAIN_MS at
   * most), so the last snapshot counts everything sent; the progress written then tells the
   * factory that takes the chunk over where to resume.
   */
  handBack(): void {
    if (this.handingBack) return;
    this.handingBack = true;
    if (!this.startAt) return this.abort(); // not started yet: nothing to drain
    this.stop(false);
    this.at(this.clock.now() + HAND_BACK_DRAIN_MS, () => this.stop(true));
  }

  private outcome(aborted: boolean): ChunkOutcome {
    return {
      iterations: this.totalIterations,
      lastSeq: this.seq - 1,
      aborted: aborted && !this.handingBack && !this.superseded,
      handedBack: this.handingBack,
      superseded: this.superseded,
      minionsStarted: this.totalStarted,
      droppedIterations: this.totalDropped,
    };
  }

  private event(event: 'started'): void {
    const { campaignKey, chunkId } = this.job;
    this.deps.publisher.event({ event, campaignKey, chunkId, factoryId: this.deps.factoryId, run: this.deps.run, host: this.deps.host, at: Math.round(this.clock.now()) });
  }

  private async readProgress(): Promise<ChunkProgress> {
    try {
      const h = await this.deps.redis.hgetall(redisKeys.chunkProgress(this.job.chunkId));
      return { ...(h.arrival ? { arrival: Number(h.arrival) } : {}), ...(h.line ? { line: Number(h.line) } : {}) };
    } catch {
      return {}; // Redis unreachable: join at the current offset instead
    }
  }

  /** This run owns the chunk from now on: a run still going elsewhere stops at its next snapshot. */
  private async claim(): Promise<void> {
    const key = redisKeys.chunkProgress(this.job.chunkId);
    await this.deps.redis.multi().hset(key, 'owner', this.deps.run).expire(key, PROGRESS_TTL_S).exec().catch(() => undefined);
  }

  /**
   * Written with every snapshot (and on hand-back): a takeover resumes here. Never awaited.
   * Fencing: when Redis was unreachable longer than the job lock, BullMQ may have handed the
   * chunk to another run; the owner field says so, and this run stops instead of doubling
   * the load (and leaves the progress to the owner).
   */
  private writeProgress(): void {
    const key = redisKeys.chunkProgress(this.job.chunkId);
    const field = this.job.rate ? ['arrival', this.nextArrival] : ['line', this.lineIndex];
    const run = this.deps.run;
    const write = async () => {
      const owner = await this.deps.redis.hget(key, 'owner');
      if (owner && owner !== run) return this.supersede(owner);
      await this.deps.redis.multi().hset(key, field[0]!, String(field[1])).expire(key, PROGRESS_TTL_S).exec();
    };
    write().catch(() => undefined);
  }

  private supersede(owner: string): void {
    if (this.superseded || this.finished) return;
    this.superseded = true;
    this.deps.log.warn({ chunk: this.job.chunkId, run: this.deps.run, owner }, 'chunk taken over by another run: stopping this one');
    this.stop(false);
    this.at(this.clock.now() + HAND_BACK_DRAIN_MS, () => this.stop(true));
  }

  private abortWait: (() => void) | null = null;

  /** The start instant from the control key, or null when the campaign is aborted first. */
  private waitForStart(): Promise<number | null> {
    return new Promise((resolve) => {
      const check = () => {
        const s = this.control.state;
        if (s.abort) resolve(null);
        else if (s.startAt !== undefined) resolve(s.startAt);
        else return false;
        return true;
      };
      if (check()) return;
      this.abortWait = () => resolve(null);
      this.control.onChange(() => void check());
    });
  }

  private applyControl(): void {
    const s = this.control.state;
    // The open model ends with its last arrival, never by a timer that could cut arrivals
    // still due within the same millisecond; closed profiles end at the plan's end.
    const planned = this.job.endMs === null || this.job.rate ? Number.POSITIVE_INFINITY : this.startAt + this.job.endMs;
    if (this.job.rate && s.endAt !== undefined) this.prolongRate(s.endAt - this.startAt);
    const end = s.endAt ?? planned;
    if (end !== this.endAt) {
      this.endAt = end;
      if (Number.isFinite(end)) this.at(end, () => this.stop(this.job.completion === 'HARD'));
    }
    if (s.abort) this.stop(s.abort === 'hard');
  }

  /**
   * Extend in the open model: arrivals go on at the plan's last rate until `endMs` (every
   * factory prolongs the plan the same way, so their shares still add up). The prefix of the
   * schedule is unchanged, so arrival k keeps its instant. A shorter end just stops earlier.
   */
  private prolongRate(endMs: number): void {
    const plan = this.job.rate!;
    const planEnd = scheduleEndMs(plan);
    const last = plan.segments.at(-1);
    const next = endMs > planEnd && last && last.toRate > 0 ? { segments: [...plan.segments, { startMs: planEnd, durationMs: endMs - planEnd, fromRate: last.toRate, toRate: last.toRate }] } : plan;
    if (scheduleEndMs(next) === scheduleEndMs(this.rate!)) return;
    this.rate = next;
    this.arrivalsTotal = totalArrivals(next);
  }

  private sleepUntil(instant: number): Promise<void> {
    return new Promise((r) => this.at(instant, r));
  }

  /** setTimeout against the cluster clock, re-armed if it fires early. */
  private at(instant: number, fn: () => void): void {
    const wait = instant - this.clock.now();
    if (wait <= 0) return void queueMicrotask(fn);
    this.timers.push(setTimeout(() => this.at(instant, fn), Math.max(1, Math.ceil(wait))));
  }

  // ----- closed model -----

  private startClosed(): void {
    this.lines = chunkLines(this.job.lines!, this.job.share);
    // Taking over minions that run once: those another run already started are not started
    // again. Minions that replay are all restarted (the population is what the plan wants).
    if (!this.job.replay && this.resume.line !== undefined) this.lineIndex = Math.min(this.resume.line, this.lines.length);
    this.startDueLines();
  }

  private startDueLines(): void {
    if (this.stopping) return this.checkDone();
    const elapsed = this.clock.now() - this.startAt;
    while (this.lineIndex < this.lines.length && this.lines[this.lineIndex]!.atMs <= elapsed) {
      const line = this.lines[this.lineIndex++]!;
      this.health.send(elapsed - line.atMs);
      for (let i = 0; i < line.count; i++) this.startMinion(this.startAt + line.atMs);
    }
    const next = this.lines[this.lineIndex];
    if (next) this.at(this.startAt + next.atMs, () => this.startDueLines());
    else this.checkDone();
  }

  private startMinion(intended: number): void {
    const minion = new Iteration(this, this.prepared);
    this.minions.add(minion);
    if (this.minions.size > this.intervalPeakActive) this.intervalPeakActive = this.minions.size;
    this.intervalStarted++;
    this.totalStarted++;
    minion.begin(this.nextMinionId++, 0, intended);
  }

  // ----- open model -----

  private startOpen(): void {
    const rate = this.rate!;
    this.arrivalsTotal = totalArrivals(rate);
    // Arrivals a little overdue are still sent (their lateness is recorded); those due
    // before a late-taken chunk was accepted belonged to the factory it replaces.
    // Taking over: resume where the previous run's last snapshot (or hand-back) said it was,
    // so the gap while the chunk changed hands is sent late rather than lost. Without that,
    // arrivals a little overdue are still sent (their lateness is recorded); those due before
    // a late-taken chunk was accepted belonged to the factory it replaces.
    const skipBefore = this.joinedAtMs - CATCH_UP_MS;
    const from = this.resume.arrival ?? (skipBefore > 0 ? arrivalsBefore(rate, skipBefore) : 0);
    this.nextArrival = nextOwnedUnit(this.job.share, from);
    // Iterations allocated ahead, so the first arrivals do not pay for it.
    for (let i = 0; i < Math.min(this.job.maxInFlight ?? 1000, 64); i++) this.freeIterations.push(new Iteration(this, this.prepared));
    this.tickArrivals();
  }

  private readonly tickBound = () => this.tickArrivals();
  private tickTimer: NodeJS.Timeout | null = null;

  private tickArrivals(): void {
    const rate = this.rate!;
    const share = this.job.share;
    const max = this.job.maxInFlight ?? 1000;
    const now = this.clock.now();
    const elapsed = now - this.startAt;
    let k = this.nextArrival;
    while (k < this.arrivalsTotal && !this.stopping) {
      const due = arrivalAtMs(rate, k);
      if (due > elapsed) break;
      this.intervalTarget++;
      if (this.inFlight < max) {
        const it = this.freeIterations.pop() ?? new Iteration(this, this.prepared);
        if (++this.inFlight > this.intervalPeakActive) this.intervalPeakActive = this.inFlight;
        this.intervalStarted++;
        this.totalStarted++;
        this.health.send(elapsed - due);
        it.begin(k, 0, this.startAt + due);
      } else {
        // Never silently delayed: an arrival with no free slot is dropped and counted.
        this.intervalDropped++;
        this.totalDropped++;
      }
      k = nextOwnedUnit(share, k + 1);
    }
    this.nextArrival = k;
    if (k >= this.arrivalsTotal || this.stopping) return this.checkDone();
    const wait = arrivalAtMs(rate, k) - (this.clock.now() - this.startAt);
    this.tickTimer = setTimeout(this.tickBound, wait > 2 ? Math.floor(wait) - 1 : 1);
  }

  // ----- iterations -----

  iterationEnded(it: Iteration): void {
    this.intervalIterations++;
    this.totalIterations++;
    if (this.job.rate) {
      this.inFlight--;
      this.freeIterations.push(it);
      return this.checkDone();
    }
    const now = this.clock.now();
    const lastDuration = it.endedAt - it.startedAt;
    const mayReplay = this.job.replay && !this.stopping && now < this.endAt;
    // HARD completion: no iteration that its last duration says cannot finish in time.
    const fits = this.job.completion !== 'HARD' || now + lastDuration <= this.endAt;
    if (mayReplay && fits) {
      setImmediate(() => (this.stopping ? this.endMinion(it) : it.begin(it.minionId, it.iteration + 1, this.clock.now())));
      return;
    }
    this.endMinion(it);
  }

  private endMinion(it: Iteration): void {
    this.minions.delete(it);
    this.checkDone();
  }

  nextRow(minionId: number): Record<string, string> | null {
    const rows = this.scenario.rows;
    if (!rows) return null;
    if (this.scenario.rowMode === 'random') return rows[Math.floor(Math.random() * rows.length)]!;
    return rows[(minionId + this.rowCursor++) % rows.length]!;
  }

  private stop(hard: boolean): void {
    this.stopping = true;
    if (hard && !this.hardStopped) {
      this.hardStopped = true;
      for (const m of this.minions) m.abort();
    }
    this.checkDone();
  }

  private checkDone(): void {
    if (this.finished) return;
    const closedDone = !this.job.rate && this.minions.size === 0 && (this.stopping || this.lineIndex >= this.lines.length);
    const openDone = !!this.job.rate && this.inFlight === 0 && (this.stopping || this.nextArrival >= this.arrivalsTotal);
    if (closedDone || openDone) {
      this.finished = true;
      this.resolveDone?.();
    }
  }

  // ----- snapshots -----

  private scheduleBoundary(): void {
    if (this.finished) return;
    const boundary = this.bucketStart + this.job.resolutionMs;
    this.at(boundary, () => {
      if (this.finished) return;
      this.emitSnapshot();
      this.bucketStart = boundary;
      this.scheduleBoundary();
    });
  }

  private emitSnapshot(): void {
    const job = this.job;
    const h = this.health.swap();
    const snapshot: Snapshot = {
      type: 'snapshot',
      campaignKey: job.campaignKey,
      chunkId: job.chunkId,
      factoryId: this.deps.factoryId,
      run: this.deps.run,
      scenario: job.scenarioName,
      zone: job.zone,
      seq: this.seq++,
      bucketStart: this.bucketStart,
      resolutionMs: job.resolutionMs,
      minionsActive: Math.max(this.intervalPeakActive, this.minionsActive),
      minionsStarted: this.intervalStarted,
      iterations: this.intervalIterations,
      droppedIterations: this.intervalDropped,
      targetArrivals: this.intervalTarget,
      maxLagMs: h.maxLagMs,
      maxLatenessMs: h.maxLatenessMs,
      cpu: h.cpu,
      saturated: h.saturated,
      steps: this.recorders.map((r) => r.swap()),
    };
    this.intervalStarted = this.intervalIterations = this.intervalDropped = this.intervalTarget = 0;
    this.intervalPeakActive = this.minionsActive;
    this.deps.publisher.snapshot(snapshot);
    this.writeProgress();
  }
}
