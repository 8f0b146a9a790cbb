import type { ChunkJob, ChunkProgress } from '@barrage/contracts';
import type { ChunkShare } from '@barrage/planning';
import type { ClusterClock } from '../clock.js';
import type { Iteration } from './iteration.js';

/** What a load model needs from the chunk runner that drives it (its lifecycle, clock and counters). */
export interface LoadModelHost {
  readonly job: ChunkJob;
  /** The share progress is counted in: job.share, or the whole chunk's when the job is one thread's part of it. */
  readonly chunkShare: ChunkShare;
  readonly clock: ClusterClock;
  /** The synchronised start instant (cluster ms). */
  readonly startAt: number;
  /** No new iteration may start (end, abort, hand-back). */
  readonly stopping: boolean;
  /** Cluster ms at which the load ends (Infinity when the plan sets no end). */
  readonly endAt: number;
  /** An iteration object bound to the chunk: its request handler and recorders. */
  newIteration(): Iteration;
  /** Calls `fn` at `instant` on the cluster clock. */
  at(instant: number, fn: () => void): void;
  /** The plan asked for something `latenessMs` ago and it went out now (generator health). */
  sent(latenessMs: number): void;
  /** An iteration started; `active` is how many run now. */
  started(active: number): void;
  /** Open model: an arrival was due in this interval, and whether it had to be dropped. */
  arrival(dropped: boolean): void;
  /** The model may be done: the runner asks it. */
  checkDone(): void;
  /** The chunk's first arrival (or line) went out; `intended` is its planned instant (cluster ms). Once per run. */
  launched(intended: number): void;
}

/**
 * One way of putting load on the target: the closed model (minions started on lines,
 * replaying) or the open model (arrivals on a rate schedule). Each lives in its own file;
 * the chunk runner drives either the same way.
 */
export interface LoadModel {
  /** Minions running (closed) or iterations in flight (open). */
  readonly active: number;
  /**
   * Before the start instant: allocates what the first second needs and says how many
   * sockets it will want (docs/architecture.md#time).
   */
  prepare(): { sockets: number };
  /** Ms after the start instant at which a fresh run's first arrival (or line) is due. */
  firstDueMs(): number;
  /** Starts issuing the plan, resuming at `resume` (a takeover) or at the offset joined at. */
  start(resume: ChunkProgress, joinedAtMs: number): void;
  /** An iteration ended: replay it, free it, or end its minion. */
  iterationEnded(it: Iteration): void;
  /** Cuts the iterations in flight (a hard stop). */
  abortAll(): void;
  /** Nothing more to issue and nothing in flight. */
  isDone(): boolean;
  /** How far the plan has been issued, for a takeover to resume at. */
  progress(): ChunkProgress;
  /** A new end of the load (extend), ms from the start instant. */
  setEnd(endMs: number): void;
  /** Releases the model's own timers. */
  close(): void;
}
