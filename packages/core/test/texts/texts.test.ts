import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGsm7, LANGUAGES, nonGsm7Characters, renderText, smsSegments, TEXT_KEYS, toGsm7, unitsTooLongToName } from '../../src/index.ts';
import en from '../../src/texts/en.json' with { type: 'json' };
import fi from '../../src/texts/fi.json' with { type: 'json' };
import sv from '../../src/texts/sv.json' with { type: 'json' };

/** The unit names of the example county, read from the config file the services load by default. */
function exampleUnitNames(): Array<{ fi?: string; sv?: string; en?: string }> {
  const yaml = readFileSync(new URL('../../../../config/kaiku.example.yaml', import.meta.url), 'utf8');
  return [...yaml.matchAll(/name: \{ (.+) \}/g)].map((m) =>
    Object.fromEntries((m[1] as string).split(/, (?=(?:fi|sv|en): )/).map((pair) => pair.split(/: (.*)/s).slice(0, 2))),
  );
}
const units = exampleUnitNames();
const longest = Object.fromEntries(
  LANGUAGES.map((l) => [l, units.map((u) => u[l] ?? '').reduce((a, b) => (b.length > a.length ? b : a), '')]),
) as Record<(typeof LANGUAGES)[number], string>;

describe('SMS texts', () => {
  it('reads the longest unit names of the example config', () => {
    expect(units.length).toBeGreaterThanOrEqual(10);
    expect(longest.fi.length).toBeGreaterThanOrEqual(30);
    expect(longest.en.length).toBeGreaterThanOrEqual(40);
  });

  it('every language has every text', () => {
    for (const texts of [fi, sv, en]) expect(Object.keys(texts).sort()).toEqual([...TEXT_KEYS].sort());
  });

  for (const language of LANGUAGES) {
    describe(language, () => {
      const unitNames = { [language]: longest[language] };
      for (const key of TEXT_KEYS) {
        it(`${key}: GSM-7 only, ${key.startsWith('invitation') ? 'at most 2 segments' : '1 segment'}, with the longest unit name`, () => {
          const text = renderText(language, key, { unitNames, sensitive: false });
          expect(nonGsm7Characters(text)).toEqual([]);
          expect(text).not.toMatch(/[{}]/);
          expect(smsSegments(text)).toBeLessThanOrEqual(key.startsWith('invitation') ? 2 : 1);
        });
      }

      it('the invitation names the unit in the patient language, says answering is free and how to switch language', () => {
        const text = renderText(language, 'invitation', { unitNames, sensitive: false });
        expect(text).toContain(longest[language]);
        expect(text).toMatch({ fi: /maksuton/, sv: /gratis/, en: /free/ }[language]);
        expect(text).toContain('0-10');
        for (const other of LANGUAGES.filter((l) => l !== language)) expect(text).toContain(`${other.toUpperCase()}.`);
      });
    });
  }

  it('never names a sensitive unit, nor any unit in the generic wording', () => {
    const names = { fi: 'Mielenterveys- ja päihdepalvelut', sv: 'Mentalvårds- och missbrukartjänster', en: 'Mental health services' };
    for (const language of LANGUAGES) {
      const text = renderText(language, 'invitation', { unitNames: names, sensitive: true });
      expect(text).not.toContain(names[language]);
      expect(text).not.toMatch(/menta|päihde|missbruk/i);
    }
  });

  it('uses the Finnish name when the config has none in the patient language', () => {
    expect(renderText('en', 'invitation', { unitNames: { fi: 'Kyyjärven terveysasema' } })).toMatch(/^Kyyjärven terveysasema: Thank you/);
  });

  it('Finnish and Swedish read naturally', () => {
    expect(renderText('fi', 'invitation', { unitNames: { fi: 'Kyyjärven terveysasema' } })).toMatch(
      /^Kyyjärven terveysasema: Kiitos käynnistäsi! Kuinka todennäköisesti suosittelisit palvelua läheisillesi\?/,
    );
    expect(renderText('sv', 'invitation', { unitNames: { sv: 'Kyyjärvi hälsostation' } })).toMatch(
      /^Kyyjärvi hälsostation: Tack för ditt besök! Hur sannolikt är det att du skulle rekommendera tjänsten till dina närstående\?/,
    );
  });

  it('any unit name from any config: GSM-7 and at most 2 segments (too long a name falls back to the generic text)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }), fc.constantFrom(...LANGUAGES), (name, language) => {
        const text = renderText(language, 'invitation', { unitNames: { fi: name, sv: name, en: name } });
        return isGsm7(text) && smsSegments(text) <= 2;
      }),
      { numRuns: 500 },
    );
  });

  it('keeps Sámi and other accented letters readable in GSM-7, and drops what cannot be', () => {
    expect(toGsm7('Anár – “Čeavetjávri” terveysasema')).toBe('Anar - "Ceavetjavri" terveysasema');
    expect(toGsm7('Åbo hälsostation')).toBe('Åbo hälsostation');
    // Letters with no accent to strip keep their Latin spelling (a probe: "đ" was dropped).
    expect(toGsm7('Anára dearvvašvuođaguovddáš')).toBe('Anara dearvvasvuodaguovddas');
    expect(toGsm7('Čeavetjávri Ŋ ŧ ʒ Œuvre Ĳssel')).toBe('Ceavetjavri N t z OEuvre IJssel');
  });
});

describe('GSM-7 segments', () => {
  it('counts 160 septets as one segment, then 153 per segment, extension characters as two', () => {
    expect(smsSegments('a'.repeat(160))).toBe(1);
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments('a'.repeat(306))).toBe(2);
    expect(smsSegments('a'.repeat(307))).toBe(3);
    expect(smsSegments('€'.repeat(80))).toBe(1);
    expect(smsSegments('€'.repeat(81))).toBe(2);
  });

  it('one character outside GSM-7 turns the message into UCS-2: 70, then 67 per segment', () => {
    expect(smsSegments(`${'a'.repeat(69)}–`)).toBe(1);
    expect(smsSegments(`${'a'.repeat(70)}–`)).toBe(2);
    expect(nonGsm7Characters('a – b ’c’')).toEqual(['–', '’']);
  });

  it('names the units whose name would not fit the invitation, per language, for the sender to warn about at start (an acceptance probe)', () => {
    const long =
      'Pohjois-Pohjanmaan hyvinvointialueen suun terveydenhuollon erikoishammashoitola ja terveyskeskushammashoitola Pudasjärvellä';
    const units = [
      { id: 'short', name: { fi: 'Kyyjärven terveysasema' } },
      { id: 'long', name: { fi: long, sv: 'Pudasjärvi tandvård' } },
      { id: 'sensitive', name: { fi: long }, sensitive: true },
    ];
    expect(unitsTooLongToName(units)).toEqual([{ unit: 'long', languages: ['fi', 'en'] }]);
    expect(renderText('fi', 'invitation', { unitNames: { fi: long } })).not.toContain('Pudasj');
  });
});
