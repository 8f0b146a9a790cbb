import { Worker } from 'node:worker_threads';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChunkEvent, ChunkJob, ChunkProgress, Snapshot } from '@barrage/contracts';
import { threadShare } from '@barrage/planning';
import type { Publisher } from '../publisher.js';
import { claimChunk, writeChunkProgress, type ChunkOutcome } from '../runner/chunk-runner.js';
import { IntervalCollector, mergeThreadOutcomes, mergeThreadProgress } from './merge.js';
import type { FromThread, ThreadStart, ToThread } from './protocol.js';

export interface ThreadedChunkDeps {
  /** Worker threads the factory runs a chunk on (THREADS, `auto` resolved). */
  threads: number;
  /** The factory's environment, for the threads to read their configuration from. */
  env: Record<string, string | undefined>;
  publisher: Publisher;
  redis: Redis;
  factoryId: string;
  run: string;
  host: string;
  log: Logger;
}

/**
 * One chunk run on several worker threads of one factory (`barrage factory --threads`,
 * docs/architecture.md#threads). Each thread runs a ChunkRunner on an even part of the chunk
 * (threadShare: one more share level), with its own sockets and histograms; this main thread
 * merges their snapshots per interval into the chunk's one run, writes its progress, claims
 * it, and relays one `ready`, `started` and `launched` for the chunk. The factory registers
 * and heartbeats once, whatever the thread count.
 */
export class ThreadedChunk {
  private readonly workers: Worker[] = [];
  private readonly active: number[];
  private readonly progress = new Map<number, ChunkProgress>();
  private readonly collector: IntervalCollector;
  private readonly ready: Omit<ChunkEvent, 'type'>[] = [];
  private readonly relayed = new Set<string>();
  private superseded = false;

  constructor(
    readonly job: ChunkJob,
    private readonly deps: ThreadedChunkDeps,
  ) {
    // A closed chunk with fewer minions than threads: a thread each, no idle thread.
    const threads = job.rate ? deps.threads : Math.max(1, Math.min(deps.threads, job.minions));
    this.active = new Array<number>(threads).fill(0);
    this.collector = new IntervalCollector(threads);
  }

  get threads(): number {
    return this.active.length;
  }

  get minionsActive(): number {
    return this.active.reduce((a, b) => a + b, 0);
  }

  run(): Promise<ChunkOutcome> {
    const outcomes: ChunkOutcome[] = [];
    return new Promise<ChunkOutcome>((resolve, reject) => {
      let failed: Error | null = null;
      let ended = 0;
      const endThread = (t: number) => {
        this.publish(this.collector.end(t));
        if (++ended < this.threads) return;
        if (failed) reject(failed);
        else resolve(mergeThreadOutcomes(outcomes, this.collector.published - 1));
      };
      const fail = (t: number, e: Error) => {
        // One thread cannot run its part: the chunk fails as a whole, as a single runner would.
        if (!failed) {
          failed = e;
          this.deps.log.error({ err: e.message, chunk: this.job.chunkId, thread: t }, 'chunk thread failed: stopping the others');
          this.post({ type: 'abort' });
        }
      };
      for (let t = 0; t < this.threads; t++) {
        const start: ThreadStart = {
          env: this.deps.env,
          job: { ...this.job, share: threadShare(this.job.share, this.threads, t) },
          chunkShare: this.job.share,
          thread: t,
          factoryId: this.deps.factoryId,
          run: this.deps.run,
          host: this.deps.host,
        };
        const worker = new Worker(new URL('./thread-worker.js', import.meta.url), { workerData: start });
        let done = false;
        worker.on('message', (m: FromThread) => {
          if (m.type === 'outcome') {
            done = true;
            outcomes.push(m.outcome);
          } else if (m.type === 'failed') {
            done = true;
            fail(t, new Error(m.error));
          } else this.receive(t, m);
        });
        worker.on('error', (e) => fail(t, e));
        worker.on('exit', (code) => {
          if (!done) fail(t, new Error(`chunk thread ${t} exited (code ${code}) before its chunk ended`));
          endThread(t);
        });
        this.workers.push(worker);
      }
    });
  }

  handBack(): void {
    this.post({ type: 'handBack' });
  }

  abort(): void {
    this.post({ type: 'abort' });
  }

  private post(m: ToThread): void {
    for (const w of this.workers) w.postMessage(m);
  }

  private receive(t: number, m: Exclude<FromThread, { type: 'outcome' | 'failed' }>): void {
    if (m.type === 'snapshot') {
      this.active[t] = m.snapshot.minionsActive;
      this.progress.set(t, m.progress);
      this.publish(this.collector.add(t, m.snapshot));
      return;
    }
    const e = m.event;
    if (e.event === 'ready') {
      // The chunk is ready once every thread is: its clock the least certain, its sockets all of theirs.
      this.ready.push(e);
      if (this.ready.length < this.threads) return;
      const worst = this.ready.reduce((a, b) => ((b.clockUncertaintyMs ?? 0) > (a.clockUncertaintyMs ?? 0) ? b : a));
      this.deps.publisher.event({ ...worst, preopened: this.ready.reduce((n, r) => n + (r.preopened ?? 0), 0) });
      return;
    }
    // `started` and `launched`: the chunk's, i.e. its first thread's.
    if (this.relayed.has(e.event)) return;
    this.relayed.add(e.event);
    if (e.event === 'started') void claimChunk(this.deps.redis, this.job.chunkId, this.deps.run);
    this.deps.publisher.event(e);
  }

  private publish(merged: Snapshot[]): void {
    if (merged.length === 0) return;
    for (const s of merged) this.deps.publisher.snapshot(s);
    const progress = mergeThreadProgress([...this.progress.values()]);
    if (!progress) return;
    writeChunkProgress(this.deps.redis, this.job.chunkId, this.deps.run, progress).then((owner) => {
      if (owner && !this.superseded) {
        this.superseded = true;
        this.post({ type: 'supersede', owner });
      }
    }, () => undefined);
  }
}
