import { LANGUAGES, type Language } from '../visit/language.ts';
import en from './en.json' with { type: 'json' };
import fi from './fi.json' with { type: 'json' };
import { isGsm7, smsSegments } from './gsm7.ts';
import sv from './sv.json' with { type: 'json' };

export type TextKey = keyof typeof fi;
export const TEXT_KEYS = Object.keys(fi) as TextKey[];
const CATALOGUE: Record<Language, Record<TextKey, string>> = { fi, sv, en };

/** The invitation may take two SMS segments; with a longer unit name the generic wording is used. */
export const MAX_INVITATION_SEGMENTS = 2;

export interface UnitNames {
  fi?: string | undefined;
  sv?: string | undefined;
  en?: string | undefined;
}

/** Replaces characters that would force UCS-2 (dashes, curly quotes) with GSM-7 look-alikes. */
export function toGsm7Friendly(text: string): string {
  return text
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\u2018\u2019\u201A\u2032\u00B4`]/g, "'")
    .replace(/[\u201C\u201D\u201E\u2033\u00AB\u00BB]/g, '"')
    .replace(/\u2026/g, '...')
    .replace(/[\u00A0\u2007\u202F\t]/g, ' ');
}

/**
 * Letters of the Sámi languages and others that carry no accent to strip: their usual Latin
 * spelling (Anára dearvvašvuođaguovddáš → Anara dearvvasvuodaguovddas, not "…vuoaguovddas").
 */
const LATIN_SPELLING: Record<string, string> = {
  đ: 'd',
  Đ: 'D',
  ŋ: 'n',
  Ŋ: 'N',
  ŧ: 't',
  Ŧ: 'T',
  ʒ: 'z',
  Ʒ: 'Z',
  ǥ: 'g',
  Ǥ: 'G',
  ł: 'l',
  Ł: 'L',
  ı: 'i',
  œ: 'oe',
  Œ: 'OE',
  ĳ: 'ij',
  Ĳ: 'IJ',
  þ: 'th',
  Þ: 'Th',
  ð: 'd',
  Ð: 'D',
};

/**
 * Makes a name from the config safe for GSM-7: look-alike punctuation, then letters outside the
 * alphabet (Sámi á, č, š, ž …) without their accent, and letters with no accent to strip (đ, ŋ,
 * ŧ, ʒ …) in their Latin spelling; anything else left is dropped.
 */
export function toGsm7(text: string): string {
  let out = '';
  for (const ch of toGsm7Friendly(text.normalize('NFC'))) {
    if (isGsm7(ch)) out += ch;
    else {
      const base = LATIN_SPELLING[ch] ?? ch.normalize('NFD').replace(/\p{M}/gu, '');
      if (base && [...base].every(isGsm7)) out += base;
    }
  }
  return out;
}

export function unitNameFor(names: UnitNames, language: Language): string | undefined {
  return names[language] ?? names.fi ?? names.sv ?? names.en;
}

/**
 * The text for a step of the conversation, in the patient's language: GSM-7 only. The invitation
 * names the unit (in the patient's language when the config has it), except for a sensitive unit
 * or a name so long that the text would need a third segment: then the generic wording.
 */
export function renderText(language: Language, key: TextKey, context: { unitNames?: UnitNames; sensitive?: boolean } = {}): string {
  const raw = context.unitNames ? unitNameFor(context.unitNames, language) : undefined;
  const unit = raw ? toGsm7(raw).trim() : '';
  const texts = CATALOGUE[language];
  if (key === 'invitation') {
    if (context.sensitive || !unit) return toGsm7(texts.invitationGeneric);
    const named = toGsm7(texts.invitation.replaceAll('{unit}', unit));
    return smsSegments(named) <= MAX_INVITATION_SEGMENTS ? named : toGsm7(texts.invitationGeneric);
  }
  return toGsm7(texts[key].replaceAll('{unit}', unit));
}

/**
 * The units whose name would not fit the invitation in a language (a third segment): their texts
 * use the generic wording there, which names no unit. For a warning at start-up, so that a county
 * learns it from the log and not from the patients.
 */
export function unitsTooLongToName(
  units: ReadonlyArray<{ id: string; name: UnitNames; sensitive?: boolean }>,
): Array<{ unit: string; languages: Language[] }> {
  return units
    .filter((u) => !u.sensitive)
    .map((u) => ({
      unit: u.id,
      languages: LANGUAGES.filter((lang) => renderText(lang, 'invitation', { unitNames: u.name }) === renderText(lang, 'invitation')),
    }))
    .filter((u) => u.languages.length > 0);
}
