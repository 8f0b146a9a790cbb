import type { ClosedProfile, ExecutionProfile } from './profiles/index.js';
import { closedDescriptorOf, descriptorOf } from './profiles/registry.js';
import { assertSpeedFactor } from './speed-factor.js';
import { assertMinionsCount, type StartingLine } from './starting-line.js';

/**
 * The starting lines of a closed-model profile, `atMs` absolute from the campaign's start
 * and divided by `speedFactor` (docs/api.md#execution-profiles: Barrage compresses time rather than multiplying
 * QALIPSIS's accelerator or multiplier). `minionsCount` is the scenario's; STAGE ignores it.
 */
export function planLines(profile: ClosedProfile, minionsCount: number, speedFactor: number): StartingLine[] {
  assertMinionsCount(minionsCount);
  assertSpeedFactor(speedFactor);
  const lines = closedDescriptorOf(profile).lines(profile, minionsCount);
  if (speedFactor === 1) return lines;
  return lines.map((line) => ({ atMs: line.atMs / speedFactor, count: line.count }));
}

/**
 * The planned end of the load, in ms from the start (divided by speedFactor): the end of
 * the last stage, or of the rate schedule. `null` for the other closed profiles: they run
 * each minion once, or until the campaign's timeout when the scenario loops.
 */
export function planEndMs(profile: ExecutionProfile, speedFactor: number): number | null {
  assertSpeedFactor(speedFactor);
  const endMs = descriptorOf(profile).endMs(profile);
  return endMs === null ? null : endMs / speedFactor;
}

/**
 * Whether a started minion starts a new iteration after finishing one, until the plan's
 * end (or the campaign's timeout): always in the stage profiles, in the other closed
 * profiles only when the scenario loops. Open-model iterations are arrivals, never replays.
 */
export function replaysUntilEnd(profile: ExecutionProfile, scenarioLoop: boolean): boolean {
  const descriptor = descriptorOf(profile);
  return descriptor.model === 'closed' && descriptor.replays(scenarioLoop);
}
