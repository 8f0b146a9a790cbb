import { StepRecorder } from '@barrage/metrics';
import { DEFAULT_MAX_IN_FLIGHT, type ChunkShare } from '@barrage/planning';
import { decryptSecret, hostOf, isEncrypted, mapValues, redisKeys, type AllowList, type ChunkEvent, type ChunkJob, type ChunkProgress, type Scenario, type Snapshot } from '@barrage/contracts';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ClusterClock } from '../clock.js';
import { ControlWatcher, type ControlAnnouncements } from '../control.js';
import { Connections } from '../http/connections.js';
import type { Publisher } from '../publisher.js';
import { compileScenario, type CompiledScenario } from '../scenario/compiled.js';
import { GeneratorHealth } from './generator-health.js';
import { Iteration, ROWS_EXHAUSTED, ROWS_PENDING, prepareSteps, type IterationContext } from './iteration.js';
import { UniqueRows } from './unique-rows.js';
import type { LoadModel, LoadModelHost } from './load-model.js';
import { ClosedModel } from './closed-model.js';
import { OPEN_MODEL_QUEUE_DEPTH, OpenModel } from './open-model.js';
import { CHUNK_WARM_MS, warmLines, warmRate } from './warm-up.js';
import { startWarmUpServer } from './warm-up-server.js';
import { within } from '../within.js';

/** Least time between two new sockets in the open model (see ConnectionLimits.paceMs). */
const OPEN_MODEL_CONNECT_PACE_MS = 0.5;
const OPEN_MODEL_CONNECT_BURST = 32;
/**
 * Before the first arrival a timer wakes the runner COARSE_LEAD_MS ahead; the thread then
 * sleeps in the kernel (Atomics.wait: a futex with a high-resolution timeout) until SPIN_MS
 * ahead, and a spin covers the rest (docs/architecture.md#time). Measured on a loaded 2-core
 * machine (bench/README.md#synchronised-start): a libuv timer alone wakes up to 4-10 ms late
 * (it is ms-granular and the loop runs other callbacks first), and turning the event loop
 * the last 10 ms left the process preempted (a task that has just spun has used its share
 * and waits for the others: 7 ms late at p90), where a futex sleeper is woken on time.
 * The event loop stands still for at most COARSE_LEAD_MS, once per chunk.
 */
const COARSE_LEAD_MS = 5;
const SPIN_MS = 0.15;
/** A spin never lasts longer than this (a timer that fired early, or a clock re-estimated meanwhile). */
const MAX_SPIN_MS = 2;
/** The first arrival is aimed at with the fine wait when it is due this soon after the start instant. */
const FINE_FIRST_DUE_MS = 1000;
/** Longest the chunk spends opening its first second's sockets before it says it is ready anyway. */
const PREOPEN_TIMEOUT_MS = 3000;
/**
 * After its plan (CHUNK_WARM_MS), a warm-up lets iterations in flight end this long; then it
 * cuts them (and think times), and waits at most WARM_CUT_MS more for them to end.
 */
const WARM_DRAIN_MS = 300;
const WARM_CUT_MS = 1000;
/** The uncertainty reported by a clock never synced (Infinity does not travel in JSON). */
const NEVER_SYNCED_MS = 1e6;
/** A chunk whose start instant is nearer than this when it is accepted skips getting ready. */
const LATE_FOR_READY_MS = 1000;
/** Longest the sync on accepting a chunk may take. */
const RESYNC_TIMEOUT_MS = 1000;
/** The clock is synced again on accepting a chunk when its last sync is older than this. */
const RESYNC_BEFORE_START_MS = 1000;


export interface ChunkRunnerDeps {
  clock: ClusterClock;
  /** Where snapshots and chunk events go: Redis (Publisher), or the factory's main thread. */
  publisher: Pick<Publisher, 'event' | 'snapshot'>;
  redis: Redis;
  announcements: ControlAnnouncements | null;
  factoryId: string;
  /** This run of the chunk (a takeover or hand-back starts another); snapshots' seq restart at 0 per run. */
  run: string;
  host: string;
  log: Logger;
  /** SECRETS_KEY: decrypts the scenario's secrets (docs/security.md#secrets). */
  secretsKey?: Buffer | null;
  /** TARGET_ALLOWLIST: re-checked on every resolved request. */
  allowList?: AllowList | null;
  /** The clock uncertainty (ms) the factory is configured to stay under (CLOCK_MAX_UNCERTAINTY_MS; 5 unless told). */
  clockBoundMs?: number;
  /** READY_DELAY_MS (tests only): the `ready` signal is held back this long, as a slow factory's would be. */
  readyDelayMs?: number;
  /**
   * Set when this runner runs one thread's part of a chunk (threads/): the factory's main
   * thread owns the chunk's progress key and its fencing, so the runner hands its progress
   * over instead of writing it, and does not claim the chunk.
   */
  thread?: ThreadHooks;
}

/** What a runner in a worker thread tells its factory instead of writing to Redis. */
export interface ThreadHooks {
  /** The whole chunk's share (the runner's job carries its thread's part of it). */
  chunkShare: ChunkShare;
  /** How far this thread has issued its part, in the chunk's terms; with every snapshot. */
  progress(p: ChunkProgress): void;
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
  /** `unique` data rows ran out and minions ended for it. */
  rowsExhausted: boolean;
}

/** The scenario with its secrets in clear; a chunk whose secrets this factory cannot open fails saying why. */
function openSecrets(scenario: Scenario, key: Buffer | null): Scenario {
  const sealed = Object.values(scenario.secrets).some(isEncrypted);
  if (!sealed) return scenario;
  if (key === null) throw new Error('the scenario has secrets and this factory has no SECRETS_KEY (set the head\'s key on every factory)');
  try {
    return { ...scenario, secrets: mapValues(scenario.secrets, (v) => (isEncrypted(v) ? decryptSecret(v, key) : v)) };
  } catch {
    throw new Error('the scenario\'s secrets do not open with this factory\'s SECRETS_KEY (it must be the head\'s)');
  }
}

/**
 * Rows reserved at once by a chunk: small enough that chunks share the rows evenly and few
 * are stranded in a chunk that ends, large enough that Redis is asked rarely.
 */
function uniqueBlock(rows: number, job: ChunkJob): number {
  const fraction = job.share.levels.reduce((f, l) => (f * l.weights[l.index]!) / l.weights.reduce((a, b) => a + b, 0), 1);
  return Math.max(1, Math.min(100, Math.floor((rows * fraction) / 10)));
}

/**
 * Runs one chunk: waits for the synchronised start, starts minions on the chunk's lines
 * (closed model) or iterations on its arrivals (open model), and pushes one snapshot per
 * interval. Both schedules are functions of time since the start instant, so a chunk taken
 * late (a takeover) joins the plan at the current offset.
 */
export class ChunkRunner implements IterationContext, LoadModelHost {
  readonly scenario: CompiledScenario;
  readonly recorders: StepRecorder[];
  readonly connections: Connections;
  readonly clock: ClusterClock;
  private readonly prepared;
  private readonly control: ControlWatcher;
  private readonly health: GeneratorHealth;
  /** The share the chunk's progress is counted in: the job's, or the whole chunk's when this runs a thread's part. */
  readonly chunkShare: ChunkShare;

  startAt = 0;
  /** This run starts with the plan (not a takeover joining late or resuming): its start lateness is meaningful. */
  private fresh = false;
  /** Offset into the plan at which this chunk was taken: 0 unless it was taken late. */
  private joinedAtMs = 0;
  endAt = Number.POSITIVE_INFINITY;
  stopping = false;
  private hardStopped = false;
  private handingBack = false;
  private superseded = false;
  /** Where the plan resumes when this run takes over from another (see redisKeys.chunkProgress). */
  private resume: ChunkProgress = {};
  private finished = false;
  private resolveDone: (() => void) | null = null;
  /** Pending timers; each removes itself when it fires. */
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The closed or the open model, one file each (while warming up, another of the same class: warmUp). */
  private model: LoadModel;
  /** While the chunk warms up: the iterations made for it, cut at its end. */
  private warmIterations: Iteration[] | null = null;

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
  private readonly uniqueRows: UniqueRows | null;

  private readonly clockBoundMs: number;

  constructor(
    readonly job: ChunkJob,
    private readonly deps: ChunkRunnerDeps,
  ) {
    this.clock = deps.clock;
    this.clockBoundMs = deps.clockBoundMs ?? 5;
    this.chunkShare = deps.thread?.chunkShare ?? job.share;
    // In a worker thread process.cpuUsage() is the whole process's: the thread's own busy share is its event loop's.
    this.health = new GeneratorHealth(deps.thread !== undefined);
    // Open model: sockets grow paced up to maxInFlight; closed model: a minion may always have its own.
    this.connections = job.rate
      ? new Connections({ maxConnections: job.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT, paceMs: OPEN_MODEL_CONNECT_PACE_MS, burst: OPEN_MODEL_CONNECT_BURST, queueDepth: OPEN_MODEL_QUEUE_DEPTH })
      : new Connections();
    this.scenario = compileScenario(openSecrets(job.scenario, deps.secretsKey ?? null), job.variables);
    this.recorders = this.scenario.steps.map((s) => new StepRecorder(s.name, { streamed: s.stream !== null }));
    const rows = this.scenario.rows;
    this.uniqueRows = rows && this.scenario.rowMode === 'unique' ? new UniqueRows(rows, uniqueBlock(rows.length, job), deps.redis, job.campaignKey, job.scenarioName, deps.log) : null;
    this.prepared = prepareSteps(this.scenario, this.connections, (origin) => this.allowsOrigin(origin));
    this.control = new ControlWatcher(deps.redis, job.campaignKey, deps.announcements);
    this.model = job.rate ? new OpenModel(this) : new ClosedModel(this);
  }

  get minionsActive(): number {
    return this.model.active;
  }

  async run(): Promise<ChunkOutcome> {
    this.control.start();
    try {
      await this.getReady();
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
      this.fresh = this.joinedAtMs === 0 && this.resume.arrival === undefined && this.resume.line === undefined;
      // A fresh run aims its first arrival precisely: a timer to just before it, then a spin.
      const firstDue = this.model.firstDueMs();
      const launchAt = startAt + (this.fresh && firstDue <= FINE_FIRST_DUE_MS ? firstDue : 0);
      await this.sleepUntil(Math.min(startAt, launchAt) - COARSE_LEAD_MS);
      // The wait before the start is not the generator's load: measure from the start instant.
      this.health.restart();
      const done = new Promise<void>((r) => (this.resolveDone = r));
      // A run that joins late reports from the bucket it joined in: its seq 0 is that bucket.
      this.bucketStart = this.bucketOf(Math.max(startAt, this.clock.now()));
      this.scheduleBoundary();
      // An extend (control endAt) moves the end past the timeout: it governs then.
      if (this.job.timeoutMs !== null) this.at(startAt + this.job.timeoutMs, () => (this.control.state.endAt ?? 0) > this.clock.now() || this.stop(this.job.hardTimeout));
      if (launchAt - this.clock.now() > COARSE_LEAD_MS) await this.sleepUntil(launchAt - COARSE_LEAD_MS);
      this.blockUntil(launchAt - SPIN_MS);
      this.spinUntil(launchAt);
      this.model.start(this.resume, this.joinedAtMs);
      await done;
      this.emitSnapshot();
      return this.outcome(this.hardStopped || this.control.state.abort !== undefined);
    } finally {
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      this.model.close();
      this.control.stop();
      this.health.close();
      await this.connections.close();
    }
  }

  /** Stops at once, in-flight requests included (SIGTERM past its grace period). */
  abort(): void {
    this.abortRequested = true;
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
    if (!this.startAt || this.warmIterations !== null) return this.abort(); // not started yet: nothing to drain
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
      rowsExhausted: this.rowsExhausted,
    };
  }

  private event(event: 'started' | 'ready' | 'launched', extra: Partial<ChunkEvent> = {}): void {
    const { campaignKey, chunkId } = this.job;
    this.deps.publisher.event({ event, campaignKey, chunkId, factoryId: this.deps.factoryId, run: this.deps.run, host: this.deps.host, at: Math.round(this.clock.now()), ...extra });
  }

  /**
   * Before the start instant is known (docs/architecture.md#time): the first second's iterations
   * made, a fresh clock estimate, the chunk's own scenario run in-process (warm-up.ts), the
   * first second's sockets opened; then the `ready` event, which the head waits for before
   * fixing the start instant. A takeover skips it.
   */
  private async getReady(): Promise<void> {
    const { sockets } = this.model.prepare();
    // A takeover (the start instant is past or about to be): join at once, warm as it goes.
    const known = await within(RESYNC_TIMEOUT_MS, this.deps.redis.hget(redisKeys.control(this.job.campaignKey), 'startAt').catch(() => null));
    if (known && Number(known) - this.clock.now() < LATE_FOR_READY_MS) return;
    // Bounded: with Redis unreachable the chunk goes on with the estimate it has.
    if (!(this.clock.sinceSyncMs() <= RESYNC_BEFORE_START_MS)) await within(RESYNC_TIMEOUT_MS, this.clock.sync(this.deps.redis).catch(() => undefined));
    // The chunk's own model, scenario and connections, run in-process (nothing leaves); it
    // also tells the first step's origin when a template makes it.
    const asked = await this.warmUp().catch((e: unknown) => {
      this.deps.log.warn({ err: e, chunk: this.job.chunkId }, 'warming the chunk\'s request path failed');
      return [];
    });
    const origin = this.scenario.steps[0]?.origin ?? asked[0] ?? null;
    let preopened = 0;
    if (origin !== null && sockets > 0) {
      preopened = (await within(PREOPEN_TIMEOUT_MS, this.connections.for(origin).preopen(sockets).catch(() => 0))) ?? -1;
      if (preopened < 0) {
        preopened = this.connections.size;
        this.deps.log.warn({ chunk: this.job.chunkId, origin, sockets }, 'opening the first second\'s connections took too long: ready with those open');
      }
    }
    const delay = this.deps.readyDelayMs ?? 0;
    if (delay > 0) await new Promise<void>((r) => this.at(this.clock.now() + delay, r));
    const u = this.clock.uncertaintyMs();
    if (!(u <= this.clockBoundMs)) this.deps.log.warn({ chunk: this.job.chunkId, uncertaintyMs: u, boundMs: this.clockBoundMs }, 'clock uncertainty past its bound: this chunk may not start with the others');
    this.event('ready', { clockUncertaintyMs: finiteOr(u, NEVER_SYNCED_MS), clockBoundMs: this.clockBoundMs, clockOffsetMs: this.clock.offsetMs(), preopened: Math.max(0, preopened) });
  }

  /**
   * Runs the chunk's load in-process before it is ready: another model of the same class
   * (warm-up.ts: the open model at the chunk's own peak rate, the closed model's minions
   * looping), on this runner as the iterations' context and on the chunk's own connections,
   * every socket redirected to a throwaway server (warm-up-server.ts). V8 then meets at the
   * start instant the shapes it optimised for. A warm-up that ran the scenario through an
   * object of its own as the context, on sockets that never queued, left the first second to
   * deoptimise Iteration, undici's dispatch and the pool's queueing and compile them again
   * while arrivals were due (bench/README.md, "What the open model's first second pays for").
   * What it records is discarded, nothing reaches the target, no `unique` row is taken.
   * Resolves with the origins the scenario asked for (a templated URL's, rendered), in order.
   */
  private async warmUp(): Promise<string[]> {
    const lines = this.job.rate ? null : warmLines(this.job);
    if (lines?.length === 0) return [];
    const server = await startWarmUpServer();
    const model = this.model;
    const warm = lines ? new ClosedModel(this, { lines }) : new OpenModel(this, warmRate(this.job));
    this.warmIterations = [];
    this.model = warm;
    let done: Promise<void> | null = null;
    let asked: string[] = [];
    try {
      await this.connections.redirect(server.origin);
      const { sockets } = warm.prepare();
      const first = this.scenario.steps[0]?.origin;
      if (first && sockets > 0) await within(PREOPEN_TIMEOUT_MS, this.connections.for(first).preopen(sockets));
      if (this.abortRequested) return [];
      done = new Promise<void>((r) => (this.resolveDone = r));
      this.startAt = this.clock.now();
      // As run() will: a timestamp is a double to V8, and a field that turns from 0 into one
      // gives the runner another hidden class, on which all code optimised for the old one
      // (Iteration's, the models') deoptimises, at the start instant.
      this.bucketStart = this.bucketOf(this.startAt);
      this.at(this.startAt + CHUNK_WARM_MS, () => this.stop(false));
      warm.start({}, 0);
      await within(CHUNK_WARM_MS + WARM_DRAIN_MS, done);
    } finally {
      // None may send again once the sockets go back to their origins: no new iteration, none
      // replayed, and those still going (in flight, in a think time) cut, so they end at once.
      this.stop(false);
      warm.close();
      for (const it of this.warmIterations) it.abort();
      asked = await this.connections.endRedirect();
      await server.close();
      if (done !== null) await within(WARM_CUT_MS, done);
      if (!warm.isDone()) this.deps.log.warn({ chunk: this.job.chunkId }, 'the warm-up\'s iterations did not end when cut');
      this.warmIterations = null;
      this.model = model;
      this.forgetWarmUp();
    }
    return asked;
  }

  /** Back to the state before the warm-up: its counts, samples and timers dropped (a stop asked for meanwhile stays). */
  private forgetWarmUp(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.recorders) r.swap();
    this.startAt = this.bucketStart = 0;
    this.finished = false;
    this.resolveDone = null;
    if (!this.abortRequested) this.stopping = this.hardStopped = false;
    this.intervalStarted = this.intervalIterations = this.intervalDropped = this.intervalTarget = this.intervalPeakActive = 0;
    this.totalIterations = this.totalStarted = this.totalDropped = this.rowCursor = 0;
  }

  /** Sleeps this thread in the kernel until `instant` (at most COARSE_LEAD_MS + MAX_SPIN_MS): nothing else runs meanwhile. */
  private blockUntil(instant: number): void {
    const ms = Math.min(instant - this.clock.now(), COARSE_LEAD_MS + MAX_SPIN_MS);
    if (ms > 0) Atomics.wait(BLOCKER, 0, 0, ms);
  }

  /** Busy-waits the last moment before `instant` (bounded): timers are only ms-precise, and late by up to a ms or two. */
  private spinUntil(instant: number): void {
    const clock = this.clock;
    const giveUp = clock.now() + MAX_SPIN_MS;
    for (let now = clock.now(); now < instant && now < giveUp; now = clock.now());
  }

  /** The first arrival went out: its lateness and the clock's uncertainty, once, for a run that started with the plan. */
  launched(intended: number): void {
    if (!this.fresh) return;
    // Read once the request has been written: a socket opened ahead is handed to undici in a
    // microtask queued before this one (connections.ts), whose write then runs.
    queueMicrotask(() => {
      const latenessMs = this.clock.now() - intended;
      const uncertaintyMs = this.clock.uncertaintyMs();
      // Published after the arrivals due in this same tick went out.
      setImmediate(() => this.event('launched', { startLatenessMs: Math.round(latenessMs * 1000) / 1000, clockUncertaintyMs: finiteOr(Math.round(uncertaintyMs * 1000) / 1000, NEVER_SYNCED_MS), clockBoundMs: this.clockBoundMs }));
    });
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
    if (this.deps.thread) return; // the factory's main thread claims the chunk for all its threads
    await claimChunk(this.deps.redis, this.job.chunkId, this.deps.run);
  }

  /**
   * Written with every snapshot (and on hand-back): a takeover resumes here. Never awaited.
   * Fencing: when Redis was unreachable longer than the job lock, BullMQ may have handed the
   * chunk to another run; the owner field says so, and this run stops instead of doubling
   * the load (and leaves the progress to the owner).
   */
  private writeProgress(): void {
    const progress = this.model.progress();
    if (this.deps.thread) return this.deps.thread.progress(progress);
    writeChunkProgress(this.deps.redis, this.job.chunkId, this.deps.run, progress).then((owner) => owner && this.supersede(owner), () => undefined);
  }

  /** Another run owns the chunk: this one stops issuing, drains and ends `superseded`. */
  supersede(owner: string): void {
    if (this.superseded || this.finished) return;
    this.superseded = true;
    this.deps.log.warn({ chunk: this.job.chunkId, run: this.deps.run, owner }, 'chunk taken over by another run: stopping this one');
    this.stop(false);
    this.at(this.clock.now() + HAND_BACK_DRAIN_MS, () => this.stop(true));
  }

  private abortWait: (() => void) | null = null;
  /** abort() came before the wait for the start began (while getting ready). */
  private abortRequested = false;

  /** The start instant from the control key, or null when the campaign is aborted first. */
  private waitForStart(): Promise<number | null> {
    return new Promise((resolve) => {
      const check = () => {
        const s = this.control.state;
        if (s.abort || this.abortRequested) resolve(null);
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
    if (s.endAt !== undefined) this.model.setEnd(s.endAt - this.startAt);
    const end = s.endAt ?? planned;
    if (end !== this.endAt) {
      this.endAt = end;
      if (Number.isFinite(end)) this.at(end, () => this.stop(this.job.completion === 'HARD'));
    }
    if (s.abort) this.stop(s.abort === 'hard');
  }

  private sleepUntil(instant: number): Promise<void> {
    return new Promise((r) => this.at(instant, r));
  }

  /** setTimeout against the cluster clock, re-armed if it fires early; released as it fires. */
  at(instant: number, fn: () => void): void {
    const wait = instant - this.clock.now();
    if (wait <= 0) return void queueMicrotask(fn);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.at(instant, fn);
    }, Math.max(1, Math.ceil(wait)));
    this.timers.add(timer);
  }

  // ----- what the load models report (LoadModelHost) -----

  newIteration(): Iteration {
    const it = new Iteration(this, this.prepared);
    this.warmIterations?.push(it);
    return it;
  }

  sent(latenessMs: number): void {
    this.health.send(latenessMs);
  }

  started(active: number): void {
    if (active > this.intervalPeakActive) this.intervalPeakActive = active;
    this.intervalStarted++;
    this.totalStarted++;
  }

  arrival(dropped: boolean): void {
    this.intervalTarget++;
    if (dropped) {
      this.intervalDropped++;
      this.totalDropped++;
    }
  }

  iterationEnded(it: Iteration): void {
    this.intervalIterations++;
    this.totalIterations++;
    this.model.iterationEnded(it);
  }

  nextRow(minionId: number): Record<string, string> | null | typeof ROWS_EXHAUSTED | typeof ROWS_PENDING {
    const rows = this.scenario.rows;
    if (!rows) return null;
    // The warm-up takes none of the `unique` rows: they are the run's.
    if (this.uniqueRows !== null && this.warmIterations === null) {
      const row = this.uniqueRows.take();
      if (row === 'pending') return ROWS_PENDING;
      if (row === 'exhausted') {
        this.noteRowsExhausted();
        return ROWS_EXHAUSTED;
      }
      return row;
    }
    if (this.scenario.rowMode === 'random') return rows[Math.floor(Math.random() * rows.length)]!;
    return rows[(minionId + this.rowCursor++) % rows.length]!;
  }

  private readonly originVerdicts = new Map<string, boolean>();

  allowsOrigin(origin: string): boolean {
    const list = this.deps.allowList;
    if (!list) return true;
    let ok = this.originVerdicts.get(origin);
    if (ok === undefined) {
      const host = hostOf(origin);
      ok = host !== null && list.allows(host);
      if (this.originVerdicts.size < 10_000) this.originVerdicts.set(origin, ok);
      if (!ok) this.deps.log.warn({ campaign: this.job.campaignKey, chunk: this.job.chunkId, origin }, 'request refused: not in TARGET_ALLOWLIST');
    }
    return ok;
  }

  whenRows(fn: () => void): void {
    this.uniqueRows?.whenRows(fn);
  }

  private rowsExhaustedNoted = false;

  /** Once per chunk: minions end for want of rows (the campaign's logs say so). */
  private noteRowsExhausted(): void {
    if (this.rowsExhaustedNoted) return;
    this.rowsExhaustedNoted = true;
    this.deps.log.info({ campaign: this.job.campaignKey, chunk: this.job.chunkId }, 'unique data rows exhausted: minions end');
    this.rowsExhausted = true;
  }

  /** Reported with the chunk's end (ChunkOutcome). */
  private rowsExhausted = false;

  private stop(hard: boolean): void {
    this.stopping = true;
    if (hard && !this.hardStopped) {
      this.hardStopped = true;
      this.model.abortAll();
    }
    this.checkDone();
  }

  checkDone(): void {
    if (this.finished) return;
    if (this.model.isDone()) {
      this.finished = true;
      this.resolveDone?.();
    }
  }

  // ----- snapshots -----

  /** The start of the interval bucket `instant` falls in (cluster ms). */
  private bucketOf(instant: number): number {
    return Math.floor(instant / this.job.resolutionMs) * this.job.resolutionMs;
  }

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

/** `run` owns the chunk from now on (a run still going elsewhere stops at its next progress write). Never rejects. */
export async function claimChunk(redis: Redis, chunkId: string, run: string): Promise<void> {
  const key = redisKeys.chunkProgress(chunkId);
  await redis.multi().hset(key, 'owner', run).expire(key, PROGRESS_TTL_S).exec().catch(() => undefined);
}

/**
 * Writes a chunk's progress for a takeover to resume at, unless another run owns the chunk
 * now (fencing, see ChunkRunner.writeProgress): then resolves with that run's id.
 */
export async function writeChunkProgress(redis: Redis, chunkId: string, run: string, progress: ChunkProgress): Promise<string | null> {
  const key = redisKeys.chunkProgress(chunkId);
  const owner = await redis.hget(key, 'owner');
  if (owner && owner !== run) return owner;
  const [field, value] = Object.entries(progress)[0]!;
  await redis.multi().hset(key, field, String(value)).expire(key, PROGRESS_TTL_S).exec();
  return null;
}

/** Never notified: Atomics.wait on it only times out (blockUntil). */
const BLOCKER = new Int32Array(new SharedArrayBuffer(4));

function finiteOr(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}
