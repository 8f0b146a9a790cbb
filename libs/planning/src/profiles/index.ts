import { z } from 'zod';
import { acceleratingSchema, type AcceleratingProfile } from './accelerating.js';
import { constantRateSchema, type ConstantRateProfile } from './constant-rate.js';
import { immediatelySchema, type ImmediatelyProfile } from './immediately.js';
import { percentageStageProfileSchema, type PercentageStageProfile } from './percentage-stage.js';
import { progressingVolumeSchema, type ProgressingVolumeProfile } from './progressing-volume.js';
import { rampingRateSchema, type RampingRateProfile } from './ramping-rate.js';
import { regularSchema, type RegularProfile } from './regular.js';
import { stageProfileSchema, type StageProfile } from './stage.js';
import { timeFrameSchema, type TimeFrameProfile } from './time-frame.js';

export { acceleratingLines, acceleratingSchema, type AcceleratingProfile } from './accelerating.js';
export { constantRateSchedule, constantRateSchema, type ConstantRateProfile } from './constant-rate.js';
export { DEFAULT_MAX_IN_FLIGHT } from './fields.js';
export { immediatelyLines, immediatelySchema, type ImmediatelyProfile } from './immediately.js';
export {
  PERCENTAGE_SUM_TOLERANCE,
  percentageStageCounts,
  percentageStageLines,
  percentageStageProfileSchema,
  type PercentageStage,
  type PercentageStageProfile,
} from './percentage-stage.js';
export { progressingVolumeLines, progressingVolumeSchema, type ProgressingVolumeProfile } from './progressing-volume.js';
export { rampingRateSchedule, rampingRateSchema, type RampingRateProfile, type RateStage } from './ramping-rate.js';
export { regularLines, regularSchema, type RegularProfile } from './regular.js';
export {
  DEFAULT_RESOLUTION_MS,
  stageLines,
  stageProfileSchema,
  stagesEndMs,
  type Completion,
  type Stage,
  type StageProfile,
  type StageTiming,
} from './stage.js';
export { timeFrameLines, timeFrameSchema, type TimeFrameProfile } from './time-frame.js';

/** Closed model: profiles that say when minions start. */
export type ClosedProfile =
  | ImmediatelyProfile
  | RegularProfile
  | AcceleratingProfile
  | ProgressingVolumeProfile
  | TimeFrameProfile
  | StageProfile
  | PercentageStageProfile;

/** Open model: profiles that say how fast iterations arrive. */
export type OpenProfile = ConstantRateProfile | RampingRateProfile;

/** A validated execution profile with canonical names only (aliases resolved). */
export type ExecutionProfile = ClosedProfile | OpenProfile;

export type ProfileName = ExecutionProfile['profile'];

export const PROFILE_NAMES: readonly ProfileName[] = [
  'IMMEDIATELY',
  'REGULAR',
  'ACCELERATING',
  'PROGRESSING_VOLUME',
  'TIME_FRAME',
  'STAGE',
  'PERCENTAGE_STAGE',
  'CONSTANT_RATE',
  'RAMPING_RATE',
];

/** What a scenario without `executionProfile` runs. */
export const DEFAULT_PROFILE: ImmediatelyProfile = Object.freeze({ profile: 'IMMEDIATELY' });

function unknownProfileMessage(issue: { code?: string; input?: unknown }): string | undefined {
  if (issue.code !== 'invalid_union') return 'executionProfile must be an object';
  const name = (issue.input as { profile?: unknown } | undefined)?.profile;
  if (name === undefined) return 'profile is required';
  return `profile must be one of ${PROFILE_NAMES.join(', ')} (got ${JSON.stringify(name)})`;
}

/**
 * Accepts QALIPSIS's REST field names and the aliases of docs/api.md#closed-model (`TIMEFRAME`, `periodMs` in
 * REGULAR and TIME_FRAME); outputs the canonical `ExecutionProfile`. Every problem is
 * reported at once, each message naming its field.
 */
export const executionProfileSchema = z.discriminatedUnion(
  'profile',
  [
    immediatelySchema,
    regularSchema,
    acceleratingSchema,
    progressingVolumeSchema,
    timeFrameSchema,
    stageProfileSchema,
    percentageStageProfileSchema,
    constantRateSchema,
    rampingRateSchema,
  ],
  { error: unknownProfileMessage },
);

// The schema's output must stay exactly the documented union.
const _outputIsExecutionProfile: z.ZodType<ExecutionProfile> = executionProfileSchema;
void _outputIsExecutionProfile;

export type ExecutionProfileInput = z.input<typeof executionProfileSchema>;

const OPEN_PROFILES: ReadonlySet<ProfileName> = new Set(['CONSTANT_RATE', 'RAMPING_RATE']);

export function isOpenProfile(profile: ExecutionProfile): profile is OpenProfile {
  return OPEN_PROFILES.has(profile.profile);
}

export function isClosedProfile(profile: ExecutionProfile): profile is ClosedProfile {
  return !isOpenProfile(profile);
}
