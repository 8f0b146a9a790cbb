import { z } from 'zod';

/**
 * Field builders shared by the profile schemas. Every message names its field, so a user
 * reading `periodInMs must be > 0` knows what to fix without decoding a zod path.
 */

/** The message for a missing or non-numeric field, named after the field. */
function numberError(field: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined ? `${field} is required` : `${field} must be a number`;
}

/**
 * Bounds that keep every plan computable and storable: a week of plan time, ten million
 * minions (the campaign's own bound), a million iterations per second. Larger values are
 * refused with the field named rather than overflowing a column or the planner.
 */
export const MAX_DURATION_MS = 7 * 24 * 3_600_000;
export const MAX_MINIONS = 10_000_000;
export const MAX_RATE = 1_000_000;
export const MIN_RATE = 0.001;

/** A duration in milliseconds: at least 1 ms (a shorter period or ramp is no plan), at most a week. */
export function durationMs(field: string) {
  return z
    .number({ error: numberError(field) })
    .gt(0, `${field} must be > 0`)
    .refine((v) => v <= 0 || v >= 1, `${field} must be at least 1 ms`)
    .max(MAX_DURATION_MS, `${field} must be <= ${MAX_DURATION_MS} (a week)`);
}

/**
 * A count of minions (or of iterations in flight): an integer >= `min`. The integer test is
 * a refinement rather than zod's `.int()`, whose issue aborts the enclosing object and
 * would hide the other fields' cross checks.
 */
export function count(field: string, min = 1, max = MAX_MINIONS) {
  return z
    .number({ error: numberError(field) })
    .refine((n) => Number.isSafeInteger(n), `${field} must be an integer`)
    .min(min, `${field} must be >= ${min}`)
    .max(max, `${field} must be <= ${max}`);
}

/** Iterations that may be outstanding at once before arrivals are dropped (and counted). */
export const DEFAULT_MAX_IN_FLIGHT = 1000;

/** The in-flight bound of the open-model profiles. */
export function maxInFlightField() {
  return count('maxInFlight').default(DEFAULT_MAX_IN_FLIGHT);
}

/** A rate in iterations per second, >= 0 or > 0. */
export function rate(field: string, strictlyPositive: boolean) {
  const base = z.number({ error: numberError(field) }).max(MAX_RATE, `${field} must be <= ${MAX_RATE} per second`);
  // A rate under one arrival in 1000 s is no plan (and 5e-324/s makes the schedule's maths degenerate).
  const bounded = strictlyPositive ? base.gt(0, `${field} must be > 0`) : base.min(0, `${field} must be >= 0`);
  return bounded.refine((v) => v <= 0 || v >= MIN_RATE, `${field} must be 0 or at least ${MIN_RATE} per second`);
}

/** A plain number with its own bound checks added by the caller (finite, at most 1e6). */
export function numberField(field: string) {
  return z.number({ error: numberError(field) }).max(1_000_000, `${field} must be <= 1000000`);
}

/**
 * Refinement params for a cross-field check. It runs even when other fields failed, so one
 * request reports every problem at once, but not when one of the fields it compares failed
 * its own check (one message per problem: no `min (0) must be <= start (-1)` after
 * `start must be > 0`). Patterns are dotted issue paths, `*` matching any array index:
 * `stages.*.minionsPercentage`. The checked value may then be partial, hence the readers below.
 */
export function unlessFailed(...patterns: string[]) {
  const parsed = patterns.map((pattern) => pattern.split('.'));
  return {
    when: (payload: { issues: readonly RawIssue[] }) =>
      !payload.issues.some(
        (issue) => !isCrossField(issue) && parsed.some((pattern) => pathMatches(issue.path ?? [], pattern)),
      ),
  };
}

interface RawIssue {
  path?: readonly PropertyKey[];
  params?: unknown;
}

function isCrossField(issue: RawIssue): boolean {
  return (issue.params as { crossField?: unknown } | undefined)?.crossField === true;
}

function pathMatches(path: readonly PropertyKey[], pattern: readonly string[]): boolean {
  return path.length === pattern.length && pattern.every((part, i) => part === '*' || part === String(path[i]));
}

/** A finite number read from a value that may not have passed validation. */
export function readNumber(value: unknown, key: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'number' && Number.isFinite(field) ? field : undefined;
}

/** An array read from a value that may not have passed validation. */
export function readArray(value: unknown, key: string): unknown[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return Array.isArray(field) ? field : undefined;
}

/** The minimal context a cross-field check needs: zod's refinement context fits it. */
export interface IssueSink {
  addIssue(issue: { code: 'custom'; message: string; path: PropertyKey[]; params: { crossField: true } }): void;
}

/**
 * Reports a cross-field problem. It is marked so that `unlessFailed` does not mistake it for
 * its field's own failure and skip the next check (rampUp < resolution must not hide
 * total < rampUp).
 */
export function reportCrossField(sink: IssueSink, message: string, path: PropertyKey[]): void {
  sink.addIssue({ code: 'custom', message, path, params: { crossField: true } });
}

/** Reports `field (a) must be >= other (b)` when both values are known and a < b. */
export function requireAtLeast(sink: IssueSink, value: unknown, field: string, other: string): void {
  const a = readNumber(value, field);
  const b = readNumber(value, other);
  if (a !== undefined && b !== undefined && a < b) {
    reportCrossField(sink, `${field} (${a}) must be >= ${other} (${b})`, [field]);
  }
}

/**
 * `periodInMs` is QALIPSIS's name and `periodMs` the alias Barrage accepts (docs/api.md#closed-model): exactly one
 * is needed, and when both are sent they must agree (otherwise which one did the user mean?).
 */
export function requirePeriodInMs(sink: IssueSink, value: unknown): void {
  const hasCanonical = hasKey(value, 'periodInMs');
  const hasAlias = hasKey(value, 'periodMs');
  if (!hasCanonical && !hasAlias) {
    reportCrossField(sink, 'periodInMs is required', ['periodInMs']);
    return;
  }
  const canonical = readNumber(value, 'periodInMs');
  const alias = readNumber(value, 'periodMs');
  if (canonical !== undefined && alias !== undefined && canonical !== alias) {
    reportCrossField(sink, `periodInMs (${canonical}) and its alias periodMs (${alias}) differ`, ['periodMs']);
  }
}

function hasKey(value: unknown, key: string): boolean {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[key] !== undefined;
}
