import { z } from 'zod';

const count = z.number().int().min(0);
const counts = z.record(z.string(), count);

/**
 * Where a request's time went, summed over the interval's requests, in whole microseconds
 * (docs/metrics.md#timing-breakdown). `connect` and `tls` are paid only by requests that opened a socket
 * (`connections` of them); `firstByte` (send → response head) and `download` (head → last
 * byte) by every request that got a response (`responses`). Averages are sum / count.
 */
export const timingsSchema = z.object({
  connectUs: count.default(0),
  tlsUs: count.default(0),
  connections: count.default(0),
  firstByteUs: count.default(0),
  downloadUs: count.default(0),
  responses: count.default(0),
});
export type Timings = z.output<typeof timingsSchema>;
export const EMPTY_TIMINGS: Timings = { connectUs: 0, tlsUs: 0, connections: 0, firstByteUs: 0, downloadUs: 0, responses: 0 };

/** At most this many failure samples per failure kind, step and interval leave a factory. */
export const MAX_SAMPLES_PER_KIND = 3;

/** One failed request, kept as an example (never every failure: see MAX_SAMPLES_PER_KIND). */
export const failureSampleSchema = z.object({
  kind: z.string().max(32),
  /** `METHOD url`, cut to 300 characters. */
  request: z.string().max(300),
  /** HTTP status, or null when no response came. */
  status: z.number().int().min(0).max(999).nullable(),
  /** The error or the failed check's name, cut to 300 characters. */
  message: z.string().max(300),
  /** Epoch ms on the cluster clock. */
  at: count,
});
export type FailureSample = z.output<typeof failureSampleSchema>;

/** A streamed step's interval (docs/metrics.md#streamed-responses). */
export const streamSnapshotSchema = z.object({
  responses: count,
  events: count,
  /** HdrHistogram, compressed base64, microseconds: send → first event (SSE) or first body byte. */
  firstEvent: z.string(),
  /** Token counts found at the step's tokenUsagePath, summed by field. */
  tokens: counts.default({}),
});
export type StreamSnapshot = z.output<typeof streamSnapshotSchema>;

/** One step's interval data, as the factory's StepRecorder swaps it out (libs/metrics). */
export const stepSnapshotSchema = z.object({
  step: z.string(),
  requests: count,
  successes: count,
  failures: count,
  failureKinds: counts,
  statusCodes: counts,
  failedChecks: counts,
  /** Bytes received and sent, HTTP heads included. */
  bytesIn: count,
  bytesOut: count,
  /** Checks evaluated (passed + failed), for the pass ratio of the `checks` threshold. */
  checks: count.default(0),
  timings: timingsSchema.default(EMPTY_TIMINGS),
  samples: z.array(failureSampleSchema).max(50).default([]),
  /** HdrHistogram, compressed base64, microseconds; from the intended start in the open model. */
  latency: z.string(),
  /** From the actual send. */
  serviceTime: z.string(),
  stream: streamSnapshotSchema.optional(),
});
export type StepSnapshot = z.output<typeof stepSnapshotSchema>;

/** What a factory pushes for each chunk every interval (docs/metrics.md#snapshots). */
export const snapshotSchema = z.object({
  type: z.literal('snapshot'),
  campaignKey: z.string(),
  chunkId: z.string(),
  factoryId: z.string(),
  /**
   * One run of the chunk by one factory: a takeover or a hand-back starts another run, whose
   * seq starts again at 0. Receipts are per (chunk, run, seq).
   */
  run: z.string().max(64).default(''),
  scenario: z.string(),
  zone: z.string(),
  /** +1 per snapshot of a run, from 0: the head drops duplicates and sees gaps. */
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

/**
 * `handed_back`: a factory shutting down gave the chunk back to its zone's queue (SIGTERM).
 * `superseded`: a run found that another run owns the chunk now (its lock expired while
 * Redis was unreachable and the chunk was taken over) and stopped.
 */
/**
 * `ready`: the chunk's connections for its first second are open and its path warmed; the
 * head fixes the start instant once every chunk is ready (docs/architecture.md#time).
 * `launched`: the chunk's first arrival left, `startLatenessMs` after the start instant.
 */
export const CHUNK_EVENTS = ['accepted', 'started', 'finished', 'failed', 'handed_back', 'superseded', 'ready', 'launched'] as const;
export const chunkEventSchema = z.object({
  type: z.literal('chunk'),
  event: z.enum(CHUNK_EVENTS),
  campaignKey: z.string(),
  chunkId: z.string(),
  factoryId: z.string(),
  run: z.string().max(64).default(''),
  host: z.string(),
  at: count,
  /** With `finished`, `failed` and `handed_back`: the seq of the run's last snapshot (-1 when it sent none). */
  lastSeq: z.number().int().min(-1).optional(),
  iterations: count.optional(),
  /** With `finished`: `unique` data rows ran out and the chunk's minions ended for it. */
  rowsExhausted: z.boolean().optional(),
  error: z.string().optional(),
  /** With `launched`: first send minus the start instant (ms, on the factory's corrected clock; negative = early). */
  startLatenessMs: z.number().optional(),
  /** With `ready` and `launched`: the factory's clock uncertainty then (ms), and the bound it is configured to stay under. */
  clockUncertaintyMs: z.number().min(0).optional(),
  clockBoundMs: z.number().min(0).optional(),
  /** With `ready`: the factory's clock offset (its clock minus the cluster's, ms) and the sockets it opened ahead. */
  clockOffsetMs: z.number().optional(),
  preopened: count.optional(),
});
export type ChunkEvent = z.output<typeof chunkEventSchema>;

export const streamMessageSchema = z.discriminatedUnion('type', [snapshotSchema, chunkEventSchema]);
export type StreamMessage = z.output<typeof streamMessageSchema>;
