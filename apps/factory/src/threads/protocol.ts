import type { ChunkEvent, ChunkJob, ChunkProgress, Snapshot } from '@barrage/contracts';
import type { ChunkShare } from '@barrage/planning';
import type { ChunkOutcome } from '../runner/chunk-runner.js';

/**
 * What a factory's main thread and its worker threads say to each other about one chunk
 * (`barrage factory --threads`, docs/architecture.md#threads). Structured-cloned plain data.
 */

/** Given to each worker thread as its workerData. */
export interface ThreadStart {
  /** The factory's environment, parsed again in the thread with the same schema. */
  env: Record<string, string | undefined>;
  /** The chunk's job with this thread's part of its share. */
  job: ChunkJob;
  /** The whole chunk's share, in which progress is counted. */
  chunkShare: ChunkShare;
  thread: number;
  factoryId: string;
  run: string;
  host: string;
}

/** Main thread → worker. */
export type ToThread = { type: 'handBack' } | { type: 'abort' } | { type: 'supersede'; owner: string };

/** Worker → main thread; a snapshot travels with the progress written after it. */
export type FromThread =
  | { type: 'event'; event: Omit<ChunkEvent, 'type'> }
  | { type: 'snapshot'; snapshot: Snapshot; progress: ChunkProgress }
  | { type: 'outcome'; outcome: ChunkOutcome }
  | { type: 'failed'; error: string };
