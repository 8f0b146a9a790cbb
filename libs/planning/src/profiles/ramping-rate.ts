import { z } from 'zod';
import { scheduleOf, type RateSchedule } from '../rate-schedule.js';
import type { OpenProfileDescriptor } from './descriptor.js';
import {
  durationMs,
  maxInFlightField,
  rate,
  readArray,
  readNumber,
  reportCrossField,
  unlessFailed,
  type IssueSink,
} from './fields.js';

export interface RateStage {
  /** Iterations per second reached at the end of the stage, linearly from the previous rate. */
  targetRate: number;
  durationMs: number;
}

/** RAMPING_RATE (open model): linear ramps from `startRate` through each stage's targetRate. */
export interface RampingRateProfile {
  profile: 'RAMPING_RATE';
  startRate: number;
  stages: RateStage[];
  /** @defaultValue 1000 */
  maxInFlight: number;
}

const rateStageSchema = z.object({
  targetRate: rate('targetRate', false),
  durationMs: durationMs('durationMs'),
});

export const rampingRateSchema = z
  .object({
    profile: z.literal('RAMPING_RATE'),
    startRate: rate('startRate', false),
    stages: z
      .array(rateStageSchema, {
        error: (issue) => (issue.input === undefined ? 'stages is required' : 'stages must be an array'),
      })
      .min(1, 'stages must hold at least one stage'),
    maxInFlight: maxInFlightField(),
  })
  .superRefine((value, ctx) => requireSomeRate(ctx, value), unlessFailed('startRate', 'stages', 'stages.*.targetRate'))
  .transform((value): RampingRateProfile => ({ ...value, profile: 'RAMPING_RATE' }));

/** A schedule whose rates are all 0 has no arrival: certainly not what the user meant. */
function requireSomeRate(sink: IssueSink, value: unknown): void {
  const rates = [
    readNumber(value, 'startRate'),
    ...(readArray(value, 'stages') ?? []).map((stage) => readNumber(stage, 'targetRate')),
  ];
  if (rates.length > 1 && rates.every((r) => r === 0)) {
    reportCrossField(sink, 'startRate or a targetRate must be > 0', ['stages']);
  }
}

/** One linear segment per stage, from the previous stage's target (startRate first), in profile time. */
export function rampingRateSchedule(profile: RampingRateProfile): RateSchedule {
  let fromRate = profile.startRate;
  return scheduleOf(
    profile.stages.map((stage) => {
      const segment = { durationMs: stage.durationMs, fromRate, toRate: stage.targetRate };
      fromRate = stage.targetRate;
      return segment;
    }),
  );
}

export const rampingRateDescriptor: OpenProfileDescriptor<RampingRateProfile, typeof rampingRateSchema> = {
  name: 'RAMPING_RATE',
  aliases: [],
  model: 'open',
  schema: rampingRateSchema,
  example: { profile: 'RAMPING_RATE', startRate: 0, stages: [{ targetRate: 10, durationMs: 1000 }] },
  rate: rampingRateSchedule,
  endMs: (profile) => profile.stages.reduce((sum, stage) => sum + stage.durationMs, 0),
};
