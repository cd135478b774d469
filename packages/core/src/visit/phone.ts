import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type MobileChoice = { ok: true; e164: string } | { ok: false; reason: 'no-mobile' | 'ambiguous-phone' };

/** The one mobile number among what the record system sent, in E.164 (Finnish national forms allowed). */
export function chooseMobile(phones: readonly string[]): MobileChoice {
  const mobiles = new Set<string>();
  for (const raw of phones) {
    const parsed = parsePhoneNumberFromString(raw.trim(), 'FI');
    if (!parsed?.isValid()) continue;
    const type = parsed.getType();
    if (type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE') mobiles.add(parsed.number);
  }
  if (mobiles.size === 0) return { ok: false, reason: 'no-mobile' };
  if (mobiles.size > 1) return { ok: false, reason: 'ambiguous-phone' };
  return { ok: true, e164: [...mobiles][0] as string };
}

/** A number as Twilio writes it (E.164), or null when it is not a phone number. */
export function toE164(raw: string): string | null {
  const parsed = parsePhoneNumberFromString(raw.trim(), 'FI');
  return parsed?.isValid() ? parsed.number : null;
}
