import { z } from 'zod';
import { pushLine, type StartingLine } from '../starting-line.js';
import { RUNS_ONCE_UNLESS_LOOPED, type ClosedProfileDescriptor } from './descriptor.js';
import { durationMs, requirePeriodInMs, unlessFailed } from './fields.js';

/** TIME_FRAME: all minions spread evenly over `timeFrameInMs`, one launch every `periodInMs`. */
export interface TimeFrameProfile {
  profile: 'TIME_FRAME';
  periodInMs: number;
  timeFrameInMs: number;
}

/** TIMEFRAME is the spelling some QALIPSIS clients send. */
const ALIASES = ['TIMEFRAME'] as const;

export const timeFrameSchema = z
  .object({
    profile: z.enum(['TIME_FRAME', ...ALIASES]),
    periodInMs: durationMs('periodInMs').optional(),
    periodMs: durationMs('periodMs').optional(),
    timeFrameInMs: durationMs('timeFrameInMs'),
  })
  .superRefine((value, ctx) => requirePeriodInMs(ctx, value), unlessFailed('periodInMs', 'periodMs'))
  .transform(
    (value): TimeFrameProfile => ({
      profile: 'TIME_FRAME',
      periodInMs: (value.periodInMs ?? value.periodMs) as number,
      timeFrameInMs: value.timeFrameInMs,
    }),
  );

/**
 * n = max(1, floor(timeFrameInMs / periodInMs)) lines of ceil(minionsCount / n) at
 * periodInMs, 2·periodInMs, …; the last takes what is left (so there may be fewer than n).
 */
export function timeFrameLines(profile: TimeFrameProfile, minionsCount: number): StartingLine[] {
  const launches = Math.max(1, Math.floor(profile.timeFrameInMs / profile.periodInMs));
  const perLaunch = Math.ceil(minionsCount / launches);
  const lines: StartingLine[] = [];
  let left = minionsCount;
  for (let index = 1; left > 0; index++) {
    const started = Math.min(perLaunch, left);
    pushLine(lines, index * profile.periodInMs, started);
    left -= started;
  }
  return lines;
}

export const timeFrameDescriptor: ClosedProfileDescriptor<TimeFrameProfile, typeof timeFrameSchema> = {
  name: 'TIME_FRAME',
  aliases: ALIASES,
  model: 'closed',
  schema: timeFrameSchema,
  example: { profile: 'TIME_FRAME', periodInMs: 100, timeFrameInMs: 1000 },
  lines: timeFrameLines,
  ...RUNS_ONCE_UNLESS_LOOPED,
};
