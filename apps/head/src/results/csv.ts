/** Interval rows flattened for spreadsheets (RFC 4180: CRLF lines, quoted where needed). */
import type { PublicInterval } from './report.service.js';

export const INTERVAL_COLUMNS = [
  'bucketStart', 'scenario', 'step', 'zone', 'count', 'failures', 'rps', 'mean', 'min', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max', 'stdDev',
  'bytesIn', 'bytesOut', 'checks', 'minionsActive', 'minionsStarted', 'targetArrivals', 'iterations', 'dropped', 'maxLagMs', 'maxLatenessMs', 'saturated',
  'statusCodes', 'failureKinds', 'failedChecks',
] as const;

/** A cell: quoted when it holds a comma, quote or line break; a formula-looking text is defused. */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'object' ? countsCell(v as Record<string, number>) : String(v);
  // A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection).
  if (typeof v === 'string' && /^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `{ "200": 5, "503": 1 }` as `200=5;503=1`. */
function countsCell(m: Record<string, number>): string {
  return Object.entries(m).map(([k, n]) => `${k}=${n}`).join(';');
}

export function intervalsCsv(rows: readonly PublicInterval[]): string {
  const lines = [INTERVAL_COLUMNS.join(',')];
  for (const r of rows) lines.push(INTERVAL_COLUMNS.map((c) => csvCell((r as Record<string, unknown>)[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}
