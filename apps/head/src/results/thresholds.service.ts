import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { evaluateThreshold, parseThresholds, shouldAbort, type ThresholdDefinition } from '@barrage/metrics';
import type { CreateCampaign } from '@barrage/contracts';
import { ApiError } from '../common/api-error.js';
import { LOGGER } from '../common/tokens.js';
import type { CampaignDefinition } from '../campaigns/campaign.mapper.js';
import type { Campaign, Interval } from '../generated/prisma/client.js';
import { RowAccumulator } from './resource-numbers.js';
import { ResultsRepository } from './results.repository.js';
import { firstBucket, settledUntil } from './live-window.js';
import { WebhookEvents } from '../webhooks/webhook-events.service.js';

/** One threshold's outcome, as `resultDetails` and the report list them. */
export interface ThresholdOutcome {
  scenario: string | null;
  step: string | null;
  expression: string;
  observed: number | null;
  passed: boolean;
  abortOnFail: boolean;
}

/** What the live evaluation decided for a running campaign. */
export interface LiveVerdict {
  outcomes: ThresholdOutcome[];
  /** Set when an abortOnFail threshold is breached past its delay. */
  abort: string | null;
}

interface LiveState {
  /** Newest bucketStart already added (ms). */
  upTo: number;
  accumulators: RowAccumulator[];
}

const target = (t: ThresholdDefinition) => ({ scenario: t.scenario ?? '*', step: t.step ?? '*' });
const label = (t: ThresholdDefinition) => (t.scenario === null ? 'the campaign' : t.step === null ? t.scenario : `${t.scenario}.${t.step}`);

/**
 * Thresholds (k6 semantics): parsed at creation, evaluated live on every newly settled
 * interval over the merged data so far, and once more at the end over every interval.
 */
@Injectable()
export class ThresholdsService {
  /** Live accumulators per campaign; a head that restarts rebuilds them from Postgres. */
  private readonly live = new Map<string, LiveState>();

  constructor(
    private readonly repo: ResultsRepository,
    @Inject(LOGGER) private readonly log: Logger,
    @Optional() private readonly webhooks?: WebhookEvents,
  ) {}

  /** Parses a campaign's thresholds against its scenarios' steps: a 400 naming every bad one. */
  parse(payload: CreateCampaign, stepsByScenario: Record<string, string[]>): ThresholdDefinition[] {
    if (!payload.thresholds) return [];
    const { thresholds, errors } = parseThresholds(payload.thresholds, stepsByScenario);
    if (errors.length) throw new ApiError(400, 'VALIDATION_FAILED', errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
    return thresholds;
  }

  definitions(c: Campaign): ThresholdDefinition[] {
    return (c.definition as unknown as CampaignDefinition).thresholds ?? [];
  }

  /** The verdict over every interval of an ended campaign. */
  async final(c: Campaign, durationSeconds: number): Promise<ThresholdOutcome[]> {
    const defs = this.definitions(c);
    this.live.delete(c.key);
    if (!defs.length) return [];
    const rows = await this.repo.allRows(c.key);
    return defs.map((t) => {
      const { scenario, step } = target(t);
      const own = rows.filter((r) => r.scenario === scenario && r.step === step && r.zone === '*');
      return this.outcome(t, new RowAccumulator().addAll(own), durationSeconds);
    });
  }

  /**
   * Adds the intervals settled since the last call and evaluates every threshold over the
   * data so far. Null when nothing new settled (or the campaign has no thresholds).
   */
  async evaluateLive(c: Campaign, nowMs: number): Promise<LiveVerdict | null> {
    const defs = this.definitions(c);
    if (!defs.length || !c.startAt) return null;
    const limit = settledUntil(nowMs, c.resolutionMs);
    let state = this.live.get(c.key);
    if (!state) {
      state = { upTo: firstBucket(c.startAt.getTime(), c.resolutionMs) - 1, accumulators: defs.map(() => new RowAccumulator()) };
      this.live.set(c.key, state);
    }
    if (limit <= state.upTo) return null;
    const rows = await this.repo.zoneRollupsBetween(c.key, new Date(state.upTo), new Date(limit));
    if (!rows.length) return null;
    const newest = rows.reduce((m, r) => Math.max(m, r.bucketStart.getTime()), state.upTo);
    defs.forEach((t, i) => {
      const { scenario, step } = target(t);
      state.accumulators[i]!.addAll(rows.filter((r: Interval) => r.scenario === scenario && r.step === step));
    });
    state.upTo = newest;
    const elapsedMs = newest + c.resolutionMs - c.startAt.getTime();
    const outcomes = defs.map((t, i) => this.outcome(t, state.accumulators[i]!, elapsedMs / 1000));
    let abort: string | null = null;
    for (const [i, o] of outcomes.entries()) {
      if (o.passed) continue;
      const t = defs[i]!;
      const message = `Threshold "${t.expression}" of ${label(t)} breached: observed ${formatObserved(o.observed)}`;
      if (await this.repo.recordBreach(c.key, String(i), message, { ...o, at: new Date(nowMs).toISOString() })) {
        this.log.warn({ campaign: c.key, threshold: t.expression, observed: o.observed }, 'threshold breached');
        await this.webhooks?.thresholdBreached(c.key, { id: String(i), scenario: o.scenario, step: o.step, expression: o.expression, observed: o.observed, abortOnFail: o.abortOnFail });
      }
      if (abort === null && shouldAbort(t, false, elapsedMs)) abort = `threshold "${t.expression}" of ${label(t)} breached (observed ${formatObserved(o.observed)}) and it aborts on failure`;
    }
    return { outcomes, abort };
  }

  forget(key: string): void {
    this.live.delete(key);
  }

  private outcome(t: ThresholdDefinition, acc: RowAccumulator, durationSeconds: number): ThresholdOutcome {
    const r = evaluateThreshold(t, acc.observed(durationSeconds));
    return { scenario: t.scenario, step: t.step, expression: t.expression, observed: r.observed, passed: r.passed, abortOnFail: t.abortOnFail };
  }
}

function formatObserved(v: number | null): string {
  return v === null ? 'no data' : String(Math.round(v * 1000) / 1000);
}
