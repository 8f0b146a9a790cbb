import { everyMsOccurrences, occurrenceSourceFor, ruleOccurrences } from './occurrence-source';
import type { HeadConfig } from '@barrage/config';

const daily = { startMs: Date.UTC(2025, 11, 1, 5), zone: 'UTC', recurrence: { kind: 'DAILY' as const, restrictions: [] } };

describe('occurrence sources', () => {
  it('the rule is the default; the test source only when configured', () => {
    expect(occurrenceSourceFor({} as HeadConfig)).toBe(ruleOccurrences);
    expect(occurrenceSourceFor({ SCHEDULE_TEST_OCCURRENCE_EVERY_MS: 4000 } as HeadConfig).testOnly).toBe(true);
  });

  it('the test source steps from scheduledAt, at or after "from"', () => {
    const every = everyMsOccurrences(4000);
    expect(every.nextRuns(daily, daily.startMs - 10_000, 3)).toEqual([0, 4000, 8000].map((d) => daily.startMs + d));
    expect(every.nextRuns(daily, daily.startMs + 4001, 2)).toEqual([8000, 12_000].map((d) => daily.startMs + d));
  });

  it('leaves one-off schedules to their scheduledAt', () => {
    const once = { ...daily, recurrence: null };
    expect(everyMsOccurrences(4000).nextRuns(once, 0, 3)).toEqual([daily.startMs]);
    expect(ruleOccurrences.nextRuns(daily, daily.startMs, 2)).toEqual([daily.startMs, daily.startMs + 86_400_000]);
  });
});
