import { z } from 'zod';
import type { ImmediatelyProfile } from './immediately.js';
import { PROFILES, type ClosedProfile, type ExecutionProfile, type OpenProfile, type ProfileName } from './registry.js';

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

export type { ClosedProfile, ExecutionProfile, OpenProfile, ProfileName } from './registry.js';

export const PROFILE_NAMES: readonly ProfileName[] = PROFILES.map((descriptor) => descriptor.name);

/** What a scenario without `executionProfile` runs. */
export const DEFAULT_PROFILE: ImmediatelyProfile = Object.freeze({ profile: 'IMMEDIATELY' });

function unknownProfileMessage(issue: { code?: string; input?: unknown }): string | undefined {
  if (issue.code !== 'invalid_union') return 'executionProfile must be an object';
  const name = (issue.input as { profile?: unknown } | undefined)?.profile;
  if (name === undefined) return 'profile is required';
  return `profile must be one of ${PROFILE_NAMES.join(', ')} (got ${JSON.stringify(name)})`;
}

/** The schemas of a tuple of descriptors, position by position: the union keeps every member's exact types. */
type SchemasOf<T extends readonly unknown[]> = { -readonly [K in keyof T]: T[K] extends { schema: infer S } ? S : never };

function schemasOf<T extends readonly { schema: unknown }[]>(descriptors: T): SchemasOf<T> {
  // `map` cannot carry a tuple's positions in its type; the order and length are unchanged.
  return descriptors.map((descriptor) => descriptor.schema) as SchemasOf<T>;
}

/**
 * Accepts QALIPSIS's REST field names and the aliases of docs/api.md#closed-model (`TIMEFRAME`, `periodMs` in
 * REGULAR and TIME_FRAME); outputs the canonical `ExecutionProfile`. Every problem is
 * reported at once, each message naming its field.
 */
export const executionProfileSchema = z.discriminatedUnion('profile', schemasOf(PROFILES), { error: unknownProfileMessage });

export type ExecutionProfileInput = z.input<typeof executionProfileSchema>;

/** A set rather than a lookup: a name outside the registry (only a cast makes one) counts as closed, as it always did. */
const OPEN_PROFILES: ReadonlySet<string> = new Set(
  PROFILES.filter((descriptor) => descriptor.model === 'open').map((descriptor) => descriptor.name),
);

export function isOpenProfile(profile: ExecutionProfile): profile is OpenProfile {
  return OPEN_PROFILES.has(profile.profile);
}

export function isClosedProfile(profile: ExecutionProfile): profile is ClosedProfile {
  return !isOpenProfile(profile);
}
