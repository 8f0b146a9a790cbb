import {
  DEFAULT_PROFILE,
  chunkShares,
  isOpenProfile,
  planEndMs,
  planLines,
  planRate,
  PlanTooLargeError,
  replaysUntilEnd,
  totalArrivals,
  totalMinions,
  unitsOwned,
  type ExecutionProfile,
  type ShareLevel,
} from '@barrage/planning';
import { chunkIdOf, type ChunkJob, type CreateCampaign, type FactoryRecord, type Scenario } from '@barrage/contracts';
import { ApiError } from '../common/api-error.js';

export interface AllocationInput {
  campaignKey: string;
  campaign: CreateCampaign;
  scenarios: Map<string, { definition: Scenario; version: number }>;
  factories: FactoryRecord[];
  resolutionMs: number;
}

/**
 * Turns a validated campaign into its chunks: one per live factory of each zone it uses.
 * Zone shares come from the percentages (or, without zones, from the zones' capacities),
 * chunk shares inside a zone from the factories' capacities. Each chunk carries the whole
 * plan and its share; libs/planning guarantees the shares add up to the plan exactly.
 */
export function allocateChunks(input: AllocationInput): ChunkJob[] {
  const { campaign, factories } = input;
  const problems: { path: string; message: string }[] = [];
  const jobs: ChunkJob[] = [];
  for (const [name, cs] of Object.entries(campaign.scenarios)) {
    const zoneWeights = chooseZones(name, cs.zones, factories, problems);
    if (!zoneWeights) continue;
    const scenario = input.scenarios.get(name)!;
    const profile: ExecutionProfile = cs.executionProfile ?? DEFAULT_PROFILE;
    const open = isOpenProfile(profile);
    let lines: ReturnType<typeof planLines> | null = null;
    try {
      lines = open ? null : planLines(profile, cs.minionsCount, campaign.speedFactor);
    } catch (e) {
      if (!(e instanceof PlanTooLargeError)) throw e;
      problems.push({ path: `scenarios.${name}.executionProfile`, message: `scenario ${name}: ${e.message}` });
      continue;
    }
    const rate = open ? planRate(profile, campaign.speedFactor) : null;
    const endMs = planEndMs(profile, campaign.speedFactor);
    const replay = !open && replaysUntilEnd(profile, scenario.definition.loop);
    if (replay && endMs === null && campaign.timeoutMs === undefined) {
      problems.push({ path: 'timeoutMs', message: `scenario ${name} loops ("loop": true) with a ${profile.profile} profile, which has no end: set timeoutMs (or timeout) to bound the campaign` });
      continue;
    }
    const zoneNames = [...zoneWeights.keys()];
    const inZone = zoneNames.map((zone) => factories.filter((f) => f.zone === zone));
    const shares = chunkShares([...zoneWeights.values()], inZone.map((fs) => fs.map((f) => f.capacity)));
    const unitsInPlan = lines ? totalMinions(lines) : totalArrivals(rate!);
    for (const share of shares) {
      const [zoneLevel, chunkLevel] = share.levels as [ShareLevel, ShareLevel];
      const zone = zoneNames[zoneLevel.index]!;
      const chunkIndex = chunkLevel.index;
      // Units are minions (closed model) or arrivals (open model), numbered over the whole plan.
      const units = unitsOwned(share, 0, unitsInPlan);
      if (units === 0) continue; // a share too small to get any minion or arrival: no job for it
      const minions = lines ? units : 0;
      jobs.push({
        campaignKey: input.campaignKey,
        chunkId: chunkIdOf(input.campaignKey, name, zone, chunkIndex),
        scenarioName: name,
        zone,
        scenario: scenario.definition,
        scenarioVersion: scenario.version,
        variables: campaign.variables,
        profile,
        lines,
        rate,
        share,
        minions,
        resolutionMs: input.resolutionMs,
        endMs,
        timeoutMs: campaign.timeoutMs ?? null,
        hardTimeout: campaign.hardTimeout,
        completion: 'completion' in profile && profile.completion ? profile.completion : 'GRACEFUL',
        replay,
        maxInFlight: open && 'maxInFlight' in profile ? profile.maxInFlight : null,
      });
    }
  }
  if (problems.length) {
    throw new ApiError(400, 'VALIDATION_FAILED', problems.length === 1 ? problems[0]!.message : `${problems.length} scenarios cannot be placed`, problems);
  }
  return jobs;
}

/** Zones of one scenario with their weights, or null after recording why it cannot run. */
function chooseZones(
  scenario: string,
  zones: Record<string, number> | undefined,
  factories: FactoryRecord[],
  problems: { path: string; message: string }[],
): Map<string, number> | null {
  if (zones) {
    const missing = Object.keys(zones).filter((z) => !factories.some((f) => f.zone === z));
    for (const zone of missing) {
      problems.push({ path: `scenarios.${scenario}.zones.${zone}`, message: `zone "${zone}" of scenario ${scenario} has no live factory` });
    }
    return missing.length ? null : new Map(Object.entries(zones).sort(([a], [b]) => a.localeCompare(b)));
  }
  if (factories.length === 0) {
    problems.push({ path: `scenarios.${scenario}`, message: `no live factory can run scenario ${scenario}: start one with 'barrage factory --zone <zone>'` });
    return null;
  }
  const byZone = new Map<string, number>();
  for (const f of factories) byZone.set(f.zone, (byZone.get(f.zone) ?? 0) + f.capacity);
  return new Map([...byZone].sort(([a], [b]) => a.localeCompare(b)));
}
