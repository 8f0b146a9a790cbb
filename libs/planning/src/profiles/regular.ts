import { z } from 'zod';
import { pushLine, type StartingLine } from '../starting-line.js';
import { RUNS_ONCE_UNLESS_LOOPED, type ClosedProfileDescriptor } from './descriptor.js';
import { count, durationMs, requirePeriodInMs, unlessFailed } from './fields.js';

/** REGULAR: `minionsCountProLaunch` minions every `periodInMs`, the first after one period. */
export interface RegularProfile {
  profile: 'REGULAR';
  periodInMs: number;
  minionsCountProLaunch: number;
}

export const regularSchema = z
  .object({
    profile: z.literal('REGULAR'),
    periodInMs: durationMs('periodInMs').optional(),
    periodMs: durationMs('periodMs').optional(),
    minionsCountProLaunch: count('minionsCountProLaunch'),
  })
  .superRefine((value, ctx) => requirePeriodInMs(ctx, value), unlessFailed('periodInMs', 'periodMs'))
  .transform(
    (value): RegularProfile => ({
      profile: 'REGULAR',
      periodInMs: (value.periodInMs ?? value.periodMs) as number,
      minionsCountProLaunch: value.minionsCountProLaunch,
    }),
  );

/** Lines of `minionsCountProLaunch` at periodInMs, 2·periodInMs, …; the last takes what is left. */
export function regularLines(profile: RegularProfile, minionsCount: number): StartingLine[] {
  const lines: StartingLine[] = [];
  let left = minionsCount;
  for (let launch = 1; left > 0; launch++) {
    const started = Math.min(profile.minionsCountProLaunch, left);
    pushLine(lines, launch * profile.periodInMs, started);
    left -= started;
  }
  return lines;
}

export const regularDescriptor: ClosedProfileDescriptor<RegularProfile, typeof regularSchema> = {
  name: 'REGULAR',
  aliases: [],
  model: 'closed',
  schema: regularSchema,
  example: { profile: 'REGULAR', periodInMs: 100, minionsCountProLaunch: 2 },
  lines: regularLines,
  ...RUNS_ONCE_UNLESS_LOOPED,
};
