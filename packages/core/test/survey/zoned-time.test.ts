import { describe, expect, it } from 'vitest';
import { intlLocalParts, isCalendarDateTime, localDay, localParts, zonedInstant } from '../../src/survey/zoned-time.ts';

// Zones with whole-hour, half-hour and 45-minute offsets, a 30-minute DST shift (Lord Howe), DST
// in both hemispheres, and old local mean times with seconds in their offsets (Monrovia, Amsterdam).
const ZONES = [
  'Europe/Helsinki',
  'America/New_York',
  'Australia/Lord_Howe',
  'Australia/Adelaide',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'America/St_Johns',
  'Africa/Monrovia',
  'Europe/Amsterdam',
  'UTC',
];
const HOUR = 3_600_000;

/** A small seeded generator, so a failure can be repeated. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The instants around each offset change of a zone in a year, minute by minute. */
function aroundChanges(timeZone: string, year: number): number[] {
  const out: number[] = [];
  const offsetOf = (t: number) => {
    const p = intlLocalParts(new Date(t), timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - Math.floor(t / 60_000) * 60_000;
  };
  const start = Date.UTC(year, 0, 1);
  let previous = offsetOf(start);
  for (let t = start + HOUR; t < Date.UTC(year + 1, 0, 1); t += HOUR) {
    const now = offsetOf(t);
    if (now !== previous) for (let u = t - 2 * HOUR; u <= t + HOUR; u += 60_000) out.push(u, u + 59_999);
    previous = now;
  }
  return out;
}

describe('localParts (offsets remembered per hour)', () => {
  it('agrees with Intl at every minute around the clock changes of 2026 and 1937, and at random instants 1880–2100', () => {
    const next = random(20260326);
    for (const zone of ZONES) {
      const instants = [...aroundChanges(zone, 2026), ...aroundChanges(zone, 1937)];
      for (let i = 0; i < 1500; i++)
        instants.push(Date.UTC(1880, 0, 1) + Math.floor(next() * (Date.UTC(2100, 0, 1) - Date.UTC(1880, 0, 1))));
      // in a shuffled order, so that an hour is sometimes remembered before the instant is asked
      for (let i = instants.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [instants[i], instants[j]] = [instants[j] as number, instants[i] as number];
      }
      const wrong = instants.filter((t) => {
        const d = new Date(t);
        return JSON.stringify(localParts(d, zone)) !== JSON.stringify(intlLocalParts(d, zone));
      });
      expect({ zone, wrong: wrong.slice(0, 3).map((t) => new Date(t).toISOString()) }).toEqual({ zone, wrong: [] });
    }
  });

  it('finds the local day and the instants of local times across the changes', () => {
    expect(localDay(new Date('2026-03-28T21:59:59.999Z'), 'Europe/Helsinki')).toBe('2026-03-28');
    expect(localDay(new Date('2026-03-28T22:00:00Z'), 'Europe/Helsinki')).toBe('2026-03-29');
    expect(zonedInstant('Europe/Helsinki', 2026, 3, 29, 3, 30).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(zonedInstant('Europe/Helsinki', 2026, 10, 25, 3, 30).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(zonedInstant('Australia/Lord_Howe', 2026, 10, 4, 2, 15).toISOString()).toBe('2026-10-03T15:45:00.000Z');
    expect(zonedInstant('Asia/Kathmandu', 2026, 6, 1, 12, 0).toISOString()).toBe('2026-06-01T06:15:00.000Z');
  });
});

describe('isCalendarDateTime', () => {
  it('takes days a month has and times of a day, and nothing that would roll over', () => {
    expect(isCalendarDateTime(2024, 2, 29, 23, 59, 59)).toBe(true);
    expect(isCalendarDateTime(2026, 2, 29, 12, 0)).toBe(false);
    expect(isCalendarDateTime(2026, 4, 31, 12, 0)).toBe(false);
    expect(isCalendarDateTime(2026, 13, 1, 12, 0)).toBe(false);
    expect(isCalendarDateTime(2026, 1, 0, 12, 0)).toBe(false);
    expect(isCalendarDateTime(2026, 1, 1, 24, 0)).toBe(false);
    expect(isCalendarDateTime(2026, 1, 1, 12, 60)).toBe(false);
  });
});
