import { describe, expect, it } from 'vitest';
import { isLanguage, pickLanguage } from '../../src/visit/language.ts';

describe('pickLanguage', () => {
  it('takes the service language before the mother tongue', () => {
    expect(pickLanguage({ service: 'sv', mother: 'fi' }, 'fi')).toBe('sv');
    expect(pickLanguage({ mother: 'en' }, 'fi')).toBe('en');
  });
  it('reads ISO 639-1, 639-2, BCP-47 and the SFS list in any case', () => {
    expect(pickLanguage({ service: 'SV' }, 'fi')).toBe('sv');
    expect(pickLanguage({ service: 'swe' }, 'fi')).toBe('sv');
    expect(pickLanguage({ service: 'sv-FI' }, 'fi')).toBe('sv');
    expect(pickLanguage({ service: 'en_GB' }, 'fi')).toBe('en');
    expect(pickLanguage({ service: 'FI' }, 'sv')).toBe('fi');
  });
  it('sends anything else to the county choice', () => {
    expect(pickLanguage({ service: 'so' }, 'fi')).toBe('fi');
    expect(pickLanguage({ service: 'ru' }, 'en')).toBe('en');
    expect(pickLanguage({ service: 'se' }, 'fi')).toBe('fi'); // Northern Sami, not Swedish
    expect(pickLanguage({}, 'sv')).toBe('sv');
  });
  it('isLanguage knows the three texts', () => {
    expect(['fi', 'sv', 'en', 'de', null].map(isLanguage)).toEqual([true, true, true, false, false]);
  });
});
