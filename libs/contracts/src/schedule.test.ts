import { createScheduleSchema, mergeSchedulePatch, oneOffInPastProblem, scheduleBody, scheduleRuleOf } from './schedule.js';

const campaign = { name: 'nightly', scenarios: { 'http-ok': { minionsCount: 2 } } };

describe('createScheduleSchema', () => {
  it('keeps the campaign template apart and applies its defaults', () => {
    const s = createScheduleSchema.parse({ ...campaign, timeout: 'PT10M', scheduledAt: '2025-12-01T05:00:00Z', scheduling: { scheduling: 'DAILY', timeZone: 'EDT', restrictions: [1, 4] } });
    expect(s.scheduling).toEqual({ scheduling: 'DAILY', timeZone: 'EDT', restrictions: [1, 4] });
    expect(s.campaign).toMatchObject({ name: 'nightly', speedFactor: 1, timeoutMs: 600_000 });
    expect(scheduleRuleOf(s)).toEqual({ startMs: Date.UTC(2025, 11, 1, 5), zone: 'America/Toronto', recurrence: { kind: 'DAILY', restrictions: [1, 4] } });
  });

  it('names every problem at once: campaign fields, scheduledAt, zone and each restriction', () => {
    const r = createScheduleSchema.safeParse({
      name: '',
      speedFactor: 0,
      scenarios: { 'http-ok': {} },
      scheduledAt: '2025-12-01T05:00:00',
      scheduling: { scheduling: 'MONTHLY', timeZone: 'Mars/Olympus', restrictions: [0, 15, 32, -32] },
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['name', 'scheduledAt', 'scheduling.restrictions.0', 'scheduling.restrictions.2', 'scheduling.restrictions.3', 'scheduling.timeZone', 'speedFactor']);
  });

  it('refuses an unknown kind and unknown fields', () => {
    const r = createScheduleSchema.safeParse({ ...campaign, scheduledAt: '2025-12-01T05:00:00Z', scheduling: { scheduling: 'WEEKLY', restrictions: [1] }, cron: '* * * * *' });
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['', 'scheduling.scheduling']);
  });

  it('leaves room in the name for the fired suffix', () => {
    expect(createScheduleSchema.safeParse({ ...campaign, name: 'x'.repeat(181), scheduledAt: '2025-12-01T05:00:00Z' }).success).toBe(true);
    expect(createScheduleSchema.safeParse({ ...campaign, name: 'x'.repeat(182), scheduledAt: '2025-12-01T05:00:00Z' }).success).toBe(false);
  });
});

describe('one-off in the past', () => {
  const now = Date.UTC(2026, 0, 1);
  it('is a problem only without scheduling', () => {
    expect(oneOffInPastProblem({ scheduledAt: '2025-12-01T05:00:00Z' }, now)?.path).toBe('scheduledAt');
    expect(oneOffInPastProblem({ scheduledAt: '2025-12-01T05:00:00Z', scheduling: { scheduling: 'DAILY' } }, now)).toBeNull();
    expect(oneOffInPastProblem({ scheduledAt: '2026-12-01T05:00:00Z' }, now)).toBeNull();
  });
});

describe('mergeSchedulePatch', () => {
  it('replaces given fields, keeps the rest, and lets timeout replace timeoutMs', () => {
    const stored = scheduleBody(createScheduleSchema.parse({ ...campaign, timeoutMs: 5000, scheduledAt: '2025-12-01T05:00:00Z' }));
    const merged = createScheduleSchema.parse(mergeSchedulePatch(stored, { enabled: false, timeout: 'PT1M', scheduling: { scheduling: 'HOURLY' } }));
    expect(merged.campaign.timeoutMs).toBe(60_000);
    expect(merged.scheduling).toEqual({ scheduling: 'HOURLY', restrictions: [] });
    expect(merged.campaign.name).toBe('nightly');
  });
});
