import { describe, expect, it } from 'vitest';
import { validityPeriodSeconds } from '../src/index.ts';
import { createValidityPeriod } from '../src/validity-period.ts';

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

describe('validity period, remembered per minute', () => {
  it('gives the same answers as computing it for every text, across quiet hours, a holiday and the DST change', () => {
    const windows = [
      window,
      { ...window, quietHours: null },
      { ...window, quietHours: { from: '03:30', to: '03:45' }, skipPublicHolidays: false },
    ];
    const starts = ['2026-03-10T15:00:00+02:00', '2026-12-05T19:00:00+02:00', '2026-03-29T00:00:00+02:00', '2026-10-25T01:30:00+03:00'];
    for (const w of windows) {
      const remembered = createValidityPeriod(w);
      for (const start of starts) {
        // every 241 s for five hours, three sends within each of those minutes
        for (let t = Date.parse(start); t < Date.parse(start) + 5 * 3600_000; t += 241_000) {
          for (const at of [new Date(t), new Date(t + 13_000), new Date(t + 41_000)]) {
            expect(remembered(at), at.toISOString()).toBe(validityPeriodSeconds(at, w));
          }
        }
      }
    }
  });
});
