import { z } from 'zod';
import { pushLine, type StartingLine } from '../starting-line.js';
import { RUNS_ONCE_UNLESS_LOOPED, type ClosedProfileDescriptor } from './descriptor.js';
import { count, durationMs, numberField, requireAtLeast, unlessFailed } from './fields.js';

/**
 * PROGRESSING_VOLUME: a launch every `periodMs`, each launch `multiplier` times bigger than
 * the previous one, capped at `maxMinionsCountProLaunch`.
 */
export interface ProgressingVolumeProfile {
  profile: 'PROGRESSING_VOLUME';
  periodMs: number;
  minionsCountProLaunchAtStart: number;
  multiplier: number;
  maxMinionsCountProLaunch: number;
}

export const progressingVolumeSchema = z
  .object({
    profile: z.literal('PROGRESSING_VOLUME'),
    periodMs: durationMs('periodMs'),
    minionsCountProLaunchAtStart: count('minionsCountProLaunchAtStart'),
    // Below 1 the launches would shrink to 0 minions and the plan would never end.
    multiplier: numberField('multiplier').min(1, 'multiplier must be >= 1'),
    maxMinionsCountProLaunch: count('maxMinionsCountProLaunch'),
  })
  .superRefine(
    (value, ctx) => requireAtLeast(ctx, value, 'maxMinionsCountProLaunch', 'minionsCountProLaunchAtStart'),
    unlessFailed('maxMinionsCountProLaunch', 'minionsCountProLaunchAtStart'),
  )
  .transform((value): ProgressingVolumeProfile => ({ ...value, profile: 'PROGRESSING_VOLUME' }));

/**
 * Lines every `periodMs` from `periodMs`; the first launches `minionsCountProLaunchAtStart`,
 * each next one min(floor(previous × multiplier), max, left).
 */
export function progressingVolumeLines(profile: ProgressingVolumeProfile, minionsCount: number): StartingLine[] {
  const lines: StartingLine[] = [];
  let launch = Math.min(profile.minionsCountProLaunchAtStart, profile.maxMinionsCountProLaunch);
  let left = minionsCount;
  for (let index = 1; left > 0; index++) {
    const started = Math.min(launch, left);
    pushLine(lines, index * profile.periodMs, started);
    left -= started;
    launch = Math.min(Math.floor(launch * profile.multiplier), profile.maxMinionsCountProLaunch);
  }
  return lines;
}

export const progressingVolumeDescriptor: ClosedProfileDescriptor<ProgressingVolumeProfile, typeof progressingVolumeSchema> = {
  name: 'PROGRESSING_VOLUME',
  aliases: [],
  model: 'closed',
  schema: progressingVolumeSchema,
  example: { profile: 'PROGRESSING_VOLUME', periodMs: 1000, minionsCountProLaunchAtStart: 10, multiplier: 1.5, maxMinionsCountProLaunch: 200 },
  lines: progressingVolumeLines,
  ...RUNS_ONCE_UNLESS_LOOPED,
};
