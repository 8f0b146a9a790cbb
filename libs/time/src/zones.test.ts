import { parseScheduledAt } from './scheduled-at.js';
import { localLabel } from './local-time.js';
import { ZONE_ABBREVIATIONS, resolveTimeZone } from './zones.js';

describe('resolveTimeZone', () => {
  it.each([
    ['Europe/Berlin', 'Europe/Berlin'],
    ['EDT', 'America/Toronto'],
    ['est', 'America/Toronto'],
    ['WAT', 'Africa/Lagos'],
    ['CET', 'Europe/Berlin'],
    ['CEST', 'Europe/Berlin'],
    ['UTC', 'UTC'],
    ['+01:00', 'UTC+01:00'],
    ['-03:30', 'UTC-03:30'],
    ['UTC+5:30', 'UTC+05:30'],
    ['GMT-8', 'UTC-08:00'],
    ['+00:00', 'UTC'],
  ])('%s → %s', (text, zone) => expect(resolveTimeZone(text)).toBe(zone));

  it.each(['Mars/Olympus', 'XYZ', '', '+15:00', '+01:75', '5', 'Europe/Berlin; drop'])('refuses %j', (text) => expect(resolveTimeZone(text)).toBeNull());

  it('maps every abbreviation of the table to a zone luxon knows', () => {
    for (const [abbr, zone] of Object.entries(ZONE_ABBREVIATIONS)) expect([abbr, resolveTimeZone(zone)]).toEqual([abbr, zone]);
  });
});

describe('parseScheduledAt', () => {
  it('reads Z, an offset and a bracketed zone', () => {
    expect(parseScheduledAt('2025-12-01T05:00:00Z')).toEqual({ epochMs: Date.UTC(2025, 11, 1, 5), zone: 'UTC' });
    expect(parseScheduledAt('2025-12-01T05:00:00+01:00')).toEqual({ epochMs: Date.UTC(2025, 11, 1, 4), zone: 'UTC+01:00' });
    expect(parseScheduledAt('2025-12-01T05:00:00[Europe/Vienna]')).toEqual({ epochMs: Date.UTC(2025, 11, 1, 4), zone: 'Europe/Vienna' });
    expect(parseScheduledAt('2025-07-01T05:00[Europe/Vienna]')).toEqual({ epochMs: Date.UTC(2025, 6, 1, 3), zone: 'Europe/Vienna' });
    expect(parseScheduledAt('2025-12-01T05:00:00.250+01:00[Europe/Vienna]')).toEqual({ epochMs: Date.UTC(2025, 11, 1, 4, 0, 0, 250), zone: 'Europe/Vienna' });
  });
  it('resolves a skipped local time forward by the gap', () => {
    expect(parseScheduledAt('2025-03-30T02:30:00[Europe/Berlin]')).toEqual({ epochMs: Date.UTC(2025, 2, 30, 1, 30), zone: 'Europe/Berlin' });
  });
  it.each(['2025-12-01T05:00:00', '2025-12-01', 'tomorrow', '2025-02-30T05:00:00Z', '2025-12-01T24:00:00Z', '2025-12-01T05:00:00[Mars/Olympus]', '2025-12-01T05:00:00+25:00'])(
    'refuses %j with a reason',
    (text) => expect(typeof parseScheduledAt(text)).toBe('string'),
  );
});

describe('localLabel', () => {
  it('names the local minute in the zone', () => {
    expect(localLabel(Date.UTC(2025, 11, 1, 5), 'America/Toronto')).toBe('2025-12-01 00:00');
    expect(localLabel(Date.UTC(2025, 11, 1, 5), 'UTC+05:30')).toBe('2025-12-01 10:30');
  });
});
