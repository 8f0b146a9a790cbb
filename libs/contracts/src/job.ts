import { z } from 'zod';
import { executionProfileSchema } from '@barrage/planning';
import { scenarioSchema } from './scenario.js';

const lineSchema = z.strictObject({ atMs: z.number().min(0), count: z.number().int().min(1) });
const rateSchema = z.strictObject({
  segments: z.array(z.strictObject({ startMs: z.number(), durationMs: z.number(), fromRate: z.number(), toRate: z.number() })),
});
const shareSchema = z.strictObject({
  levels: z.array(z.strictObject({ weights: z.array(z.number().positive()), index: z.number().int().min(0) })).min(1),
});

/**
 * Everything a factory needs to run one chunk, pinned at planning time: the scenario
 * version, the whole plan and the chunk's share of it (each factory derives its own lines
 * or arrivals from the plan, so a takeover can join at any offset).
 */
export const chunkJobSchema = z.strictObject({
  campaignKey: z.string(),
  chunkId: z.string(),
  scenarioName: z.string(),
  zone: z.string(),
  scenario: scenarioSchema,
  scenarioVersion: z.number().int(),
  /** Campaign-level template variables. */
  variables: z.record(z.string(), z.string()),
  profile: executionProfileSchema,
  /** Closed model: the campaign-wide starting lines (atMs from the start instant, speedFactor applied). */
  lines: z.array(lineSchema).nullable(),
  /** Open model: the campaign-wide rate schedule (speedFactor applied). */
  rate: rateSchema.nullable(),
  share: shareSchema,
  /** Minions (closed) this chunk starts in total; informative. */
  minions: z.number().int().min(0),
  resolutionMs: z.number().int().positive(),
  /** End of the load relative to the start instant, or null when minions run once. */
  endMs: z.number().nullable(),
  /** Campaign timeout relative to the start instant. */
  timeoutMs: z.number().nullable(),
  hardTimeout: z.boolean(),
  completion: z.enum(['GRACEFUL', 'HARD']),
  /** Whether a minion starts another iteration after one ends (until endMs or timeoutMs). */
  replay: z.boolean(),
  maxInFlight: z.number().int().positive().nullable(),
});
export type ChunkJob = z.output<typeof chunkJobSchema>;

/** BullMQ forbids ':' in custom job ids, so the chunk id's separators become '|' in the job id. */
export function chunkJobId(chunkId: string): string {
  return chunkId.replaceAll(':', '|');
}
export function chunkIdOf(campaignKey: string, scenario: string, zone: string, index: number): string {
  return `${campaignKey}:${scenario}:${zone}:${index}`;
}
