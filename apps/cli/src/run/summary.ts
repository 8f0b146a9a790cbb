/** The end of `barrage run` / `barrage watch`: the verdict, the numbers, each threshold (pure). */
import type { Report } from '@barrage/contracts';
import { thresholdCaseName } from './junit.js';
import { formatCount, formatMs } from './progress.js';

export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
}

export const noPaint: Paint = { bold: (s) => s, dim: (s) => s, green: (s) => s, red: (s) => s, yellow: (s) => s };

function verdict(report: Report, paint: Paint): string {
  const { result, status, failureReason } = report.metadata;
  const word = result === 'passed' ? paint.green('PASSED') : result === 'failed' ? paint.red('FAILED') : paint.yellow((result ?? status).toUpperCase());
  const reason = failureReason ? ` (${failureReason})` : '';
  return `${word}  campaign ${report.metadata.key} "${report.metadata.name}" ${status}${reason}`;
}

export function summaryLines(report: Report, paint: Paint = noPaint): string[] {
  const s = report.summary;
  const l = report.latency;
  const lines = [
    '',
    verdict(report, paint),
    `  requests    ${formatCount(s.requests)} in ${s.durationSeconds.toFixed(1)} s, ${s.avgRps.toFixed(1)} req/s (peak ${s.peakRps.toFixed(1)}), ${formatCount(s.failures)} failed (${(s.errorRate * 100).toFixed(2)}%)`,
    `  latency     p50 ${formatMs(l.p50)}  p90 ${formatMs(l.p90)}  p95 ${formatMs(l.p95)}  p99 ${formatMs(l.p99)}  max ${formatMs(l.max)}`,
    `  minions     ${formatCount(s.minionsStarted)} started, peak ${formatCount(s.peakMinions)} active, ${formatCount(s.iterations)} iterations${s.droppedIterations ? `, ${formatCount(s.droppedIterations)} dropped` : ''}`,
  ];
  if (s.checks.evaluated > 0) lines.push(`  checks      ${formatCount(s.checks.evaluated - s.checks.failed)}/${formatCount(s.checks.evaluated)} passed`);
  if (report.generator.saturated) lines.push(paint.yellow(`  generator   saturated in ${report.generator.saturatedIntervals} interval(s): the load may be lower than planned`));
  if (report.thresholds.length === 0) lines.push(paint.dim('  thresholds  none'));
  else {
    lines.push('  thresholds');
    for (const t of report.thresholds) {
      const mark = t.passed ? paint.green('✓') : paint.red('✗');
      const observed = t.observed === null ? 'nothing observed' : `observed ${+t.observed.toFixed(3)}`;
      lines.push(`    ${mark} ${thresholdCaseName(t)}  ${paint.dim(observed)}`);
    }
  }
  return lines;
}
