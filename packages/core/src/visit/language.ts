export const LANGUAGES = ['fi', 'sv', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Service language first, else mother tongue; fi/sv/en as such, anything else → the county's choice. */
export function pickLanguage(languages: { service?: string | undefined; mother?: string | undefined }, otherLanguage: Language): Language {
  const raw = languages.service ?? languages.mother;
  if (!raw) return otherLanguage;
  const code = raw.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  if (code === 'fi' || code === 'fin') return 'fi';
  if (code === 'sv' || code === 'swe') return 'sv';
  if (code === 'en' || code === 'eng') return 'en';
  return otherLanguage;
}
