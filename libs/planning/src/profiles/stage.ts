import { z } from 'zod';
import { pushLine, type StartingLine } from '../starting-line.js';
import type { ClosedProfileDescriptor } from './descriptor.js';
import {
  count,
  durationMs,
  readArray,
  readNumber,
  reportCrossField,
  requireAtLeast,
  unlessFailed,
  type IssueSink,
} from './fields.js';

/**
 * What happens to running minions at the end of the last stage: GRACEFUL lets a running
 * iteration finish; HARD stops them and starts no iteration a minion cannot finish.
 */
export type Completion = 'GRACEFUL' | 'HARD';

/** How long a stage ramps up, lasts, and how often it starts a line. */
export interface StageTiming {
  rampUpDurationMs: number;
  totalDurationMs: number;
  /** @defaultValue 500 */
  resolutionMs: number;
}

export interface Stage extends StageTiming {
  minionsCount: number;
}

/** STAGE: stages of absolute minion counts; the scenario's `minionsCount` is ignored. */
export interface StageProfile {
  profile: 'STAGE';
  stages: Stage[];
  completion: Completion;
}

export const DEFAULT_RESOLUTION_MS = 500;

export const completionSchema = z
  .enum(['GRACEFUL', 'HARD'], { error: 'completion must be GRACEFUL or HARD' })
  .default('GRACEFUL');

/** The timing fields of a stage, shared with PERCENTAGE_STAGE. */
export const stageTimingShape = {
  rampUpDurationMs: durationMs('rampUpDurationMs'),
  totalDurationMs: durationMs('totalDurationMs'),
  resolutionMs: durationMs('resolutionMs').default(DEFAULT_RESOLUTION_MS),
};

/**
 * Adds resolution ≤ rampUp ≤ total to a stage schema: a stage starts at least one line and
 * ramps within itself.
 */
export function withStageTimingChecks<T extends z.ZodType>(stage: T) {
  return stage
    .superRefine(
      (value, ctx) => requireAtLeast(ctx, value, 'rampUpDurationMs', 'resolutionMs'),
      unlessFailed('rampUpDurationMs', 'resolutionMs'),
    )
    .superRefine(
      (value, ctx) => requireAtLeast(ctx, value, 'totalDurationMs', 'rampUpDurationMs'),
      unlessFailed('totalDurationMs', 'rampUpDurationMs'),
    );
}

/** `stages` must be a non-empty array. */
export function stagesArray<T extends z.ZodType>(stage: T) {
  return z
    .array(stage, { error: (issue) => (issue.input === undefined ? 'stages is required' : 'stages must be an array') })
    .min(1, 'stages must hold at least one stage');
}

const stageSchema = withStageTimingChecks(z.object({ minionsCount: count('minionsCount', 0), ...stageTimingShape }));

export const stageProfileSchema = z
  .object({ profile: z.literal('STAGE'), stages: stagesArray(stageSchema), completion: completionSchema })
  .superRefine((value, ctx) => requireSomeMinion(ctx, value), unlessFailed('stages', 'stages.*.minionsCount'))
  .transform((value): StageProfile => ({ profile: 'STAGE', stages: value.stages, completion: value.completion }));

/** Stages that all start 0 minions would run a campaign doing nothing. */
function requireSomeMinion(sink: IssueSink, value: unknown): void {
  const counts = (readArray(value, 'stages') ?? []).map((stage) => readNumber(stage, 'minionsCount'));
  if (counts.length > 0 && counts.every((n) => n === 0)) {
    reportCrossField(sink, 'stages must start at least one minion (every minionsCount is 0)', ['stages']);
  }
}

/**
 * Lines of stages whose counts are known. Per stage, L = max(1, floor(rampUp / resolution))
 * lines of ceil(count / L), one every resolutionMs from the stage's start, the last taking
 * what is left (fewer lines when the rounding up runs out early). The next stage starts
 * totalDurationMs after this one started (docs/api.md#closed-model follows QALIPSIS's documentation, not its
 * code, which starts the next stage one resolution early). Minions accumulate.
 */
export function stagedLines(stages: readonly StageTiming[], counts: readonly number[]): StartingLine[] {
  const lines: StartingLine[] = [];
  let stageStartMs = 0;
  stages.forEach((stage, index) => {
    rampStage(lines, stage, stageStartMs, counts[index]);
    stageStartMs += stage.totalDurationMs;
  });
  return lines;
}

function rampStage(lines: StartingLine[], stage: StageTiming, startMs: number, minions: number): void {
  const lineCount = Math.max(1, Math.floor(stage.rampUpDurationMs / stage.resolutionMs));
  const perLine = Math.ceil(minions / lineCount);
  let left = minions;
  for (let index = 0; left > 0; index++) {
    const started = Math.min(perLine, left);
    pushLine(lines, startMs + index * stage.resolutionMs, started);
    left -= started;
  }
}

/** The end of the last stage: its start plus its totalDurationMs (profile time). */
export function stagesEndMs(stages: readonly StageTiming[]): number {
  let endMs = 0;
  for (const stage of stages) endMs += stage.totalDurationMs;
  return endMs;
}

export function stageLines(profile: StageProfile): StartingLine[] {
  return stagedLines(
    profile.stages,
    profile.stages.map((stage) => stage.minionsCount),
  );
}

/**
 * The end and replay rule of the stage profiles: the plan ends with the last stage, and
 * minions replay until then whether or not the scenario loops.
 */
export const REPLAYS_UNTIL_LAST_STAGE = {
  endMs: (profile: { stages: readonly StageTiming[] }): number => stagesEndMs(profile.stages),
  replays: (): boolean => true,
};

export const stageDescriptor: ClosedProfileDescriptor<StageProfile, typeof stageProfileSchema> = {
  name: 'STAGE',
  aliases: [],
  model: 'closed',
  schema: stageProfileSchema,
  example: { profile: 'STAGE', stages: [{ minionsCount: 20, rampUpDurationMs: 5000, totalDurationMs: 15000 }] },
  lines: stageLines,
  ...REPLAYS_UNTIL_LAST_STAGE,
};
