import { describe, expect, it } from 'vitest';
import { chooseMobile, toE164 } from '../../src/visit/phone.ts';

describe('chooseMobile', () => {
  it.each([
    ['040 123 4567', '+358401234567'],
    ['0401234567', '+358401234567'],
    ['050-123 4567', '+358501234567'],
    ['0457 1234567', '+3584571234567'],
    ['+358 40 123 4567', '+358401234567'],
    ['+358412345678', '+358412345678'],
    ['00358 40 123 4567', '+358401234567'],
    ['(040) 123-4567', '+358401234567'],
  ])('normalises the Finnish form %s to %s', (raw, e164) => {
    expect(chooseMobile([raw])).toEqual({ ok: true, e164 });
  });

  it('treats landlines and service numbers as no mobile', () => {
    expect(chooseMobile(['09 1234 5678'])).toEqual({ ok: false, reason: 'no-mobile' });
    expect(chooseMobile(['0912345678', '+358 20 123456'])).toEqual({ ok: false, reason: 'no-mobile' });
    expect(chooseMobile([])).toEqual({ ok: false, reason: 'no-mobile' });
    expect(chooseMobile(['not a number', ''])).toEqual({ ok: false, reason: 'no-mobile' });
  });

  it('picks the one mobile among landlines', () => {
    expect(chooseMobile(['09 1234 5678', '040 123 4567'])).toEqual({ ok: true, e164: '+358401234567' });
  });

  it('sees the same mobile written twice as one', () => {
    expect(chooseMobile(['040 123 4567', '+358401234567'])).toEqual({ ok: true, e164: '+358401234567' });
  });

  it('refuses to guess between two different mobiles', () => {
    expect(chooseMobile(['040 123 4567', '050 765 4321'])).toEqual({ ok: false, reason: 'ambiguous-phone' });
  });

  it('toE164 returns null for what is not a number', () => {
    expect(toE164('abc')).toBeNull();
    expect(toE164('040 123 4567')).toBe('+358401234567');
  });
});
