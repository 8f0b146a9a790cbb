import { z } from 'zod';

/**
 * The dry run of a scenario (`POST /scenarios/{name}/try`, `POST /scenarios/try`): one
 * iteration, every step's request and response laid out as Vayu's design mode does
 * (docs/api.md#trying-a-scenario). Secret values are masked wherever they would appear.
 */
export const tryOptionsSchema = z.strictObject({
  /** Campaign variables for the run (they override the scenario's). */
  variables: z.record(z.string(), z.string()).default({}),
});

const n = z.number();
export const tryStepSchema = z.strictObject({
  name: z.string(),
  request: z.strictObject({ method: z.string(), url: z.string(), headers: z.record(z.string(), z.string()), body: z.string().nullable() }).nullable(),
  response: z.strictObject({ status: n, headers: z.record(z.string(), z.string()), bodyExcerpt: z.string(), bodyBytes: n }).nullable(),
  /** Why no response came (an unresolved template, a refused connection, a timeout). */
  error: z.string().nullable(),
  /** ms: send → response head, head → last byte, send → last byte; first event for streams. */
  timings: z.strictObject({ firstByteMs: n, downloadMs: n, totalMs: n, timeToFirstEventMs: n.nullable() }).nullable(),
  stream: z.strictObject({ events: n, tokens: z.record(z.string(), n) }).nullable(),
  checks: z.array(z.strictObject({ name: z.string(), passed: z.boolean() })),
  extracted: z.record(z.string(), z.string()),
  failedExtractions: z.array(z.string()),
  passed: z.boolean(),
});
export const tryResultSchema = z.strictObject({
  scenario: z.string(),
  /** The saved version tried, or null for an unsaved body. */
  version: n.nullable(),
  passed: z.boolean(),
  durationMs: n,
  /** The data row used (the first one), secrets masked; null without data. */
  row: z.record(z.string(), z.string()).nullable(),
  steps: z.array(tryStepSchema),
  /** Steps not run: an earlier step failed with stopOnFailure. */
  skipped: z.array(z.string()),
});
export type TryResult = z.output<typeof tryResultSchema>;
export type TryStep = z.output<typeof tryStepSchema>;
