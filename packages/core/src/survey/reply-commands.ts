import type { Language } from '../visit/language.ts';

/** Words that control the survey rather than answer it. */
export type ReplyCommand = { kind: 'opt-out' } | { kind: 'opt-in' } | { kind: 'switch-language'; language: Language };

const OPT_OUT = new Set(['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'lopeta', 'stopp', 'sluta', 'revoke', 'optout']);
const OPT_IN = new Set(['start', 'aloita', 'börja', 'unstop']);
const LANGUAGE: Record<string, Language> = {
  fi: 'fi',
  suomi: 'fi',
  suomeksi: 'fi',
  finska: 'fi',
  finnish: 'fi',
  'på finska': 'fi',
  'in finnish': 'fi',
  sv: 'sv',
  svenska: 'sv',
  ruotsi: 'sv',
  ruotsiksi: 'sv',
  swedish: 'sv',
  'på svenska': 'sv',
  'in swedish': 'sv',
  en: 'en',
  english: 'en',
  englanti: 'en',
  englanniksi: 'en',
  engelska: 'en',
  'på engelska': 'en',
  'in english': 'en',
};

export function normaliseCommand(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\s.,!?:;"'()]+/gu, ' ')
    .trim();
}

export function parseCommand(text: string): ReplyCommand | null {
  const t = normaliseCommand(text);
  if (OPT_OUT.has(t)) return { kind: 'opt-out' };
  if (OPT_IN.has(t)) return { kind: 'opt-in' };
  const lang = LANGUAGE[t] ?? LANGUAGE[t.replace(/ (tack|kiitos|please)$/u, '')];
  if (lang) return { kind: 'switch-language', language: lang };
  return null;
}
