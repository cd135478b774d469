import { chooseMobile } from '@kaiku/core';
import type { ContactPoint, Patient } from '@medplum/fhirtypes';
import { arr, inPeriod, str } from './fhir-values.ts';

/**
 * The patient's phones in use now: not `old`, not ended (an end date counts whole), not starting
 * later. Of several different mobiles, the record's own preference picks one when it can: a
 * personal number before a `work` one (a survey about a visit is no employer's business), then the
 * lowest `rank`. Without one, all are passed on, and two mobiles are `ambiguous-phone`.
 */
export function phonesOf(patient: Patient, now: Date): string[] {
  const inUse = arr<ContactPoint>(patient.telecom)
    .filter((t) => (t.system === 'phone' || t.system === 'sms') && t.use !== 'old')
    .filter((t) => inPeriod(t.period, now))
    .flatMap((t) => {
      const value = str(t.value);
      return value
        ? [{ value, use: t.use, rank: Number.isInteger(t.rank) && (t.rank as number) > 0 ? (t.rank as number) : Number.POSITIVE_INFINITY }]
        : [];
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
