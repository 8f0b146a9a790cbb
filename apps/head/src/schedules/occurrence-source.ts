import { nextRuns, type ScheduleRule } from '@barrage/time';
import type { HeadConfig } from '@barrage/config';

/** Where the firing code gets occurrences from: the rule (libs/time), or a test source. */
export interface OccurrenceSource {
  /** The first `count` occurrences at or after fromMs, increasing. */
  nextRuns(rule: ScheduleRule, fromMs: number, count: number): number[];
  readonly testOnly: boolean;
}

export const OCCURRENCE_SOURCE = Symbol('OCCURRENCE_SOURCE');

/** The rule itself: what every real head uses. */
export const ruleOccurrences: OccurrenceSource = { nextRuns, testOnly: false };

/**
 * TEST ONLY (SCHEDULE_TEST_OCCURRENCE_EVERY_MS): a recurring schedule fires every `everyMs`
 * from its scheduledAt, whatever its rule, so an end-to-end test sees two firings in seconds
 * without pretending that an HOURLY rule is seconds apart. One-off schedules are unchanged.
 * The real rules are pinned by libs/time's unit tests.
 */
export function everyMsOccurrences(everyMs: number): OccurrenceSource {
  return {
    testOnly: true,
    nextRuns(rule, fromMs, count) {
      if (!rule.recurrence) return nextRuns(rule, fromMs, count);
      const first = Math.max(0, Math.ceil((fromMs - rule.startMs) / everyMs));
      return Array.from({ length: count }, (_, i) => rule.startMs + (first + i) * everyMs);
    },
  };
}

export function occurrenceSourceFor(config: HeadConfig): OccurrenceSource {
  return config.SCHEDULE_TEST_OCCURRENCE_EVERY_MS ? everyMsOccurrences(config.SCHEDULE_TEST_OCCURRENCE_EVERY_MS) : ruleOccurrences;
}
