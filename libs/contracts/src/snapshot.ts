import { z } from 'zod';

const count = z.number().int().min(0);
const counts = z.record(z.string(), count);

/** One step's interval data, as the factory's StepRecorder swaps it out (libs/metrics). */
export const stepSnapshotSchema = z.object({
  step: z.string(),
  requests: count,
  successes: count,
  failures: count,
  failureKinds: counts,
  statusCodes: counts,
  failedChecks: counts,
  bytesIn: count,
  bytesOut: count,
  /** HdrHistogram, compressed base64, microseconds; from the intended start in the open model. */
  latency: z.string(),
  /** From the actual send. */
  serviceTime: z.string(),
});
export type StepSnapshot = z.output<typeof stepSnapshotSchema>;

/** What a factory pushes for each chunk every interval (SPEC 6.1). */
export const snapshotSchema = z.object({
  type: z.literal('snapshot'),
  campaignKey: z.string(),
  chunkId: z.string(),
  factoryId: z.string(),
  scenario: z.string(),
  zone: z.string(),
  /** +1 per snapshot of a chunk, from 0: the head drops duplicates and sees gaps. */
  seq: count,
  /** Epoch ms on the cluster clock, a multiple of resolutionMs. */
  bucketStart: count,
  resolutionMs: z.number().int().positive(),
  /** The most minions (open model: in-flight iterations) active at once in the interval. */
  minionsActive: count,
  minionsStarted: count,
  iterations: count,
  droppedIterations: count,
  /** Open model: arrivals the plan wanted in this interval. */
  targetArrivals: count,
  /** Generator health: worst event-loop lag and send lateness (ms), CPU share of one core. */
  maxLagMs: z.number().min(0),
  maxLatenessMs: z.number().min(0),
  cpu: z.number().min(0),
  saturated: z.boolean(),
  steps: z.array(stepSnapshotSchema),
});
export type Snapshot = z.output<typeof snapshotSchema>;

export const CHUNK_EVENTS = ['accepted', 'started', 'finished', 'failed'] as const;
export const chunkEventSchema = z.object({
  type: z.literal('chunk'),
  event: z.enum(CHUNK_EVENTS),
  campaignKey: z.string(),
  chunkId: z.string(),
  factoryId: z.string(),
  host: z.string(),
  at: count,
  /** With `finished`: the seq of the chunk's last snapshot (-1 when it sent none). */
  lastSeq: z.number().int().min(-1).optional(),
  iterations: count.optional(),
  error: z.string().optional(),
});
export type ChunkEvent = z.output<typeof chunkEventSchema>;

export const streamMessageSchema = z.discriminatedUnion('type', [snapshotSchema, chunkEventSchema]);
export type StreamMessage = z.output<typeof streamMessageSchema>;
