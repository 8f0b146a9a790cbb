import { z } from 'zod';
import { largestRemainder } from '../largest-remainder.js';
import type { StartingLine } from '../starting-line.js';
import type { ClosedProfileDescriptor } from './descriptor.js';
import { numberField, readArray, readNumber, reportCrossField, unlessFailed, type IssueSink } from './fields.js';
import {
  completionSchema,
  REPLAYS_UNTIL_LAST_STAGE,
  stagedLines,
  stagesArray,
  stageTimingShape,
  type Completion,
  type StageTiming,
  withStageTimingChecks,
} from './stage.js';

export interface PercentageStage extends StageTiming {
  minionsPercentage: number;
}

/** PERCENTAGE_STAGE: as STAGE, each stage starting a percentage of the scenario's minionsCount. */
export interface PercentageStageProfile {
  profile: 'PERCENTAGE_STAGE';
  stages: PercentageStage[];
  completion: Completion;
}

/** How far from 100 the percentages may sum (docs/api.md#closed-model), for decimals typed by people. */
export const PERCENTAGE_SUM_TOLERANCE = 0.001;

const percentageStageSchema = withStageTimingChecks(
  z.object({
    minionsPercentage: numberField('minionsPercentage')
      .min(0, 'minionsPercentage must be >= 0')
      .max(100, 'minionsPercentage must be <= 100'),
    ...stageTimingShape,
  }),
);

export const percentageStageProfileSchema = z
  .object({
    profile: z.literal('PERCENTAGE_STAGE'),
    stages: stagesArray(percentageStageSchema),
    completion: completionSchema,
  })
  .superRefine((value, ctx) => requireHundredPercent(ctx, value), unlessFailed('stages', 'stages.*.minionsPercentage'))
  .transform(
    (value): PercentageStageProfile => ({ profile: 'PERCENTAGE_STAGE', stages: value.stages, completion: value.completion }),
  );

/** Checked even when another field of a stage failed, so the user sees it in the same response. */
function requireHundredPercent(sink: IssueSink, value: unknown): void {
  const percentages = (readArray(value, 'stages') ?? []).map((stage) => readNumber(stage, 'minionsPercentage'));
  if (percentages.length === 0 || percentages.some((p) => p === undefined)) return;
  const sum = (percentages as number[]).reduce((acc, p) => acc + p, 0);
  if (Math.abs(sum - 100) > PERCENTAGE_SUM_TOLERANCE) {
    reportCrossField(sink, `minionsPercentage must sum to 100 (got ${round(sum)})`, ['stages']);
  }
}

/** Enough decimals to show the user what they sent, without float noise (0.1 + 0.2). */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** The minions each stage starts: percentage × minionsCount by largest remainder, exact total. */
export function percentageStageCounts(profile: PercentageStageProfile, minionsCount: number): number[] {
  return largestRemainder(
    minionsCount,
    profile.stages.map((stage) => stage.minionsPercentage),
  );
}

export function percentageStageLines(profile: PercentageStageProfile, minionsCount: number): StartingLine[] {
  return stagedLines(profile.stages, percentageStageCounts(profile, minionsCount));
}

export const percentageStageDescriptor: ClosedProfileDescriptor<PercentageStageProfile, typeof percentageStageProfileSchema> = {
  name: 'PERCENTAGE_STAGE',
  aliases: [],
  model: 'closed',
  schema: percentageStageProfileSchema,
  example: { profile: 'PERCENTAGE_STAGE', stages: [{ minionsPercentage: 100, rampUpDurationMs: 5000, totalDurationMs: 15000 }] },
  lines: percentageStageLines,
  ...REPLAYS_UNTIL_LAST_STAGE,
};
