import type { z } from 'zod';
import { acceleratingDescriptor } from './accelerating.js';
import { constantRateDescriptor } from './constant-rate.js';
import type { ClosedProfileDescriptor, OpenProfileDescriptor } from './descriptor.js';
import { immediatelyDescriptor } from './immediately.js';
import { percentageStageDescriptor } from './percentage-stage.js';
import { progressingVolumeDescriptor } from './progressing-volume.js';
import { rampingRateDescriptor } from './ramping-rate.js';
import { regularDescriptor } from './regular.js';
import { stageDescriptor } from './stage.js';
import { timeFrameDescriptor } from './time-frame.js';

/**
 * Every execution profile, one line each. The schema union, the profile types and the
 * planners are derived from this list, so adding a profile is its file, its line here and
 * its test. The order is the API's: the unknown-profile message and the OpenAPI union.
 */
export const PROFILES = [
  immediatelyDescriptor,
  regularDescriptor,
  acceleratingDescriptor,
  progressingVolumeDescriptor,
  timeFrameDescriptor,
  stageDescriptor,
  percentageStageDescriptor,
  constantRateDescriptor,
  rampingRateDescriptor,
] as const;

type Registered = (typeof PROFILES)[number];

/** A validated execution profile with canonical names only (aliases resolved). */
export type ExecutionProfile = z.output<Registered['schema']>;

export type ProfileName = ExecutionProfile['profile'];

/** Closed model: profiles that say when minions start. */
export type ClosedProfile = Extract<ExecutionProfile, { profile: Extract<Registered, { model: 'closed' }>['name'] }>;

/** Open model: profiles that say how fast iterations arrive. */
export type OpenProfile = Extract<ExecutionProfile, { profile: Extract<Registered, { model: 'open' }>['name'] }>;

/**
 * A descriptor as the planners call it: with any profile, because TypeScript cannot follow a
 * lookup by name to one profile type. `indexByName` is what keeps each call on its own profile.
 */
export type RegisteredDescriptor = ClosedProfileDescriptor<ExecutionProfile> | OpenProfileDescriptor<ExecutionProfile>;

const BY_NAME = indexByName(PROFILES);

/**
 * Refuses at load what would otherwise surface at the first request (zod builds a union's
 * lookup lazily): a descriptor without a name, a name or alias listed twice, a schema that
 * does not accept exactly its declared names.
 */
function indexByName(descriptors: readonly RegisteredDescriptor[]): ReadonlyMap<string, RegisteredDescriptor> {
  const byName = new Map<string, RegisteredDescriptor>();
  const claimed = new Set<string>();
  descriptors.forEach((descriptor, index) => {
    if (!descriptor.name) throw new Error(`execution profile #${index} of the registry has no name`);
    const spellings = [descriptor.name, ...descriptor.aliases];
    for (const spelling of spellings) {
      if (claimed.has(spelling)) throw new Error(`execution profile ${spelling} is registered twice`);
      claimed.add(spelling);
    }
    assertSchemaAccepts(descriptor, spellings);
    byName.set(descriptor.name, descriptor);
  });
  return byName;
}

/**
 * The union dispatches on the values a member's `profile` field accepts (zod's `propValues`,
 * what `z.discriminatedUnion` itself reads): they must be the descriptor's name and aliases.
 */
function assertSchemaAccepts(descriptor: RegisteredDescriptor, spellings: readonly string[]): void {
  const accepted = [...(descriptor.schema._zod.propValues?.profile ?? [])];
  if (accepted.length !== spellings.length || !spellings.every((spelling) => accepted.includes(spelling))) {
    throw new Error(`execution profile ${descriptor.name} declares ${spellings.join(', ')} but its schema accepts ${accepted.join(', ') || 'none'}`);
  }
}

/** The descriptor of a parsed profile, by its canonical name. */
export function descriptorOf(profile: ExecutionProfile): RegisteredDescriptor {
  const descriptor = BY_NAME.get(profile.profile);
  if (descriptor) return descriptor;
  throw new TypeError(`unknown execution profile ${JSON.stringify(profile.profile)}: parse it with executionProfileSchema`);
}

/** A profile of the other model is a caller's bug (only a cast makes one): name the planner it needs. */
export function closedDescriptorOf(profile: ClosedProfile): ClosedProfileDescriptor<ExecutionProfile> {
  const descriptor = descriptorOf(profile);
  if (descriptor.model === 'closed') return descriptor;
  throw new TypeError(`${profile.profile} is an open-model profile: it has a rate (planRate), not starting lines`);
}

export function openDescriptorOf(profile: OpenProfile): OpenProfileDescriptor<ExecutionProfile> {
  const descriptor = descriptorOf(profile);
  if (descriptor.model === 'open') return descriptor;
  throw new TypeError(`${profile.profile} is a closed-model profile: it has starting lines (planLines), not a rate`);
}
