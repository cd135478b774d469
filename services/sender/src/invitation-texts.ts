import type { UnitConfig } from '@kaiku/config';
import { isLanguage, LANGUAGES, type Language, renderText, smsSegments } from '@kaiku/core';

export interface InvitationText {
  body: string;
  segments: number;
}

/**
 * Every invitation text the configuration can produce, rendered once: per unit and language, and
 * the generic text for a unit the configuration no longer knows (never named). `maxSegments` is the
 * longest of them, what the segment budget is taken for before the invitation is read.
 */
export function createInvitationTexts(units: readonly UnitConfig[]) {
  const texts = new Map<string, InvitationText>();
  const text = (language: Language, unit: UnitConfig | undefined): InvitationText => {
    const body = renderText(language, 'invitation', { unitNames: unit?.name, sensitive: unit?.sensitive ?? true });
    return { body, segments: smsSegments(body) };
  };
  for (const language of LANGUAGES) {
    texts.set(`${language}|`, text(language, undefined));
    for (const unit of units) texts.set(`${language}|${unit.id}`, text(language, unit));
  }
  const maxSegments = Math.max(...[...texts.values()].map((t) => t.segments));
  return {
    maxSegments,
    /** The text for an invitation's language (Finnish for any other) and its visit's unit. */
    of(language: string, unitId: string): InvitationText {
      const lang: Language = isLanguage(language) ? language : 'fi';
      return texts.get(`${lang}|${unitId}`) ?? (texts.get(`${lang}|`) as InvitationText);
    },
  };
}
