/**
 * The shapes of a campaign's results as the API answers them (docs/api.md#results): one
 * schema per response, used by the OpenAPI document and checked against real answers by
 * the end-to-end tests, so the documentation and the head cannot drift apart. Strict: a
 * field the head adds without adding it here fails those tests.
 */
import { z } from 'zod';

const n = z.number();
const counts = z.record(z.string(), n);
const iso = z.string();

export const latencySummarySchema = z.strictObject({ count: n, min: n, mean: n, p50: n, p75: n, p90: n, p95: n, p99: n, p999: n, max: n, stdDev: n });

/** The numbers of one resource (the campaign, a step, a step in a zone), merged exactly. */
export const resourceNumbersSchema = z.strictObject({
  requests: n,
  failures: n,
  errorRate: n,
  avgRps: n,
  peakRps: n,
  /** ms, from the intended start (open model) or the send. */
  latency: latencySummarySchema,
  /** ms, from the actual send. */
  serviceTime: latencySummarySchema,
  statusCodes: counts,
  errors: z.strictObject({ byKind: counts, byCheck: counts }),
  checks: z.strictObject({ evaluated: n, failed: n, passRate: n }),
  /** Averages in ms: connect and TLS per new socket, first byte and download per response. */
  timingBreakdown: z.strictObject({ connectMs: n, tlsMs: n, firstByteMs: n, downloadMs: n, connections: n }),
  /** On the wire, HTTP heads included. */
  bytes: z.strictObject({ in: n, out: n }),
  /**
   * Streamed steps (docs/metrics.md#streamed-responses): time to first event (SSE) or first
   * body byte (chunked) in ms, beside the latency to the last byte; events; token sums.
   */
  stream: z.strictObject({ responses: n, events: n, eventsPerResponse: n, timeToFirstEvent: latencySummarySchema, tokens: counts }).nullable(),
});

export const thresholdOutcomeSchema = z.strictObject({
  scenario: z.string().nullable(),
  step: z.string().nullable(),
  expression: z.string(),
  observed: n.nullable(),
  passed: z.boolean(),
  abortOnFail: z.boolean(),
});

/**
 * How together the chunks started (docs/architecture.md#time), in the report and the execution
 * route: per zone and chunk, its start lateness (first send minus its planned instant, ms, on
 * its factory's corrected clock; null until it sent) and the clock uncertainty then; the
 * spread is max − min lateness over the chunks.
 */
/** How one chunk met the start instant (docs/architecture.md#time). */
export const chunkStartSchema = z.strictObject({
  readyAt: iso.nullable(),
  startLatenessMs: n.nullable(),
  clockUncertaintyMs: n.nullable(),
  /** The factory's clock minus the cluster's when it got ready (ms). */
  clockOffsetMs: n.nullable(),
});
export type ChunkStart = z.output<typeof chunkStartSchema>;

export const startSyncSchema = z.strictObject({
  startAt: iso.nullable(),
  spreadMs: n.nullable(),
  maxLatenessMs: n.nullable(),
  maxClockUncertaintyMs: n.nullable(),
  zones: z.array(
    z.strictObject({
      zone: z.string(),
      chunks: z.array(
        chunkStartSchema.extend({ id: z.string(), scenario: z.string(), factoryId: z.string().nullable() }),
      ),
    }),
  ),
});
export type StartSync = z.output<typeof startSyncSchema>;

/** GET /campaigns/{key}/report. */
export const reportSchema = z.strictObject({
  metadata: z.strictObject({
    key: z.string(),
    name: z.string(),
    status: z.string(),
    result: z.string().nullable(),
    failureReason: z.string().nullable(),
    createdAt: iso,
    startedAt: iso.nullable(),
    endedAt: iso.nullable(),
    configuration: z.record(z.string(), z.unknown()),
  }),
  summary: z.strictObject({
    requests: n,
    failures: n,
    errorRate: n,
    durationSeconds: n,
    avgRps: n,
    peakRps: n,
    peakMinions: n,
    minionsStarted: n,
    iterations: n,
    droppedIterations: n,
    bytes: z.strictObject({ in: n, out: n }),
    checks: z.strictObject({ evaluated: n, failed: n, passRate: n }),
  }),
  latency: latencySummarySchema,
  serviceTime: latencySummarySchema,
  statusCodes: counts,
  errors: z.strictObject({ byKind: counts, byCheck: counts }),
  timingBreakdown: resourceNumbersSchema.shape.timingBreakdown,
  generator: z.strictObject({ saturated: z.boolean(), saturatedIntervals: n, maxEventLoopLagMs: n, maxSendLatenessMs: n }),
  rateControl: z.array(
    z.strictObject({ scenario: z.string(), targetIterations: n, startedIterations: n, droppedIterations: n, targetRate: n, achievedRate: n }),
  ),
  thresholds: z.array(thresholdOutcomeSchema),
  start: startSyncSchema,
  scenarios: z.array(
    z.strictObject({
      name: z.string(),
      steps: z.array(resourceNumbersSchema.extend({ name: z.string(), zones: z.array(resourceNumbersSchema.extend({ zone: z.string() })) })),
    }),
  ),
});
export type Report = z.output<typeof reportSchema>;

/** One row of GET /campaigns/{key}/intervals: '*' is the roll-up over that dimension. */
export const intervalRowSchema = z.strictObject({
  scenario: z.string(),
  step: z.string(),
  zone: z.string(),
  bucketStart: iso,
  count: n,
  failures: n,
  rps: n,
  mean: n,
  min: n,
  p50: n,
  p75: n,
  p90: n,
  p95: n,
  p99: n,
  p999: n,
  max: n,
  stdDev: n,
  bytesIn: n,
  bytesOut: n,
  statusCodes: counts,
  failureKinds: counts,
  failedChecks: counts,
  checks: n,
  /** Sums in µs with their counts: connectUs, tlsUs, connections, firstByteUs, downloadUs, responses. */
  timings: counts,
  minionsActive: n,
  minionsStarted: n,
  targetArrivals: n,
  iterations: n,
  dropped: n,
  maxLagMs: n,
  maxLatenessMs: n,
  saturated: z.boolean(),
});
export const intervalsSchema = z.array(intervalRowSchema);

/** GET /campaigns/{key}/steps. */
export const stepsSchema = z.array(resourceNumbersSchema.extend({ scenario: z.string(), step: z.string() }));

/** GET /campaigns/{key}/steps/{step}. */
export const stepDetailSchema = resourceNumbersSchema.extend({
  scenario: z.string(),
  step: z.string(),
  zones: z.array(resourceNumbersSchema.extend({ zone: z.string() })),
  intervals: intervalsSchema,
});

/** GET /campaigns/{key}/errors. */
export const errorsSchema = z.strictObject({
  kinds: z.array(
    z.strictObject({
      kind: z.string(),
      count: n,
      samples: z.array(z.strictObject({ request: z.string(), status: n.nullable(), message: z.string(), scenario: z.string(), step: z.string(), zone: z.string(), at: iso })),
    }),
  ),
  checks: z.array(z.strictObject({ check: z.string(), failed: n })),
});

/** GET /campaigns/{key}/execution: zones, their chunks, and every run of each chunk. */
export const executionSchema = z.strictObject({
  key: z.string(),
  status: z.string(),
  /** Max − min start lateness over the chunks (ms), null until they sent. */
  startSpreadMs: n.nullable(),
  zones: z.array(
    z.strictObject({
      zone: z.string(),
      chunks: z.array(
        z.strictObject({
          id: z.string(),
          scenario: z.string(),
          index: n,
          minions: n,
          status: z.string(),
          factoryId: z.string().nullable(),
          host: z.string().nullable(),
          acceptedAt: iso.nullable(),
          startedAt: iso.nullable(),
          finishedAt: iso.nullable(),
          iterations: n,
          error: z.string().nullable(),
          lostAt: iso.nullable(),
          /** Its scenario's `unique` data rows ran out: its minions ended before the plan did. */
          rowsExhausted: z.boolean(),
          ...chunkStartSchema.shape,
          runs: z.array(z.strictObject({ run: z.string(), factoryId: z.string(), host: z.string(), acceptedAt: iso, endedAt: iso.nullable(), outcome: z.string() })),
        }),
      ),
    }),
  ),
});

/** GET /campaigns/{key}/distribution. */
export const distributionSchema = z.strictObject({
  key: z.string(),
  scenarios: z.array(
    z.strictObject({
      name: z.string(),
      zones: z.array(
        z.strictObject({
          zone: z.string(),
          percentage: n.nullable(),
          minions: n,
          factories: z.array(z.strictObject({ id: z.string().nullable(), host: z.string().nullable(), chunk: z.string(), capacity: n.nullable() })),
        }),
      ),
    }),
  ),
});
