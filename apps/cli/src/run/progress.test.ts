import { bar, formatCount, formatMs, formatSeconds, plainLine, plannedDurationMs, progressFraction, ttyLine } from './progress';
import type { LiveMetrics } from './live-event';

const m: LiveMetrics = { offset: 4, elapsedSeconds: 5, totalRequests: 12_345, totalErrors: 0, errorRate: 0, currentRps: 250.4, activeMinions: 40, latencyP95Ms: 12.34, droppedIterations: 0 };

describe('the planned duration behind the progress bar', () => {
  const stage = { profile: 'STAGE' as const, stages: [{ minionsCount: 10, rampUpDurationMs: 1000, totalDurationMs: 4000, resolutionMs: 500 }], completion: 'GRACEFUL' as const };
  const rate = { profile: 'CONSTANT_RATE' as const, rate: 10, durationMs: 10_000, maxInFlight: 1000 };
  const once = { profile: 'IMMEDIATELY' as const };

  it('is the longest scenario, divided by the speed factor, cut by the timeout', () => {
    expect(plannedDurationMs({ speedFactor: 1, timeoutMs: null, scenarios: [{ executionProfile: stage }, { executionProfile: rate }] })).toBe(10_000);
    expect(plannedDurationMs({ speedFactor: 2, timeoutMs: null, scenarios: [{ executionProfile: rate }] })).toBe(5000);
    expect(plannedDurationMs({ speedFactor: 1, timeoutMs: 3000, scenarios: [{ executionProfile: rate }] })).toBe(3000);
  });

  it('is unknown for a profile without an end, unless a timeout bounds it', () => {
    expect(plannedDurationMs({ speedFactor: 1, timeoutMs: null, scenarios: [{ executionProfile: once }, { executionProfile: rate }] })).toBeNull();
    expect(plannedDurationMs({ speedFactor: 1, timeoutMs: 60_000, scenarios: [{ executionProfile: once }] })).toBe(60_000);
  });
});

describe('progress lines', () => {
  it('bounds the fraction and draws the bar', () => {
    expect(progressFraction(5, 10_000)).toBe(0.5);
    expect(progressFraction(30, 10_000)).toBe(1);
    expect(progressFraction(5, null)).toBeNull();
    expect(bar(0.5, 10)).toBe('█████░░░░░');
    expect(bar(null, 4)).toBe('····');
  });

  it('formats numbers the same way everywhere', () => {
    expect(formatCount(1_234_567.4)).toBe('1,234,567');
    expect(formatMs(12.345)).toBe('12.3 ms');
    expect(formatMs(250.4)).toBe('250 ms');
    expect(formatMs(1500)).toBe('1.50 s');
    expect(formatSeconds(125)).toBe('2m05s');
  });

  it('shows the live numbers, errors and drops only when there are some', () => {
    expect(plainLine(m, 10_000)).toBe('    5s  50%  minions 40  requests 12,345  250 req/s  p95 12.3 ms');
    const bad = plainLine({ ...m, totalErrors: 123, errorRate: 0.00996, droppedIterations: 7 }, null);
    expect(bad).toBe('    5s   ?%  minions 40  requests 12,345 (123 failed, 1.00%)  250 req/s  p95 12.3 ms  dropped 7');
    expect(ttyLine(m, 'running', 10_000)).toMatch(/^█{12}░{12}  50%  5s\/10s  running {3}  minions 40/);
    expect(ttyLine(null, 'queued', 10_000)).toMatch(/^░{24}   0%  0s\/10s  queued/);
    expect(ttyLine(null, 'queued', null)).toMatch(/^·{24}   \?%  0s  queued/);
  });
});
