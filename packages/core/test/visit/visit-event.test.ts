import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { visitEventSchema } from '../../src/visit/visit-event.ts';

const canonical = JSON.parse(readFileSync(new URL('../../../../../shared/fixtures/canonical/visit-ended.json', import.meta.url), 'utf8'));

describe('visitEventSchema', () => {
  it('accepts the canonical fixture as it is', () => {
    expect(visitEventSchema.parse(canonical)).toMatchObject({ source: 'lifecare', kind: 'visit-ended', visitId: '2025111200123' });
  });

  it('fills defaults for what a minimal event leaves out', () => {
    const event = visitEventSchema.parse({ source: 'x', kind: 'visit-cancelled', visitId: 'V', unit: { id: 'U' }, patient: {} });
    expect(event.patient).toEqual({ mobilePhones: [], languages: {}, nonDisclosure: false, deceased: false });
  });

  it('takes a cancellation with no unit and no patient, an update with no unit; a visit-ended needs both', () => {
    expect(visitEventSchema.safeParse({ source: 'x', kind: 'visit-cancelled', visitId: 'V' }).success).toBe(true);
    // what a cancellation does not use cannot lose it
    const junk = { source: 'x', kind: 'visit-cancelled', visitId: 'V', unit: 'junk', patient: 42, endedAt: 'nonsense' };
    expect(visitEventSchema.safeParse(junk).success).toBe(true);
    expect(visitEventSchema.safeParse({ source: 'x', kind: 'visit-cancelled' }).error?.issues[0]?.path).toEqual(['visitId']);
    expect(
      visitEventSchema.safeParse({ source: 'x', kind: 'patient-updated', visitId: 'V', patient: { mobilePhones: ['0401234567'] } }).success,
    ).toBe(true);
    expect(visitEventSchema.safeParse({ source: 'x', kind: 'patient-updated', visitId: 'V' }).error?.issues[0]?.path).toEqual(['patient']);
    const ended = visitEventSchema.safeParse({ source: 'x', kind: 'visit-ended', visitId: 'V', endedAt: '2026-01-01T10:00:00+02:00' });
    expect(ended.error?.issues.map((i) => i.path[0])).toEqual(expect.arrayContaining(['unit', 'patient']));
  });

  it('names the field of each mistake', () => {
    const result = visitEventSchema.safeParse({ ...canonical, kind: 'visit-started', endedAt: '2025-11-12 15:33', source: 'Life Care' });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['kind', 'endedAt', 'source']));
  });

  it('needs an end time with an offset for visit-ended', () => {
    expect(visitEventSchema.safeParse({ ...canonical, endedAt: undefined }).error?.issues[0]?.path).toEqual(['endedAt']);
    expect(visitEventSchema.safeParse({ ...canonical, endedAt: '2025-11-12T15:33:00' }).success).toBe(false);
  });

  it('needs the visit id except for a patient update that names the patient', () => {
    expect(visitEventSchema.safeParse({ ...canonical, visitId: undefined }).error?.issues[0]?.path).toEqual(['visitId']);
    expect(visitEventSchema.safeParse({ ...canonical, kind: 'patient-updated', visitId: undefined }).success).toBe(true);
    const neither = { ...canonical, kind: 'patient-updated', visitId: undefined, patient: { mobilePhones: ['0401234567'] } };
    expect(visitEventSchema.safeParse(neither).success).toBe(false);
  });

  it('refuses text Postgres could not store as sent, and years no visit or birth has', () => {
    const fieldsOf = (event: unknown) => visitEventSchema.safeParse(event).error?.issues.map((i) => i.path.join('.'));
    expect(fieldsOf({ ...canonical, visitId: 'A\u0000B' })).toEqual(['visitId']);
    expect(fieldsOf({ ...canonical, unit: { id: 'U\udfff' } })).toEqual(['unit.id']);
    expect(fieldsOf({ ...canonical, endedAt: '0000-01-01T00:00:00Z' })).toEqual(['endedAt']);
    expect(fieldsOf({ ...canonical, patient: { ...canonical.patient, birthDate: '0001-01-01' } })).toEqual(['patient.birthDate']);
    expect(visitEventSchema.safeParse({ ...canonical, visitId: 'Åland 🙂 ä' }).success).toBe(true);
  });

  it('bounds the sizes', () => {
    expect(visitEventSchema.safeParse({ ...canonical, visitId: 'x'.repeat(255) }).success).toBe(true);
    expect(visitEventSchema.safeParse({ ...canonical, visitId: 'x'.repeat(256) }).success).toBe(false);
    expect(
      visitEventSchema.safeParse({ ...canonical, patient: { ...canonical.patient, mobilePhones: Array(11).fill('040') } }).success,
    ).toBe(false);
  });

  it('reads null as absent (mobilePhones: null still removes the number), and an empty language code too', () => {
    const nulls = {
      ...canonical,
      sourceEventId: null,
      service: null,
      unit: { id: canonical.unit.id, name: null },
      patient: { ...canonical.patient, birthDate: null, smsConsent: null, languages: { service: '', mother: null }, nonDisclosure: null },
    };
    const event = visitEventSchema.parse(nulls);
    expect(event).not.toHaveProperty('sourceEventId');
    expect(event).not.toHaveProperty('service');
    expect(event.patient).toMatchObject({ languages: {}, nonDisclosure: false, mobilePhones: ['+358412345678'] });
    const removed = visitEventSchema.parse({ ...canonical, kind: 'patient-updated', patient: { mobilePhones: null, personalId: null } });
    expect(removed.patient).toEqual({ mobilePhones: [], mobilePhonesRemoved: true, languages: {}, nonDisclosure: false, deceased: false });
  });

  it('takes the unit OID with urn:oid: as FHIR writes it', () => {
    const event = visitEventSchema.parse({ ...canonical, unit: { id: 'urn:oid:1.2.246.10.2085212.10.1314' } });
    expect(event.unit.id).toBe('1.2.246.10.2085212.10.1314');
  });

  it('refuses a hetu in a unit or service code (the visit and event ids are masked at ingest instead)', () => {
    const fieldsOf = (event: unknown) => visitEventSchema.safeParse(event).error?.issues.map((i) => i.path.join('.'));
    expect(fieldsOf({ ...canonical, unit: { id: '010181-900C' } })).toEqual(['unit.id']);
    expect(fieldsOf({ ...canonical, service: { class: 'x 010181-900C' } })).toEqual(['service.class']);
    expect(fieldsOf({ ...canonical, unit: { id: 'urn:oid:' } })).toEqual(['unit.id']);
    expect(visitEventSchema.safeParse({ ...canonical, visitId: '010181-900C', sourceEventId: 'LC-010181-900C' }).success).toBe(true);
  });
});

describe('visitEventSchema: a misspelt key', () => {
  const issuesOf = (input: unknown) => {
    const r = visitEventSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const withPatient = (patient: Record<string, unknown>) => ({ ...canonical, patient: { ...canonical.patient, ...patient } });

  it('is refused, naming the key it reads as, where its default would apply unnoticed', () => {
    expect(issuesOf(withPatient({ nondisclosure: true }))).toEqual([
      'patient.nondisclosure: not a key of a visit event: did you mean nonDisclosure?',
    ]);
    expect(issuesOf(withPatient({ decesed: true }))).toEqual(['patient.decesed: not a key of a visit event: did you mean deceased?']);
    expect(issuesOf(withPatient({ mobile_phones: ['+358401234567'] }))).toEqual([
      'patient.mobile_phones: not a key of a visit event: did you mean mobilePhones?',
    ]);
    expect(issuesOf(withPatient({ sms_consent: false, languages: { Service: 'sv' } }))).toEqual([
      'patient.languages.Service: not a key of a visit event: did you mean service?',
      'patient.sms_consent: not a key of a visit event: did you mean smsConsent?',
    ]);
    expect(issuesOf({ ...canonical, endedat: canonical.endedAt })).toEqual(['endedat: not a key of a visit event: did you mean endedAt?']);
    // two letters swapped are one typo
    expect(issuesOf(withPatient({ decaesed: true }))).toEqual(['patient.decaesed: not a key of a visit event: did you mean deceased?']);
  });

  it('lets a record system’s own extra keys through, and a cancellation’s unused parts', () => {
    expect(issuesOf(withPatient({ name: 'Testi', email: 'x@example.org', deceasedAt: null }))).toEqual([]);
    expect(issuesOf({ ...canonical, ward: '3B', priority: 2 })).toEqual([]);
    const cancel = { source: 'lifecare', kind: 'visit-cancelled', visitId: '2025111200123', patient: { nondisclosure: true } };
    expect(issuesOf(cancel)).toEqual([]);
  });
});
