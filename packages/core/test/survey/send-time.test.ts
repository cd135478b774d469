import { describe, expect, it } from 'vitest';
import { finnishHolidays, isFinnishHoliday } from '../../src/survey/holidays.ts';
import {
  isAllowedTime,
  isSendAfterWithinLimit,
  isValidSendAfter,
  nextAllowedTime,
  type SendPolicy,
  sendTimeFor,
} from '../../src/survey/send-time.ts';
import { localDay, zonedInstant } from '../../src/survey/zoned-time.ts';

const TZ = 'Europe/Helsinki';
const policy: SendPolicy = {
  timezone: TZ,
  sendAfter: 'next-day-12:00',
  quietHours: { from: '20:00', to: '09:00' },
  skipPublicHolidays: true,
};
const at = (iso: string) => new Date(iso);
const local = (d: Date) => d.toLocaleString('sv-SE', { timeZone: TZ }).slice(0, 16);

describe('Finnish public holidays', () => {
  it('lists 2026 exactly', () => {
    expect([...finnishHolidays(2026)].sort()).toEqual([
      '2026-01-01',
      '2026-01-06',
      '2026-04-03', // Good Friday
      '2026-04-05', // Easter Sunday
      '2026-04-06', // Easter Monday
      '2026-05-01',
      '2026-05-14', // Ascension Day
      '2026-05-24', // Whit Sunday
      '2026-06-19', // Midsummer Eve
      '2026-06-20', // Midsummer Day
      '2026-10-31', // All Saints' Day
      '2026-12-06',
      '2026-12-24',
      '2026-12-25',
      '2026-12-26',
    ]);
  });
  it('moves Easter, Midsummer and All Saints with the calendar', () => {
    expect(isFinnishHoliday('2025-04-18')).toBe(true); // Good Friday 2025
    expect(isFinnishHoliday('2025-04-21')).toBe(true); // Easter Monday 2025
    expect(isFinnishHoliday('2025-06-20')).toBe(true); // Midsummer Eve 2025
    expect(isFinnishHoliday('2025-11-01')).toBe(true); // All Saints' Day 2025
    expect(isFinnishHoliday('2027-03-26')).toBe(true); // Good Friday 2027
    expect(isFinnishHoliday('2026-06-26')).toBe(false);
    expect(isFinnishHoliday('2026-03-12')).toBe(false);
  });
});

describe('sendTimeFor', () => {
  it('sends the next day at 12:00 local time by default', () => {
    expect(local(sendTimeFor(at('2026-03-12T15:33:00+02:00'), at('2026-03-12T16:00:00+02:00'), policy))).toBe('2026-03-13 12:00');
  });

  it('keeps 12:00 local across the spring and autumn clock changes', () => {
    const spring = sendTimeFor(at('2026-03-28T15:00:00+02:00'), at('2026-03-28T15:10:00+02:00'), policy);
    expect(spring.toISOString()).toBe('2026-03-29T09:00:00.000Z'); // 12:00 EEST
    const autumn = sendTimeFor(at('2026-10-24T15:00:00+03:00'), at('2026-10-24T15:10:00+03:00'), policy);
    expect(autumn.toISOString()).toBe('2026-10-25T10:00:00.000Z'); // 12:00 EET, the day the clocks went back
  });

  it('takes an ISO duration after the end of the visit', () => {
    const p = { ...policy, sendAfter: 'PT2H' };
    expect(local(sendTimeFor(at('2026-03-12T10:00:00+02:00'), at('2026-03-12T10:05:00+02:00'), p))).toBe('2026-03-12 12:00');
    expect(local(sendTimeFor(at('2026-03-12T10:00:00+02:00'), at('2026-03-12T10:05:00+02:00'), { ...p, sendAfter: 'P1DT30M' }))).toBe(
      '2026-03-13 10:30',
    );
    // a day is a calendar day: the same local time after the spring and autumn changes
    expect(local(sendTimeFor(at('2026-03-28T10:00:00+02:00'), at('2026-03-28T10:05:00+02:00'), { ...p, sendAfter: 'P1D' }))).toBe(
      '2026-03-29 10:00',
    );
    expect(local(sendTimeFor(at('2026-10-24T10:00:00+03:00'), at('2026-10-24T10:05:00+03:00'), { ...p, sendAfter: 'P1D' }))).toBe(
      '2026-10-25 10:00',
    );
    // hours are elapsed time: 24 hours after 10:00 on the spring day is 11:00
    expect(local(sendTimeFor(at('2026-03-28T10:00:00+02:00'), at('2026-03-28T10:05:00+02:00'), { ...p, sendAfter: 'PT24H' }))).toBe(
      '2026-03-29 11:00',
    );
  });

  it('never sends in the past: a late event is sent at the next allowed minute', () => {
    const p = { ...policy, sendAfter: 'PT0S' };
    expect(local(sendTimeFor(at('2026-03-12T10:00:00+02:00'), at('2026-03-12T11:00:00+02:00'), p))).toBe('2026-03-12 11:00');
  });

  it('moves times in quiet hours to their end, the same night or the next morning', () => {
    const p = { ...policy, sendAfter: 'PT2H' };
    expect(local(sendTimeFor(at('2026-03-12T19:00:00+02:00'), at('2026-03-12T19:00:00+02:00'), p))).toBe('2026-03-13 09:00');
    expect(local(sendTimeFor(at('2026-03-12T04:00:00+02:00'), at('2026-03-12T04:00:00+02:00'), p))).toBe('2026-03-12 09:00');
    expect(local(sendTimeFor(at('2026-03-12T17:59:00+02:00'), at('2026-03-12T17:59:00+02:00'), p))).toBe('2026-03-12 19:59');
  });

  it('moves a holiday send to the next allowed minute, after the quiet hours', () => {
    // Visit on Maundy Thursday 2026: Good Friday is off, so the first allowed minute of Saturday.
    expect(local(sendTimeFor(at('2026-04-02T15:00:00+03:00'), at('2026-04-02T15:10:00+03:00'), policy))).toBe('2026-04-04 09:00');
    // Christmas Eve, Christmas Day, Boxing Day → the 27th.
    expect(local(sendTimeFor(at('2026-12-23T15:00:00+02:00'), at('2026-12-23T15:10:00+02:00'), policy))).toBe('2026-12-27 09:00');
    // Visit on Easter Saturday: Sunday and Monday are off.
    expect(local(sendTimeFor(at('2026-04-04T11:00:00+03:00'), at('2026-04-04T11:10:00+03:00'), policy))).toBe('2026-04-07 09:00');
    // Late on the 26th: the next allowed minute is 09:00 on the 27th.
    const late = { ...policy, sendAfter: 'PT0S' };
    expect(local(sendTimeFor(at('2026-12-26T21:00:00+02:00'), at('2026-12-26T21:00:00+02:00'), late))).toBe('2026-12-27 09:00');
  });

  it('sends on holidays when the county allows it', () => {
    const p = { ...policy, skipPublicHolidays: false };
    expect(local(sendTimeFor(at('2026-12-23T15:00:00+02:00'), at('2026-12-23T15:10:00+02:00'), p))).toBe('2026-12-24 12:00');
  });

  it('has no quiet hours when they are null', () => {
    const p = { ...policy, sendAfter: 'PT0S', quietHours: null };
    expect(local(sendTimeFor(at('2026-03-12T23:30:00+02:00'), at('2026-03-12T23:30:00+02:00'), p))).toBe('2026-03-12 23:30');
  });

  it('with no quiet hours, moves a holiday send to the same time of day after it, not to midnight (a scheduling probe)', () => {
    const p = { ...policy, quietHours: null };
    expect(local(sendTimeFor(at('2026-12-23T10:00:00+02:00'), at('2026-12-23T10:10:00+02:00'), p))).toBe('2026-12-27 12:00');
    expect(local(sendTimeFor(at('2026-12-23T10:00:00+02:00'), at('2026-12-23T10:10:00+02:00'), { ...p, sendAfter: 'PT26H' }))).toBe(
      '2026-12-27 12:00',
    );
  });

  it('with quiet hours that leave midnight open, moves a holiday send to the same time of day, not to midnight (a scheduling probe)', () => {
    const p = { ...policy, sendAfter: 'P9D', quietHours: { from: '01:00', to: '06:00' } };
    // Due on Independence Day (Sunday 6 December 2026) at 10:00: Monday 10:00, not Monday 00:00.
    expect(local(sendTimeFor(at('2026-11-27T10:00:00+02:00'), at('2026-11-27T10:10:00+02:00'), p))).toBe('2026-12-07 10:00');
    // Due at 00:30 on Christmas Eve: the 27th at 00:30 is allowed (the quiet hours start at 01:00).
    const night = { ...p, sendAfter: 'PT0S' };
    expect(local(sendTimeFor(at('2026-12-24T00:30:00+02:00'), at('2026-12-24T00:30:00+02:00'), night))).toBe('2026-12-27 00:30');
    // Due at 03:00 on Christmas Eve (quiet until 06:00): the quiet hours end on a holiday, so the 27th at 06:00.
    expect(local(sendTimeFor(at('2026-12-24T03:00:00+02:00'), at('2026-12-24T03:00:00+02:00'), night))).toBe('2026-12-27 06:00');
  });

  it('ends quiet hours that end in the spring-forward gap where the clocks jump, the first minute after them', () => {
    const w = { timezone: TZ, quietHours: { from: '01:00', to: '03:30' }, skipPublicHolidays: false };
    // 29 March 2026: clocks go from 03:00 to 04:00 in Helsinki; 03:30 does not exist.
    const next = nextAllowedTime(at('2026-03-29T01:30:00+02:00'), w);
    expect(next.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(local(next)).toBe('2026-03-29 04:00');
    // quiet hours across midnight that end in the gap; and 2027's change day
    expect(local(nextAllowedTime(at('2026-03-28T23:05:00+02:00'), { ...w, quietHours: { from: '22:00', to: '03:15' } }))).toBe(
      '2026-03-29 04:00',
    );
    expect(local(nextAllowedTime(at('2027-03-28T01:30:00+02:00'), w))).toBe('2027-03-28 04:00');
    // an end outside the gap is as before
    expect(local(nextAllowedTime(at('2026-03-29T01:30:00+02:00'), { ...w, quietHours: { from: '01:00', to: '04:30' } }))).toBe(
      '2026-03-29 04:30',
    );
  });
});

describe('isAllowedTime and helpers', () => {
  it('tells allowed minutes from quiet ones', () => {
    expect(isAllowedTime(at('2026-03-12T12:00:00+02:00'), policy)).toBe(true);
    expect(isAllowedTime(at('2026-03-12T20:00:00+02:00'), policy)).toBe(false);
    expect(isAllowedTime(at('2026-03-12T08:59:00+02:00'), policy)).toBe(false);
    expect(isAllowedTime(at('2026-12-25T12:00:00+02:00'), policy)).toBe(false);
  });
  it('validates sendAfter', () => {
    expect(['next-day-12:00', 'PT2H', 'PT0S', 'P1D', 'P1DT30M'].every(isValidSendAfter)).toBe(true);
    expect(['next-day-25:00', 'P', 'PT', 'P1DT', 'two hours', '12:00'].some(isValidSendAfter)).toBe(false);
    // At most 30 days: P999999999D overflowed the date maths and failed every visit (a scheduling probe).
    expect(['P30D', 'PT720H', 'next-day-12:00'].every(isSendAfterWithinLimit)).toBe(true);
    expect(['P31D', 'PT721H', 'P999999999D', 'PT9999999999999999999S'].some(isSendAfterWithinLimit)).toBe(false);
  });
  it('zonedInstant takes the earlier of an ambiguous autumn time', () => {
    expect(zonedInstant(TZ, 2026, 10, 25, 3, 30).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(localDay(at('2026-10-24T21:30:00Z'), TZ)).toBe('2026-10-25');
  });
});
