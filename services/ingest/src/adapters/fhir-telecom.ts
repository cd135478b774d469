import { chooseMobile } from '@kaiku/core';
import type { ContactPoint, Patient } from '@medplum/fhirtypes';
import { arr, str } from './fhir-values.ts';

/** A period bound as an instant; a date alone (or a year-month) covers its whole day, so its end is the next day's start (UTC, a day's grace). */
function boundOf(value: unknown, end: boolean): number {
  if (typeof value !== 'string') return Number.NaN;
  const ms = Date.parse(value);
  return end && /^\d{4}(-\d{2}(-\d{2})?)?$/u.test(value) ? ms + 86_400_000 : ms;
}

/**
 * The patient's phones in use now: not `old`, not ended (an end date counts whole), not starting
 * later. Of several different mobiles, the record's own preference picks one when it can: a
 * personal number before a `work` one (a survey about a visit is no employer's business), then the
 * lowest `rank`. Without one, all are passed on, and two mobiles are `ambiguous-phone`.
 */
export function phonesOf(patient: Patient, now: Date): string[] {
  const inUse = arr<ContactPoint>(patient.telecom)
    .filter((t) => (t.system === 'phone' || t.system === 'sms') && t.use !== 'old')
    .filter((t) => !t.period?.end || !(boundOf(t.period.end, true) <= now.getTime()))
    .filter((t) => !t.period?.start || !(boundOf(t.period.start, false) > now.getTime()))
    .flatMap((t) => {
      const value = str(t.value);
      return value ? [{ value, use: t.use, rank: typeof t.rank === 'number' && t.rank > 0 ? t.rank : Number.POSITIVE_INFINITY }] : [];
    });
  const values = inUse.map((t) => t.value);
  const mobiles = inUse.flatMap((t) => {
    const mobile = chooseMobile([t.value]);
    return mobile.ok ? [{ ...t, e164: mobile.e164 }] : [];
  });
  if (distinct(mobiles) < 2) return values;
  const personal = mobiles.some((t) => t.use !== 'work') ? mobiles.filter((t) => t.use !== 'work') : mobiles;
  const best = Math.min(...personal.map((t) => t.rank));
  const preferred = personal.filter((t) => t.rank === best);
  return distinct(preferred) === 1 ? preferred.map((t) => t.value) : values;
}

const distinct = (mobiles: Array<{ e164: string }>) => new Set(mobiles.map((t) => t.e164)).size;
