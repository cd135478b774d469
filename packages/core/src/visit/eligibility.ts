import { localDay } from '../survey/zoned-time.ts';
import { type AgeBand, ageBand, ageOn, parseHetu } from './hetu.ts';
import { type Language, pickLanguage } from './language.ts';
import { chooseMobile } from './phone.ts';
import type { VisitEvent } from './visit-event.ts';

export const SKIP_REASONS = [
  'under-age',
  'no-mobile',
  'ambiguous-phone',
  'non-disclosure',
  'deceased',
  'consent-refused',
  'unit-not-enrolled',
  'sensitive-service',
  'not-sampled',
  'recently-surveyed',
  'same-day-visit',
  'opted-out',
  'stale-visit',
  'future-visit',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** A visit event that can't be used at all (answered `rejected`, or an `AE` ACK). */
export class InvalidVisitError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'InvalidVisitError';
    this.field = field;
  }
}

export interface EligibilityRules {
  timezone: string;
  minAge: number;
  otherLanguage: Language;
  maxVisitAgeHours: number;
  /** Clock skew allowed for visits "ending" slightly in the future. */
  futureSkewMinutes?: number;
  excludeSensitiveUnits: boolean;
}

export interface UnitRule {
  enrolled: boolean;
  sensitive: boolean;
  sampling: number;
}

/** What the pure rules say about a visit-ended event; checks that need the database come after. */
export interface VisitFacts {
  visitDay: string;
  ageBand: AgeBand | null;
  language: Language;
  mobile: string | null;
  /** The hetu, normalised, for the pseudonym (memory only). */
  personalId: string | null;
  skip: SkipReason | null;
  /** What bars every text to the patient (deceased, non-disclosure, consent refused), whatever else the skip is. */
  bars: SkipReason | null;
}

/** How far ahead of ours a record system's clock may run: an event dated later is not of now. */
export const FUTURE_SKEW_MINUTES = 5;

export function assessVisit(event: VisitEvent, unit: UnitRule, rules: EligibilityRules, now: Date, sampleDraw: number): VisitFacts {
  if (!event.endedAt) throw new InvalidVisitError('endedAt', 'required when kind is visit-ended');
  const endedAt = new Date(event.endedAt);
  const visitDay = localDay(endedAt, rules.timezone);
  const patient = event.patient;

  let birthDate = patient.birthDate ?? null;
  let personalId: string | null = null;
  if (patient.personalId) {
    const hetu = parseHetu(patient.personalId);
    if (!hetu.ok) throw new InvalidVisitError('patient.personalId', hetu.error);
    if (birthDate && birthDate !== hetu.birthDate) {
      throw new InvalidVisitError('patient.birthDate', 'does not match the personal identity code');
    }
    birthDate = hetu.birthDate;
    personalId = patient.personalId.trim().toUpperCase();
  }
  // Born after the visit: a century sign or a birth date mistyped at the source (080990A908X is 2090).
  if (birthDate && birthDate > visitDay) {
    throw new InvalidVisitError(patient.personalId ? 'patient.personalId' : 'patient.birthDate', 'gives a birth date after the visit');
  }
  const age = birthDate ? ageOn(birthDate, visitDay) : null;
  const language = pickLanguage(patient.languages, rules.otherLanguage);
  const mobile = chooseMobile(patient.mobilePhones);
  const facts = { visitDay, ageBand: age === null ? null : ageBand(age), language, mobile: mobile.ok ? mobile.e164 : null, personalId };

  const skip = ((): SkipReason | null => {
    if (endedAt.getTime() > now.getTime() + (rules.futureSkewMinutes ?? FUTURE_SKEW_MINUTES) * 60_000) return 'future-visit';
    if (now.getTime() - endedAt.getTime() > rules.maxVisitAgeHours * 3600_000) return 'stale-visit';
    if (patient.deceased) return 'deceased';
    if (patient.nonDisclosure) return 'non-disclosure';
    if (patient.smsConsent === false) return 'consent-refused';
    if (age === null || age < rules.minAge) return 'under-age';
    if (!unit.enrolled) return 'unit-not-enrolled';
    if (unit.sensitive && rules.excludeSensitiveUnits) return 'sensitive-service';
    if (!mobile.ok) return mobile.reason;
    if (sampleDraw >= unit.sampling) return 'not-sampled';
    return null;
  })();
  const bars: SkipReason | null = patient.deceased
    ? 'deceased'
    : patient.nonDisclosure
      ? 'non-disclosure'
      : patient.smsConsent === false
        ? 'consent-refused'
        : null;
  return { ...facts, skip, bars };
}
