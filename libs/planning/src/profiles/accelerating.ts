import { z } from 'zod';
import { pushLine, type StartingLine } from '../starting-line.js';
import { RUNS_ONCE_UNLESS_LOOPED, type ClosedProfileDescriptor } from './descriptor.js';
import { count, durationMs, numberField, readNumber, reportCrossField, unlessFailed } from './fields.js';

/**
 * ACCELERATING: `minionsCountProLaunch` minions per launch, the launches closer and closer:
 * each period is the previous one divided by `accelerator`, never below `minPeriodMs`.
 */
export interface AcceleratingProfile {
  profile: 'ACCELERATING';
  startPeriodMs: number;
  accelerator: number;
  minPeriodMs: number;
  minionsCountProLaunch: number;
}

export const acceleratingSchema = z
  .object({
    profile: z.literal('ACCELERATING'),
    startPeriodMs: durationMs('startPeriodMs'),
    accelerator: numberField('accelerator').gt(1, 'accelerator must be > 1'),
    minPeriodMs: durationMs('minPeriodMs'),
    minionsCountProLaunch: count('minionsCountProLaunch'),
  })
  .superRefine((value, ctx) => {
    // A floor above the first period would slow the launches down: not an acceleration.
    const start = readNumber(value, 'startPeriodMs');
    const min = readNumber(value, 'minPeriodMs');
    if (start !== undefined && min !== undefined && min > start) {
      reportCrossField(ctx, `minPeriodMs (${min}) must be <= startPeriodMs (${start})`, ['minPeriodMs']);
    }
  }, unlessFailed('startPeriodMs', 'minPeriodMs'))
  .transform((value): AcceleratingProfile => ({ ...value, profile: 'ACCELERATING' }));

/**
 * First line at `startPeriodMs`; each next period = max(minPeriodMs, floor(period / accelerator)),
 * the last line takes what is left.
 */
export function acceleratingLines(profile: AcceleratingProfile, minionsCount: number): StartingLine[] {
  const lines: StartingLine[] = [];
  let period = profile.startPeriodMs;
  let atMs = period;
  let left = minionsCount;
  while (left > 0) {
    const started = Math.min(profile.minionsCountProLaunch, left);
    pushLine(lines, atMs, started);
    left -= started;
    period = Math.max(profile.minPeriodMs, Math.floor(period / profile.accelerator));
    atMs += period;
  }
  return lines;
}

export const acceleratingDescriptor: ClosedProfileDescriptor<AcceleratingProfile, typeof acceleratingSchema> = {
  name: 'ACCELERATING',
  aliases: [],
  model: 'closed',
  schema: acceleratingSchema,
  example: { profile: 'ACCELERATING', startPeriodMs: 1000, accelerator: 2, minPeriodMs: 100, minionsCountProLaunch: 2 },
  lines: acceleratingLines,
  ...RUNS_ONCE_UNLESS_LOOPED,
};
