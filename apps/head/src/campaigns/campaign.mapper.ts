import { DEFAULT_PROFILE } from '@barrage/planning';
import type { CampaignStatus, CampaignSummary, CreateCampaign } from '@barrage/contracts';
import type { ThresholdDefinition } from '@barrage/metrics';
import type { Campaign } from '../generated/prisma/client.js';

export interface CampaignDefinition {
  payload: CreateCampaign;
  scenarioVersions: Record<string, number>;
  /** The payload's thresholds, parsed and checked against the scenarios' steps at creation. */
  thresholds?: ThresholdDefinition[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toSummary(c: Campaign, minionsActive = 0): CampaignSummary {
  const def = c.definition as unknown as CampaignDefinition;
  return {
    key: c.key,
    name: c.name,
    note: c.note,
    status: c.status as CampaignStatus,
    result: (c.result as CampaignSummary['result']) ?? null,
    ...(c.resultDetails ? { resultDetails: c.resultDetails } : {}),
    statusHistory: c.statusHistory as CampaignSummary['statusHistory'],
    createdAt: c.createdAt.toISOString(),
    startedAt: iso(c.startedAt),
    endedAt: iso(c.endedAt),
    retentionExpiry: iso(c.retentionExpiry),
    saved: c.retentionExpiry === null,
    purgedAt: iso(c.purgedAt),
    speedFactor: c.speedFactor,
    startOffsetMs: c.startOffsetMs,
    hardTimeout: c.hardTimeout,
    timeoutMs: c.timeoutMs,
    scenarios: Object.entries(def.payload.scenarios).map(([name, s]) => ({
      name,
      minionsCount: s.minionsCount,
      zones: s.zones ?? null,
      executionProfile: s.executionProfile ?? DEFAULT_PROFILE,
    })),
    totals: {
      requests: Number(c.requests),
      failures: Number(c.failures),
      minionsStarted: Number(c.minionsStarted),
      minionsActive,
      droppedIterations: Number(c.droppedIterations),
    },
    failureReason: c.failureReason,
  };
}
