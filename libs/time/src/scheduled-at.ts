import { instantOf } from './local-time.js';
import { offsetZoneName, resolveTimeZone } from './zones.js';

/** `scheduledAt` read: its instant, and the zone it was written in. */
export interface ScheduledAt {
  epochMs: number;
  /** The bracketed zone, else the offset's fixed zone (`UTC+01:00`), else `UTC` for `Z`. */
  zone: string;
}

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?(?:\[([^\]]{1,64})\])?$/i;
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Parses `scheduledAt` as java.time's ISO forms write it: `2025-12-01T05:00:00Z`, an offset
 * (`+01:00`), a zone id in brackets (`2025-12-01T05:00:00[Europe/Vienna]`, resolved in that
 * zone with the daylight-saving rules of instantOf) or both (the offset fixes the instant).
 * Returns the reason as a string when the text is none of them.
 */
export function parseScheduledAt(text: string): ScheduledAt | string {
  const m = PATTERN.exec(text.trim());
  if (!m) return 'must be an ISO-8601 date-time ending with Z, an offset (+01:00) or a zone id in brackets ([Europe/Vienna])';
  const [, y, mo, d, h, mi, s, frac, offset, bracket] = m;
  const local = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s ?? 0),
    millisecond: frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0,
  };
  if (local.month < 1 || local.month > 12 || local.day < 1 || local.day > new Date(Date.UTC(local.year, local.month, 0)).getUTCDate() || local.hour > 23 || local.minute > 59 || local.second > 59) {
    return 'is not a valid calendar date and time';
  }
  const bracketZone = bracket === undefined ? null : resolveTimeZone(bracket);
  if (bracket !== undefined && !bracketZone) return `names an unknown time zone "${bracket}"`;
  if (!offset && !bracketZone) return 'must end with Z, an offset (+01:00) or a zone id in brackets ([Europe/Vienna])';
  let epochMs: number;
  let zone: string;
  if (offset) {
    const offsetZone = offset.toUpperCase() === 'Z' ? 'UTC' : offsetZoneName(offset);
    if (!offsetZone) return `has an impossible offset "${offset}"`;
    epochMs = instantOf(local, offsetZone);
    zone = bracketZone ?? offsetZone;
  } else {
    zone = bracketZone!;
    epochMs = instantOf(local, zone);
  }
  if (epochMs < 0 || epochMs > MAX_MS) return 'must be between 1970 and 9999';
  return { epochMs, zone };
}
