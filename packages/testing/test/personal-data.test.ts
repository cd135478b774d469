import { describe, expect, it } from 'vitest';
import { containsPersonalData } from '../src/personal-data.ts';

describe('containsPersonalData', () => {
  it('finds a phone number or identity code written out, whatever surrounds it', () => {
    expect(containsPersonalData('{"to":"+358401000000"}', '+358401000000')).toBe(true);
    expect(containsPersonalData('to=358401000000&x=1', '358401000000')).toBe(true);
    expect(containsPersonalData('soita 0401000000.', '0401000000')).toBe(true);
    expect(containsPersonalData('0401000000', '0401000000')).toBe(true);
    expect(containsPersonalData('hetu 010181-900C!', '010181-900C')).toBe(true);
    expect(containsPersonalData('nimi Testinen', 'Testinen')).toBe(true);
  });

  it('does not take digits inside a longer number for one (a response time, a timestamp)', () => {
    // The line that once failed CI: a float's tail spelled the national form of a test number.
    expect(containsPersonalData('"responseTime":7.0401000000001,', '0401000000')).toBe(false);
    expect(containsPersonalData('"time":17956840401000000', '0401000000')).toBe(false);
    expect(containsPersonalData('"time":1795684431731 id 0401000000', '0401000000')).toBe(true);
    expect(containsPersonalData('12.0101811', '010181')).toBe(false);
  });
});
