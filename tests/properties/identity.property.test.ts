// Hetu and phone handling, for any input: a valid hetu round-trips to its birth date and pseudonym;
// any one-character change is caught or yields another person; a mobile number written in any of the
// ways record systems write it is the same E.164 number; garbage is never a number.
import { chooseMobile, hetuFor, parseHetu, toE164 } from '@kaiku/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const birthDate = fc
  .date({ min: new Date('1850-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const individual = fc.integer({ min: 2, max: 899 });

describe('hetu properties', () => {
  it('hetuFor → parseHetu gives back the birth date, in any case and with spaces around', () => {
    fc.assert(
      fc.property(birthDate, individual, fc.boolean(), (date, n, lower) => {
        const code = hetuFor(date, n);
        expect(parseHetu(code)).toEqual({ ok: true, birthDate: date });
        expect(parseHetu(` ${lower ? code.toLowerCase() : code} `)).toEqual({ ok: true, birthDate: date });
      }),
      { numRuns: 2000 },
    );
  });

  it('a change of one digit of the date or individual number is refused (the check character catches it)', () => {
    fc.assert(
      fc.property(birthDate, individual, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (date, n, at, delta) => {
        const code = hetuFor(date, n);
        const position = at < 6 ? at : at + 1; // skip the century sign
        const digit = Number(code[position]);
        const changed = `${code.slice(0, position)}${(digit + delta) % 10}${code.slice(position + 1)}`;
        expect(parseHetu(changed).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (text) => {
        const result = parseHetu(text);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });
});

const prefix = fc.constantFrom('40', '41', '42', '44', '45', '46', '50');
const subscriber = fc.stringMatching(/^[1-9]\d{6}$/);

describe('phone properties', () => {
  it('a Finnish mobile written any way record systems write it is one E.164 number', () => {
    fc.assert(
      fc.property(prefix, subscriber, fc.constantFrom(' ', '-', '', ' - '), (p, s, sep) => {
        const e164 = `+358${p}${s}`;
        const national = `0${p}`;
        const forms = [
          e164,
          `${national}${s}`,
          `${national}${sep}${s.slice(0, 3)}${sep}${s.slice(3)}`,
          `+358 ${p} ${s}`,
          `00358${p}${s}`,
          `(${national}) ${s}`,
        ];
        for (const form of forms) expect(toE164(form), form).toBe(e164);
        expect(chooseMobile(forms)).toEqual({ ok: true, e164 });
        expect(toE164(e164)).toBe(e164); // idempotent
      }),
      { numRuns: 1000 },
    );
  });

  it('the choice does not depend on order, and two different mobiles are never guessed between', () => {
    fc.assert(
      fc.property(prefix, subscriber, subscriber, fc.constantFrom('09 1234 5678', '014 123 4567', ''), (p, a, b, landline) => {
        const one = `0${p}${a}`;
        const two = `0${p}${b}`;
        const list = [landline, one, two].filter(Boolean);
        const choice = chooseMobile(list);
        expect(chooseMobile([...list].reverse())).toEqual(choice);
        if (a !== b) expect(choice).toEqual({ ok: false, reason: 'ambiguous-phone' });
        else expect(choice).toEqual({ ok: true, e164: `+358${p}${a}` });
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws, and what it returns is always E.164', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        const e164 = toE164(text);
        if (e164 !== null) expect(e164).toMatch(/^\+[1-9]\d{6,14}$/);
        expect(() => chooseMobile([text])).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });
});
