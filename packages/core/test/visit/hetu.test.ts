import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGE_BANDS, ageBand, ageOn, containsUnsignedHetu, hetuFor, parseHetu } from '../../src/visit/hetu.ts';

const fixture = JSON.parse(readFileSync(new URL('../../../../../shared/fixtures/hetu.json', import.meta.url), 'utf8')) as {
  valid: Array<{ code: string; birthDate: string }>;
  invalid: Array<{ code: string; why: string }>;
};

describe('parseHetu', () => {
  it.each(fixture.valid)('reads $code as born $birthDate', ({ code, birthDate }) => {
    expect(parseHetu(code)).toEqual({ ok: true, birthDate });
  });

  it.each(fixture.invalid)('refuses $code ($why)', ({ code, why }) => {
    const result = parseHetu(code);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      const expected = why.startsWith('wrong check')
        ? 'wrong check character'
        : why.startsWith('no such date')
          ? 'no such date'
          : 'not a personal';
      expect(result.error).toContain(expected);
    }
  });

  it('knows every century sign, the 2023 ones included', () => {
    for (const sign of ['-', 'Y', 'X', 'W', 'V', 'U'])
      expect(parseHetu(`010181${sign}900C`)).toEqual({ ok: true, birthDate: '1981-01-01' });
    for (const sign of ['A', 'B', 'C', 'D', 'E', 'F']) {
      expect(parseHetu(hetuFor('2005-01-01', 900, sign))).toEqual({ ok: true, birthDate: '2005-01-01' });
    }
    expect(parseHetu(hetuFor('1895-01-01', 920))).toEqual({ ok: true, birthDate: '1895-01-01' });
    expect(hetuFor('1895-01-01', 920)).toMatch(/^010195\+920/);
  });

  it('accepts lower case and surrounding spaces', () => {
    expect(parseHetu(' 051115a9310 ')).toEqual({ ok: true, birthDate: '2015-11-05' });
  });

  it('finds every single-character typo in the check character', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        fc.integer({ min: 900, max: 999 }),
        (d, n) => {
          const birth = d.toISOString().slice(0, 10);
          const code = hetuFor(birth, n);
          expect(parseHetu(code)).toEqual({ ok: true, birthDate: birth });
          const wrong = code.slice(0, 10) + (code[10] === '0' ? '1' : '0');
          expect(parseHetu(wrong).ok).toBe(false);
        },
      ),
    );
  });
});

describe('hetuFor', () => {
  it('makes the fixture codes', () => {
    expect(hetuFor('1981-01-01', 900)).toBe('010181-900C');
    expect(hetuFor('1999-07-24', 926, 'Y')).toBe('240799Y926J');
    expect(hetuFor('2007-06-15', 955, 'B')).toBe('150607B9554');
  });
  it('refuses a sign of the wrong century', () => {
    expect(() => hetuFor('1981-01-01', 900, 'A')).toThrow(RangeError);
  });
});

describe('a hetu written without its sign, in an id', () => {
  it('is found by its check character, with or without a space or an underscore for the sign', () => {
    for (const id of ['V010181900C', 'E120354913J', 'W 010181 900C', 'W_010181_900C', '010181900C', 'v010181900c', 'VN0506709326']) {
      expect(containsUnsignedHetu(id), id).toBe(true);
    }
    // 29 February 2000 is a day only in the 2000s: found all the same.
    expect(containsUnsignedHetu(`X${hetuFor('2000-02-29', 901).replace('A', '')}`)).toBe(true);
  });
  it('is not read inside a longer number, nor from a wrong check character', () => {
    for (const id of ['2025031200123', '12010181900C', '010181900D', 'LC0502', '1.2.246.10.2085212.10.1314']) {
      expect(containsUnsignedHetu(id), id).toBe(false);
    }
  });
  it('with checkLetter, only one whose check character is a letter (ten digits may be part of a code)', () => {
    expect(containsUnsignedHetu('VN0506709326', { checkLetter: true })).toBe(false);
    expect(containsUnsignedHetu('SOTE 120354913J', { checkLetter: true })).toBe(true);
  });
});

describe('age', () => {
  it('counts whole years, birthdays included', () => {
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
    expect(ageOn('2008-02-29', '2026-03-01')).toBe(18);
    expect(ageOn('1981-01-01', '1999-01-01')).toBe(18);
    expect(ageOn('1981-01-02', '1999-01-01')).toBe(17);
  });
  it('puts ages in the reporting bands', () => {
    expect([0, 17, 18, 24, 25, 44, 64, 65, 74, 75, 103].map(ageBand)).toEqual([
      '0-17',
      '0-17',
      '18-24',
      '18-24',
      '25-34',
      '35-44',
      '55-64',
      '65-74',
      '65-74',
      '75+',
      '75+',
    ]);
    expect(AGE_BANDS).toHaveLength(8);
  });
});
