import { describe, expect, it } from 'vitest';
import { assessVisit, type EligibilityRules, InvalidVisitError, SKIP_REASONS, type UnitRule } from '../../src/visit/eligibility.ts';
import { type VisitEvent, visitEventSchema } from '../../src/visit/visit-event.ts';

const NOW = new Date('2026-03-12T16:00:00+02:00');
const rules: EligibilityRules = {
  timezone: 'Europe/Helsinki',
  minAge: 18,
  otherLanguage: 'fi',
  maxVisitAgeHours: 72,
  excludeSensitiveUnits: false,
};
const unit: UnitRule = { enrolled: true, sensitive: false, sampling: 1 };

function visit(patch: Record<string, unknown> = {}, patient: Record<string, unknown> = {}): VisitEvent {
  return visitEventSchema.parse({
    source: 'lifecare',
    kind: 'visit-ended',
    visitId: 'V1',
    endedAt: '2026-03-12T15:33:00+02:00',
    unit: { id: '1.2.246.10.2085212.10.1314' },
    ...patch,
    patient: { personalId: '010181-900C', mobilePhones: ['040 123 4567'], languages: { service: 'fi' }, ...patient },
  });
}
const assess = (event: VisitEvent, u: Partial<UnitRule> = {}, r: Partial<EligibilityRules> = {}, draw = 0.5) =>
  assessVisit(event, { ...unit, ...u }, { ...rules, ...r }, NOW, draw);

describe('assessVisit', () => {
  it('lets an adult with one mobile through, with the facts the ingest needs', () => {
    expect(assess(visit())).toEqual({
      visitDay: '2026-03-12',
      ageBand: '45-54',
      language: 'fi',
      mobile: '+358401234567',
      personalId: '010181-900C',
      skip: null,
      bars: null,
    });
  });

  it('says what bars every text to the patient even when the visit is skipped for another reason', () => {
    const stale = visit({ endedAt: '2026-01-01T10:00:00+02:00' }, { deceased: true });
    expect(assess(stale)).toMatchObject({ skip: 'stale-visit', bars: 'deceased' });
    expect(assess(visit({}, { smsConsent: false }))).toMatchObject({ bars: 'consent-refused' });
  });

  it('uses the local visit day, not the UTC one', () => {
    expect(assess(visit({ endedAt: '2026-03-11T22:30:00Z' })).visitDay).toBe('2026-03-12');
  });

  it('skips minors by age at the visit, from the hetu or the birth date', () => {
    expect(assess(visit({}, { personalId: '290208A948Y' })).skip).toBeNull(); // born on 29 February 2008: 18 since 1 March 2026
    expect(assess(visit({}, { personalId: undefined, birthDate: '2008-03-13' })).skip).toBe('under-age');
    expect(assess(visit({}, { personalId: undefined, birthDate: '2008-03-12' })).skip).toBeNull();
    expect(assess(visit({}, { personalId: '051115A9310' })).skip).toBe('under-age');
    expect(assess(visit(), {}, { minAge: 50 }).skip).toBe('under-age');
  });

  it('skips a patient whose age is unknown as under-age (an adult can not be shown)', () => {
    expect(assess(visit({}, { personalId: undefined })).skip).toBe('under-age');
  });

  it('rejects a hetu with a wrong check character instead of guessing', () => {
    expect(() => assess(visit({}, { personalId: '010181-900D' }))).toThrow(InvalidVisitError);
    expect(() => assess(visit({}, { personalId: '010181-900D' }))).toThrow(/patient.personalId: wrong check character/);
  });

  it('rejects a birth date that contradicts the hetu', () => {
    expect(() => assess(visit({}, { birthDate: '1981-01-02' }))).toThrow(/patient.birthDate/);
  });

  it.each([
    [{ mobilePhones: ['09 1234 5678'] }, 'no-mobile'],
    [{ mobilePhones: [] }, 'no-mobile'],
    [{ mobilePhones: ['040 123 4567', '050 123 4567'] }, 'ambiguous-phone'],
    [{ nonDisclosure: true }, 'non-disclosure'],
    [{ deceased: true }, 'deceased'],
    [{ smsConsent: false }, 'consent-refused'],
  ])('skips %o as %s', (patient, reason) => {
    expect(assess(visit({}, patient)).skip).toBe(reason);
  });

  it('lets smsConsent unknown or true through', () => {
    expect(assess(visit({}, { smsConsent: true })).skip).toBeNull();
  });

  it('skips units that are not enrolled', () => {
    expect(assess(visit(), { enrolled: false, sampling: 0 }).skip).toBe('unit-not-enrolled');
  });

  it('skips sensitive units only when the county excludes them', () => {
    expect(assess(visit(), { sensitive: true }, { excludeSensitiveUnits: true }).skip).toBe('sensitive-service');
    expect(assess(visit(), { sensitive: true }, { excludeSensitiveUnits: false }).skip).toBeNull();
  });

  it('samples by the unit share with the draw it is given', () => {
    expect(assess(visit(), { sampling: 0.5 }, {}, 0.49).skip).toBeNull();
    expect(assess(visit(), { sampling: 0.5 }, {}, 0.5).skip).toBe('not-sampled');
    expect(assess(visit(), { sampling: 0 }, {}, 0).skip).toBe('not-sampled');
  });

  it('skips visits older than 72 hours (replayed history) and from the future', () => {
    expect(assess(visit({ endedAt: '2026-03-09T15:59:00+02:00' })).skip).toBe('stale-visit');
    expect(assess(visit({ endedAt: '2026-03-09T16:01:00+02:00' })).skip).toBeNull();
    expect(assess(visit({ endedAt: '2026-03-12T16:04:00+02:00' })).skip).toBeNull(); // clock skew
    expect(assess(visit({ endedAt: '2026-03-12T16:06:00+02:00' })).skip).toBe('future-visit');
  });

  it('never says "stale" of a visit that must not be texted anyway: stale wins for old replays', () => {
    expect(assess(visit({ endedAt: '2025-11-12T15:33:00+02:00' }, { personalId: '051115A9310' })).skip).toBe('stale-visit');
  });

  it('picks the language: service first, then mother tongue, others to the county choice', () => {
    expect(assess(visit({}, { languages: { service: 'sv', mother: 'fi' } })).language).toBe('sv');
    expect(assess(visit({}, { languages: { mother: 'en' } })).language).toBe('en');
    expect(assess(visit({}, { languages: { service: 'ar' } }), {}, { otherLanguage: 'en' }).language).toBe('en');
  });

  it('names every skip reason of the contract', () => {
    expect(SKIP_REASONS).toEqual([
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
    ]);
  });
});
