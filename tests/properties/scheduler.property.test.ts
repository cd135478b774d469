// The scheduler, for any visit time, county policy and clock: a send time is never in quiet hours,
// never on a skipped public holiday, never before the visit ended or before now, and is stable —
// across the spring-forward and fall-back changes of Europe/Helsinki included.
import { finnishHolidays, isAllowedTime, nextAllowedTime, sendTimeFor } from '@kaiku/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const TZ = 'Europe/Helsinki';
const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const policy = fc.record({
  timezone: fc.constant(TZ),
  quietHours: fc.option(fc.record({ from: hhmm, to: hhmm }), { nil: null }),
  skipPublicHolidays: fc.boolean(),
  sendAfter: fc.oneof(
    hhmm.map((t) => `next-day-${t}`),
    fc.constantFrom('PT0S', 'PT2H', 'PT30M', 'P1D', 'PT23H59M', 'P2DT3H'),
  ),
});
/** Instants spread over 2025–2031, with extra weight on the hours around the clock changes. */
const clockChange = fc
  .tuple(fc.integer({ min: 2025, max: 2031 }), fc.constantFrom(3, 10), fc.integer({ min: -36 * 60, max: 36 * 60 }))
  .map(([year, month, minutes]) => {
    // The last Sunday of March / October, 01:00 UTC, is the moment of the change in the EU.
    const last = new Date(Date.UTC(year, month, 0));
    const sunday = last.getUTCDate() - last.getUTCDay();
    return new Date(Date.UTC(year, month - 1, sunday, 1, 0) + minutes * 60_000);
  });
const instant = fc.oneof(
  clockChange,
  fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2031-12-31T00:00:00Z'), noInvalidDate: true }),
);

function local(at: Date) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .formatToParts(at)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  return { day: `${parts.year}-${parts.month}-${parts.day}`, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}
const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
function quiet(minute: number, q: { from: string; to: string } | null) {
  if (!q || q.from === q.to) return false;
  const [from, to] = [minutes(q.from), minutes(q.to)];
  return from < to ? minute >= from && minute < to : minute >= from || minute < to;
}

describe('scheduler properties', () => {
  it('never sends in quiet hours, on a skipped holiday, before the visit ended or before now', () => {
    fc.assert(
      fc.property(policy, instant, fc.integer({ min: 0, max: 48 * 60 }), (p, endedAt, lateMinutes) => {
        const now = new Date(endedAt.getTime() + lateMinutes * 60_000);
        const at = sendTimeFor(endedAt, now, p);
        const { day, minute } = local(at);
        expect(
          quiet(minute, p.quietHours),
          `${at.toISOString()} (${day} ${minute} min) in quiet hours ${JSON.stringify(p.quietHours)}`,
        ).toBe(false);
        if (p.skipPublicHolidays) expect(finnishHolidays(Number(day.slice(0, 4))).has(day), `${day} is a holiday`).toBe(false);
        expect(at.getTime()).toBeGreaterThanOrEqual(now.getTime());
        expect(isAllowedTime(at, p)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('the next allowed time is allowed, not before the start, and stable (asking again changes nothing)', () => {
    fc.assert(
      fc.property(policy, instant, (p, at) => {
        const start = new Date(Math.ceil(at.getTime() / 60_000) * 60_000);
        const next = nextAllowedTime(start, p);
        expect(next.getTime()).toBeGreaterThanOrEqual(start.getTime());
        expect(quiet(local(next).minute, p.quietHours)).toBe(false);
        expect(nextAllowedTime(next, p).getTime()).toBe(next.getTime());
        // With no quiet hours and no holiday skipping, every minute is allowed.
        if (!p.quietHours && !p.skipPublicHolidays) expect(next.getTime()).toBe(start.getTime());
      }),
      { numRuns: 2000 },
    );
  });

  it('next-day-HH:MM is that wall-clock time the next day, unless quiet hours or a holiday move it later', () => {
    fc.assert(
      fc.property(hhmm, instant, (t, endedAt) => {
        const p = { timezone: TZ, quietHours: null, skipPublicHolidays: false, sendAfter: `next-day-${t}` };
        const at = sendTimeFor(endedAt, endedAt, p);
        const { minute } = local(at);
        const wanted = minutes(t);
        // 03:00–03:59 does not exist on the spring-forward night: the time moves forward by the gap.
        if (minute !== wanted) expect(minute - wanted).toBe(60);
        expect(at.getTime() - endedAt.getTime()).toBeGreaterThan(0);
        expect(at.getTime() - endedAt.getTime()).toBeLessThanOrEqual(49 * 3600_000);
      }),
      { numRuns: 2000 },
    );
  });
});
