import { chunkLines, type StartingLine } from '@barrage/planning';
import type { ChunkProgress } from '@barrage/contracts';
import type { Iteration } from './iteration.js';
import type { LoadModel, LoadModelHost } from './load-model.js';

/** Minions due in the first second of the plan get their iteration and socket before the start. */
const FIRST_SECOND_MS = 1000;
const MAX_PREPARED = 256;

/**
 * The closed model: minions start on the chunk's share of the plan's starting lines and run
 * the scenario, replaying until the end when the profile says so (docs/api.md#closed-model: STAGE, loop).
 */
export class ClosedModel implements LoadModel {
  private lines: StartingLine[] = [];
  private lineIndex = 0;
  private readonly minions = new Set<Iteration>();
  private nextMinionId = 0;
  /** Iterations made before the start for the first second's minions. */
  private readonly spare: Iteration[] = [];
  private launched = false;
  private readonly replay: boolean;

  /**
   * `warm`: the chunk's warm-up (ChunkRunner.warmUp) runs these lines of its own, every minion
   * replaying, instead of the job's.
   */
  constructor(
    private readonly host: LoadModelHost,
    warm?: { lines: StartingLine[] },
  ) {
    this.replay = warm !== undefined || host.job.replay;
    if (warm) this.lines = warm.lines;
  }

  prepare(): { sockets: number } {
    const job = this.host.job;
    if (this.lines.length === 0) this.lines = chunkLines(job.lines!, job.share);
    let first = 0;
    for (const l of this.lines) if (l.atMs < FIRST_SECOND_MS) first += l.count;
    const n = Math.min(first, MAX_PREPARED);
    while (this.spare.length < n) this.spare.push(this.host.newIteration());
    return { sockets: n };
  }

  firstDueMs(): number {
    return this.lines[0]?.atMs ?? 0;
  }

  get active(): number {
    return this.minions.size;
  }

  start(resume: ChunkProgress): void {
    const job = this.host.job;
    if (this.lines.length === 0) this.lines = chunkLines(job.lines!, job.share);
    // Taking over minions that run once: those another run already started are not started
    // again. Minions that replay are all restarted (the population is what the plan wants).
    if (!job.replay && resume.line !== undefined) this.lineIndex = this.ownLineOf(resume.line);
    this.startDueLines();
  }

  private startDueLines(): void {
    const host = this.host;
    if (host.stopping) return host.checkDone();
    const elapsed = host.clock.now() - host.startAt;
    while (this.lineIndex < this.lines.length && this.lines[this.lineIndex]!.atMs <= elapsed) {
      const line = this.lines[this.lineIndex++]!;
      host.sent(elapsed - line.atMs);
      for (let i = 0; i < line.count; i++) this.startMinion(host.startAt + line.atMs);
      if (!this.launched && line.count > 0) {
        this.launched = true;
        host.launched(host.startAt + line.atMs);
      }
    }
    const next = this.lines[this.lineIndex];
    if (next) host.at(host.startAt + next.atMs, () => this.startDueLines());
    else host.checkDone();
  }

  private startMinion(intended: number): void {
    const minion = this.spare.pop() ?? this.host.newIteration();
    this.minions.add(minion);
    this.host.started(this.minions.size);
    minion.begin(this.nextMinionId++, 0, intended);
  }

  iterationEnded(it: Iteration): void {
    const host = this.host;
    // The iteration read the clock as it ended: one read less per iteration.
    const now = it.endedAt;
    const lastDuration = now - it.startedAt;
    // A minion that found no `unique` data row left ends.
    const mayReplay = this.replay && !host.stopping && !it.exhausted && now < host.endAt;
    // HARD completion: no iteration that its last duration says cannot finish in time.
    const fits = host.job.completion !== 'HARD' || now + lastDuration <= host.endAt;
    if (!(mayReplay && fits)) return this.endMinion(it);
    // The next iteration starts at once, from here: an iteration ends inside an I/O callback
    // (its last response, or a think-time timer), so the event loop has turned since it began.
    // Only an iteration that ended synchronously inside a replay started here (a template
    // that never resolves, a request refused before it is sent) goes through setImmediate,
    // so a minion that fails without I/O still lets timers and I/O run between its
    // iterations (bench/README.md: a setImmediate and a closure per iteration cost ~2-3 %).
    if (this.replaying) {
      setImmediate(() => this.replayDeferred(it));
      return;
    }
    this.replaying = true;
    try {
      it.begin(it.minionId, it.iteration + 1, now, now);
    } finally {
      this.replaying = false;
    }
  }

  /** Set while a replay started by iterationEnded runs synchronously (see there). */
  private replaying = false;

  /** A deferred replay (setImmediate): the minion may have been stopped meanwhile. */
  private replayDeferred(it: Iteration): void {
    const host = this.host;
    if (host.stopping) return this.endMinion(it);
    const now = host.clock.now();
    it.begin(it.minionId, it.iteration + 1, now, now);
  }

  private endMinion(it: Iteration): void {
    this.minions.delete(it);
    this.host.checkDone();
  }

  abortAll(): void {
    for (const m of this.minions) m.abort();
  }

  isDone(): boolean {
    return this.minions.size === 0 && (this.host.stopping || this.lineIndex >= this.lines.length);
  }

  progress(): ChunkProgress {
    if (this.host.chunkShare === this.host.job.share) return { line: this.lineIndex };
    // A thread's part of the chunk: its next line's instant, as an index into the chunk's lines.
    const at = this.lines[this.lineIndex]?.atMs ?? Number.POSITIVE_INFINITY;
    const chunk = this.chunkLines();
    const i = chunk.findIndex((l) => l.atMs >= at);
    return { line: i < 0 ? chunk.length : i };
  }

  /** The first of this model's lines at or after the chunk's line `line` (progress is counted in the chunk's lines). */
  private ownLineOf(line: number): number {
    if (this.host.chunkShare === this.host.job.share) return Math.min(line, this.lines.length);
    const at = this.chunkLines()[line]?.atMs ?? Number.POSITIVE_INFINITY;
    const i = this.lines.findIndex((l) => l.atMs >= at);
    return i < 0 ? this.lines.length : i;
  }

  private wholeChunkLines: StartingLine[] | null = null;

  private chunkLines(): StartingLine[] {
    return (this.wholeChunkLines ??= chunkLines(this.host.job.lines!, this.host.chunkShare));
  }

  /** The runner's end timer stops the minions; lines due after it are never started. */
  setEnd(): void {}

  close(): void {}
}
