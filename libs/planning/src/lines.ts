import { acceleratingLines } from './profiles/accelerating.js';
import { immediatelyLines } from './profiles/immediately.js';
import type { ClosedProfile, ExecutionProfile } from './profiles/index.js';
import { percentageStageLines } from './profiles/percentage-stage.js';
import { progressingVolumeLines } from './profiles/progressing-volume.js';
import { regularLines } from './profiles/regular.js';
import { stageLines, stagesEndMs } from './profiles/stage.js';
import { timeFrameLines } from './profiles/time-frame.js';
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
  const lines = linesInProfileTime(profile, minionsCount);
  if (speedFactor === 1) return lines;
  return lines.map((line) => ({ atMs: line.atMs / speedFactor, count: line.count }));
}

function linesInProfileTime(profile: ClosedProfile, minionsCount: number): StartingLine[] {
  switch (profile.profile) {
    case 'IMMEDIATELY':
      return immediatelyLines(minionsCount);
    case 'REGULAR':
      return regularLines(profile, minionsCount);
    case 'ACCELERATING':
      return acceleratingLines(profile, minionsCount);
    case 'PROGRESSING_VOLUME':
      return progressingVolumeLines(profile, minionsCount);
    case 'TIME_FRAME':
      return timeFrameLines(profile, minionsCount);
    case 'STAGE':
      return stageLines(profile);
    case 'PERCENTAGE_STAGE':
      return percentageStageLines(profile, minionsCount);
  }
}

/**
 * The planned end of the load, in ms from the start (divided by speedFactor): the end of
 * the last stage, or of the rate schedule. `null` for the other closed profiles: they run
 * each minion once, or until the campaign's timeout when the scenario loops.
 */
export function planEndMs(profile: ExecutionProfile, speedFactor: number): number | null {
  assertSpeedFactor(speedFactor);
  const endMs = endInProfileTime(profile);
  return endMs === null ? null : endMs / speedFactor;
}

function endInProfileTime(profile: ExecutionProfile): number | null {
  switch (profile.profile) {
    case 'STAGE':
    case 'PERCENTAGE_STAGE':
      return stagesEndMs(profile.stages);
    case 'CONSTANT_RATE':
      return profile.durationMs;
    case 'RAMPING_RATE':
      return profile.stages.reduce((sum, stage) => sum + stage.durationMs, 0);
    default:
      return null;
  }
}

/**
 * Whether a started minion starts a new iteration after finishing one, until the plan's
 * end (or the campaign's timeout): always in the stage profiles, in the other closed
 * profiles only when the scenario loops. Open-model iterations are arrivals, never replays.
 */
export function replaysUntilEnd(profile: ExecutionProfile, scenarioLoop: boolean): boolean {
  switch (profile.profile) {
    case 'STAGE':
    case 'PERCENTAGE_STAGE':
      return true;
    case 'CONSTANT_RATE':
    case 'RAMPING_RATE':
      return false;
    default:
      return scenarioLoop;
  }
}
