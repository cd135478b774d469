import { isFinnishHoliday } from './holidays.ts';
import { addDays, localParts, zonedInstant } from './zoned-time.ts';

export interface SendWindow {
  timezone: string;
  quietHours: { from: string; to: string } | null;
  skipPublicHolidays: boolean;
}
export interface SendPolicy extends SendWindow {
  /** `next-day-HH:MM` or an ISO 8601 duration such as PT2H. */
  sendAfter: string;
}

const NEXT_DAY = /^next-day-(\d{2}):(\d{2})$/;
// A `T` is followed by at least one part (`P1DT` is no duration).
const DURATION = /^P(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
/** The longest wait before a survey: a text a month after the visit asks about a visit no one recalls. */
export const MAX_SEND_AFTER_DAYS = 30;

/** `PnW` (weeks, ISO 8601's own form) as days: `P1W` → `P7D`; anything else as it is. */
export function weeksAsDays(value: string): string {
  const w = /^P(\d{1,3})W$/.exec(value);
  return w ? `P${Number(w[1]) * 7}D` : value;
}

export function isValidSendAfter(value: string): boolean {
  const nd = NEXT_DAY.exec(value);
  if (nd) return Number(nd[1]) < 24 && Number(nd[2]) < 60;
  return value !== 'P' && DURATION.test(value);
}

/** Whether a valid `sendAfter` waits at most MAX_SEND_AFTER_DAYS (a huge one also overflowed the date maths). */
export function isSendAfterWithinLimit(value: string): boolean {
  const du = DURATION.exec(value);
  if (!du) return true;
  const seconds = ((Number(du[1] ?? 0) * 24 + Number(du[2] ?? 0)) * 60 + Number(du[3] ?? 0)) * 60 + Number(du[4] ?? 0);
  return seconds <= MAX_SEND_AFTER_DAYS * 86_400;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

function inQuietHours(minuteOfDay: number, quiet: { from: string; to: string }): boolean {
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  if (from === to) return false;
  return from < to ? minuteOfDay >= from && minuteOfDay < to : minuteOfDay >= from || minuteOfDay < to;
}

/** The first allowed minute at or after `at`: outside quiet hours and (if asked) not on a holiday. */
export function nextAllowedTime(at: Date, window: SendWindow): Date {
  let t = new Date(at.getTime());
  for (let guard = 0; guard < 64; guard++) {
    const p = localParts(t, window.timezone);
    const day = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
    if (window.skipPublicHolidays && isFinnishHoliday(day)) {
      const [y, m, d] = addDays(p.year, p.month, p.day, 1);
      // The next day from its first minute when quiet hours cover midnight (they move it on to their
      // end, the morning); otherwise at the same time of day (a text due at noon on Christmas Eve
      // is not sent at midnight, with no quiet hours or with ones that leave midnight open).
      const fromMorning = window.quietHours !== null && inQuietHours(0, window.quietHours);
      t = zonedInstant(window.timezone, y, m, d, fromMorning ? 0 : p.hour, fromMorning ? 0 : p.minute);
      continue;
    }
    const quiet = window.quietHours;
    if (quiet && inQuietHours(p.hour * 60 + p.minute, quiet)) {
      const to = minutesOf(quiet.to);
      const sameDay = p.hour * 60 + p.minute < to;
      const [y, m, d] = sameDay ? [p.year, p.month, p.day] : addDays(p.year, p.month, p.day, 1);
      let end = zonedInstant(window.timezone, y, m, d, Math.floor(to / 60), to % 60);
      // An end in the missing hour of the spring change comes out that much later: the first
      // allowed minute is where the clocks jump, the first one after the quiet hours.
      const endParts = localParts(end, window.timezone);
      if (endParts.hour * 60 + endParts.minute !== to) {
        for (let back = 0; back < 60; back++) {
          const before = new Date(end.getTime() - 60_000);
          const b = localParts(before, window.timezone);
          if (before.getTime() <= t.getTime() || inQuietHours(b.hour * 60 + b.minute, quiet)) break;
          end = before;
        }
      }
      // An end in the repeated hour of the autumn change reads as its earlier occurrence, which
      // can lie before `t` (already in the second pass of that hour): take the later one.
      t = end.getTime() > t.getTime() ? end : new Date(end.getTime() + 3_600_000);
      continue;
    }
    return t;
  }
  throw new Error('no allowed send time found within 64 steps');
}

export function isAllowedTime(at: Date, window: SendWindow): boolean {
  return nextAllowedTime(at, window).getTime() === at.getTime();
}

/** When to send the survey of a visit that ended at `endedAt`, decided at `now`. */
export function sendTimeFor(endedAt: Date, now: Date, policy: SendPolicy): Date {
  let target: Date;
  const nd = NEXT_DAY.exec(policy.sendAfter);
  if (nd) {
    const p = localParts(endedAt, policy.timezone);
    const [y, m, d] = addDays(p.year, p.month, p.day, 1);
    target = zonedInstant(policy.timezone, y, m, d, Number(nd[1]), Number(nd[2]));
  } else {
    const du = DURATION.exec(policy.sendAfter);
    if (!du) throw new Error(`invalid sendAfter ${policy.sendAfter}`);
    // Days are calendar days in the county's time zone (P1D: the same local time the next day,
    // also across a clock change); hours, minutes and seconds are elapsed time.
    const days = Number(du[1] ?? 0);
    let base = endedAt;
    if (days > 0) {
      const p = localParts(endedAt, policy.timezone);
      const [y, m, d] = addDays(p.year, p.month, p.day, days);
      base = new Date(
        zonedInstant(policy.timezone, y, m, d, p.hour, p.minute).getTime() + endedAt.getUTCSeconds() * 1000 + endedAt.getUTCMilliseconds(),
      );
    }
    const ms = (Number(du[2] ?? 0) * 60 + Number(du[3] ?? 0)) * 60000 + Number(du[4] ?? 0) * 1000;
    target = new Date(base.getTime() + ms);
  }
  if (target < now) target = now;
  return nextAllowedTime(target, policy);
}
