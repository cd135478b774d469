import type { Language } from '../visit/language.ts';
import en from './en.json' with { type: 'json' };
import fi from './fi.json' with { type: 'json' };
import sv from './sv.json' with { type: 'json' };

export type TextKey = keyof typeof fi;
export const TEXT_KEYS = Object.keys(fi) as TextKey[];
const CATALOGUE: Record<Language, Record<TextKey, string>> = { fi, sv, en };

export interface UnitNames {
  fi?: string | undefined;
  sv?: string | undefined;
  en?: string | undefined;
}

/** Replaces characters that would force UCS-2 (dashes, curly quotes) with GSM-7 look-alikes. */
export function toGsm7Friendly(text: string): string {
  return text
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\u2018\u2019\u201A\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201E\u2033]/g, '"')
    .replace(/\u2026/g, '...')
    .replace(/[\u00A0\u2007\u202F]/g, ' ');
}

export function unitNameFor(names: UnitNames, language: Language): string | undefined {
  return names[language] ?? names.fi ?? names.sv ?? names.en;
}

/** The text for a step of the conversation, in the patient's language. */
export function renderText(language: Language, key: TextKey, context: { unitNames?: UnitNames; sensitive?: boolean } = {}): string {
  let chosen = key;
  const unit = context.unitNames ? unitNameFor(context.unitNames, language) : undefined;
  if (key === 'invitation' && (context.sensitive || !unit)) chosen = 'invitationGeneric';
  return toGsm7Friendly(CATALOGUE[language][chosen].replaceAll('{unit}', unit ?? ''));
}
