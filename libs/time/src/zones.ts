import { FixedOffsetZone, IANAZone } from 'luxon';

/**
 * Common abbreviations, each mapped to one IANA zone that follows the same rules, so that a
 * schedule in `EDT` keeps its local time across the switch to EST (QALIPSIS maps EDT/EST to
 * America/Toronto the same way). Both halves of a pair name the same zone: `CET` in July is
 * Berlin's summer time, never a fixed +01:00. Ambiguous ones are settled here once: `IST` is
 * India, `CST` is North America's Central time, `BST` is British summer time.
 * docs/schedules.md lists this table.
 */
export const ZONE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  UTC: 'UTC',
  GMT: 'UTC',
  Z: 'UTC',
  // North America
  EST: 'America/Toronto',
  EDT: 'America/Toronto',
  CST: 'America/Chicago',
  CDT: 'America/Chicago',
  MST: 'America/Denver',
  MDT: 'America/Denver',
  PST: 'America/Los_Angeles',
  PDT: 'America/Los_Angeles',
  AKST: 'America/Anchorage',
  AKDT: 'America/Anchorage',
  HST: 'Pacific/Honolulu',
  AST: 'America/Halifax',
  ADT: 'America/Halifax',
  NST: 'America/St_Johns',
  NDT: 'America/St_Johns',
  // South America
  BRT: 'America/Sao_Paulo',
  ART: 'America/Argentina/Buenos_Aires',
  // Europe
  WET: 'Europe/Lisbon',
  WEST: 'Europe/Lisbon',
  BST: 'Europe/London',
  CET: 'Europe/Berlin',
  CEST: 'Europe/Berlin',
  EET: 'Europe/Athens',
  EEST: 'Europe/Athens',
  MSK: 'Europe/Moscow',
  // Africa
  WAT: 'Africa/Lagos',
  CAT: 'Africa/Maputo',
  EAT: 'Africa/Nairobi',
  SAST: 'Africa/Johannesburg',
  // Asia
  GST: 'Asia/Dubai',
  PKT: 'Asia/Karachi',
  IST: 'Asia/Kolkata',
  NPT: 'Asia/Kathmandu',
  ICT: 'Asia/Bangkok',
  WIB: 'Asia/Jakarta',
  SGT: 'Asia/Singapore',
  HKT: 'Asia/Hong_Kong',
  PHT: 'Asia/Manila',
  JST: 'Asia/Tokyo',
  KST: 'Asia/Seoul',
  // Oceania
  AWST: 'Australia/Perth',
  ACST: 'Australia/Adelaide',
  ACDT: 'Australia/Adelaide',
  AEST: 'Australia/Sydney',
  AEDT: 'Australia/Sydney',
  NZST: 'Pacific/Auckland',
  NZDT: 'Pacific/Auckland',
};

const OFFSET = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** `+05:30`, `UTC-3`, `GMT+0100` → `UTC+05:30` (luxon's name for a fixed offset), or null. */
export function offsetZoneName(text: string): string | null {
  const m = OFFSET.exec(text);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? 0);
  if (hours > 14 || minutes > 59 || (hours === 14 && minutes > 0)) return null;
  const total = hours * 60 + minutes;
  if (total === 0) return 'UTC';
  return `UTC${m[1]}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/**
 * A time zone as a user writes it (an IANA id, a UTC offset, or an abbreviation of the
 * table above) → the zone name luxon resolves, or null when it is none of them.
 */
export function resolveTimeZone(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed || trimmed.length > 64) return null;
  const abbreviation = ZONE_ABBREVIATIONS[trimmed.toUpperCase()];
  if (abbreviation) return abbreviation;
  const offset = offsetZoneName(trimmed);
  if (offset) return offset;
  // A bare number such as "5" is not a zone, even where Intl would take it.
  if (!/^[A-Za-z]/.test(trimmed) || !IANAZone.isValidZone(trimmed)) return null;
  return trimmed;
}

/** The luxon zone for a name returned by resolveTimeZone. */
export function zoneOf(name: string): IANAZone | FixedOffsetZone {
  if (name === 'UTC') return FixedOffsetZone.utcInstance;
  if (name.startsWith('UTC')) {
    const z = FixedOffsetZone.parseSpecifier(name);
    if (z) return z;
  }
  return IANAZone.create(name);
}

/** The zone's offset from UTC in minutes at an instant. */
export function offsetAt(zone: string, epochMs: number): number {
  return zoneOf(zone).offset(epochMs);
}
