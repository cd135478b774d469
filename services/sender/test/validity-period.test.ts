import { describe, expect, it } from 'vitest';
import { validityPeriodSeconds } from '../src/index.ts';

const window = { timezone: 'Europe/Helsinki', quietHours: { from: '20:00', to: '09:00' }, skipPublicHolidays: true };

describe('validity period: a message stuck in Twilio queue is dropped before quiet hours', () => {
  it('is Twilio four hours at midday', () => {
    expect(validityPeriodSeconds(new Date('2026-03-10T12:00:00+02:00'), window)).toBe(4 * 3600);
  });

  it('ends when quiet hours begin', () => {
    expect(validityPeriodSeconds(new Date('2026-03-10T18:30:00+02:00'), window)).toBe(90 * 60);
    expect(validityPeriodSeconds(new Date('2026-03-10T19:45:30+02:00'), window)).toBe(14 * 60 + 30);
  });

  it('is none in the last minute before quiet hours: the send waits for the morning instead', () => {
    expect(validityPeriodSeconds(new Date('2026-03-10T19:59:30+02:00'), window)).toBeNull();
  });

  it('ends at midnight before a skipped public holiday (Independence Day)', () => {
    const noQuiet = { ...window, quietHours: null };
    expect(validityPeriodSeconds(new Date('2026-12-05T22:00:00+02:00'), noQuiet)).toBe(2 * 3600);
  });
});
