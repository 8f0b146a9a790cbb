import type { Report } from '@barrage/contracts';
import { summaryLines } from './summary';
import { createDisplay } from './display';
import type { LiveMetrics } from './live-event';

const latency = { count: 100, min: 1, mean: 10, p50: 9, p75: 11, p90: 15, p95: 20.5, p99: 40, p999: 50, max: 55, stdDev: 3 };
const report = {
  metadata: { key: 'k1', name: 'smoke', status: 'completed', result: 'failed', failureReason: null, createdAt: '', startedAt: '', endedAt: '', configuration: {} },
  summary: { requests: 1200, failures: 12, errorRate: 0.01, durationSeconds: 10, avgRps: 120, peakRps: 150, peakMinions: 20, minionsStarted: 20, iterations: 600, droppedIterations: 0, bytes: { in: 0, out: 0 }, checks: { evaluated: 0, failed: 0, passRate: 1 } },
  latency,
  serviceTime: latency,
  generator: { saturated: false, saturatedIntervals: 0, maxEventLoopLagMs: 0, maxSendLatenessMs: 0 },
  thresholds: [
    { scenario: 'shop', step: null, expression: 'p95 < 250', observed: 20.5, passed: true, abortOnFail: false },
    { scenario: null, step: null, expression: 'errorRate < 0.001', observed: 0.01, passed: false, abortOnFail: false },
  ],
} as unknown as Report;

it('ends with the verdict, the numbers and each threshold', () => {
  const lines = summaryLines(report);
  expect(lines[1]).toBe('FAILED  campaign k1 "smoke" completed');
  expect(lines).toContain('  requests    1,200 in 10.0 s, 120.0 req/s (peak 150.0), 12 failed (1.00%)');
  expect(lines).toContain('  latency     p50 9.0 ms  p90 15.0 ms  p95 20.5 ms  p99 40.0 ms  max 55.0 ms');
  expect(lines.slice(-2)).toEqual(['    ✓ shop: p95 < 250  observed 20.5', '    ✗ *: errorRate < 0.001  observed 0.01']);
});

describe('the display when the output is not a terminal', () => {
  const metrics = (elapsedSeconds: number): LiveMetrics => ({ offset: elapsedSeconds, elapsedSeconds, totalRequests: elapsedSeconds * 10, totalErrors: 0, errorRate: 0, currentRps: 10, activeMinions: 1, latencyP95Ms: 5, droppedIterations: 0 });
  const capture = () => {
    const written: string[] = [];
    return { written, stream: { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream };
  };

  it('writes statuses and breaches at once, and at most one metrics line per period, the last one on stop', () => {
    const { written, stream } = capture();
    const d = createDisplay({ stream, quiet: false, plannedMs: 10_000, plainEveryMs: 60_000 });
    d.status('running');
    d.metrics(metrics(1));
    d.metrics(metrics(2));
    d.threshold({ scenario: 's', step: null, expression: 'p95 < 1', observed: 5, message: '' });
    d.metrics(metrics(3));
    d.stop();
    expect(written).toEqual([
      'status running\n',
      '    1s  10%  minions 1  requests 10  10 req/s  p95 5.0 ms\n',
      'threshold breached: s: p95 < 1 (observed 5)\n',
      '    3s  30%  minions 1  requests 30  10 req/s  p95 5.0 ms\n',
    ]);
  });

  it('shows only notes and breaches with --quiet', () => {
    const { written, stream } = capture();
    const d = createDisplay({ stream, quiet: true, plannedMs: null });
    d.status('running');
    d.metrics(metrics(1));
    d.note('hello');
    d.stop();
    expect(written).toEqual(['hello\n']);
  });
});
