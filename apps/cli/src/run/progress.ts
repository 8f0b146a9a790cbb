/**
 * How a running campaign is shown (pure: the terminal code in display.ts only prints what
 * these return). On a terminal one line is redrawn with a bar; elsewhere (CI logs) one
 * plain line per update, each complete on its own.
 */
import { planEndMs, type ExecutionProfile } from '@barrage/planning';
import type { LiveMetrics } from './live-event.js';

/**
 * The planned length of a campaign's load in ms, or null when nothing bounds it (a profile
 * that runs each minion once has no planned end): the longest scenario, cut by the timeout.
 */
export function plannedDurationMs(c: { speedFactor: number; timeoutMs: number | null; scenarios: { executionProfile: ExecutionProfile }[] }): number | null {
  const ends = c.scenarios.map((s) => planEndMs(s.executionProfile, c.speedFactor));
  const planned = ends.some((e) => e === null) ? null : Math.max(0, ...(ends as number[]));
  if (c.timeoutMs === null) return planned;
  return planned === null ? c.timeoutMs : Math.min(planned, c.timeoutMs);
}

/** The share of the planned duration elapsed, 0 to 1; null when the duration is unknown. */
export function progressFraction(elapsedSeconds: number, plannedMs: number | null): number | null {
  if (plannedMs === null) return null;
  if (plannedMs <= 0) return 1;
  return Math.min(1, Math.max(0, (elapsedSeconds * 1000) / plannedMs));
}

/** 1234567 → "1,234,567"; fixed locale so CI logs read the same everywhere. */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)} ms`;
}

export function formatSeconds(s: number): string {
  const total = Math.max(0, Math.round(s));
  const m = Math.floor(total / 60);
  return m > 0 ? `${m}m${String(total % 60).padStart(2, '0')}s` : `${total}s`;
}

/** The live numbers after the bar: the same on a terminal and in plain lines. */
export function liveNumbers(m: LiveMetrics): string {
  const errors = m.totalErrors > 0 ? ` (${formatCount(m.totalErrors)} failed, ${(m.errorRate * 100).toFixed(2)}%)` : '';
  const dropped = m.droppedIterations > 0 ? `  dropped ${formatCount(m.droppedIterations)}` : '';
  return `minions ${formatCount(m.activeMinions)}  requests ${formatCount(m.totalRequests)}${errors}  ${formatCount(m.currentRps)} req/s  p95 ${formatMs(m.latencyP95Ms)}${dropped}`;
}

/** A progress bar of `width` cells, or a row of dots when the duration is unknown. */
export function bar(fraction: number | null, width = 24): string {
  if (fraction === null) return '·'.repeat(width);
  const full = Math.round(fraction * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

export function percent(fraction: number | null): string {
  return fraction === null ? '  ?%' : `${Math.floor(fraction * 100)}%`.padStart(4);
}

/** The terminal line: `[bar] 42%  12s/30s  running  minions …`. */
export function ttyLine(m: LiveMetrics | null, status: string, plannedMs: number | null): string {
  const elapsed = m?.elapsedSeconds ?? 0;
  const f = progressFraction(elapsed, plannedMs);
  const time = plannedMs === null ? formatSeconds(elapsed) : `${formatSeconds(elapsed)}/${formatSeconds(plannedMs / 1000)}`;
  return `${bar(f)} ${percent(f)}  ${time}  ${status.padEnd(10)}${m ? `  ${liveNumbers(m)}` : ''}`;
}

/** A plain line for a log: `  12s  42%  minions …`. */
export function plainLine(m: LiveMetrics, plannedMs: number | null): string {
  return `${formatSeconds(m.elapsedSeconds).padStart(6)} ${percent(progressFraction(m.elapsedSeconds, plannedMs))}  ${liveNumbers(m)}`;
}
