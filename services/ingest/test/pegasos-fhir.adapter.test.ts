import { visitEventSchema } from '@kaiku/core';
import { describe, expect, it } from 'vitest';
import { SourceMessageError } from '../src/adapters/adapter-error.ts';
import { fhirInstant, pegasosToVisitEvents } from '../src/adapters/pegasos-fhir.adapter.ts';
import { fixture } from './helpers.ts';

const TZ = 'Europe/Helsinki';
const load = (name: string) => JSON.parse(fixture(`pegasos/${name}.json`).toString('utf8'));
const map = (body: unknown) =>
  pegasosToVisitEvents(body, TZ).map((m) => {
    if ('error' in m) throw m.error;
    return visitEventSchema.parse(m.event);
  });
const issues = (body: unknown) => {
  try {
    pegasosToVisitEvents(body, TZ);
  } catch (error) {
    if (error instanceof SourceMessageError) return { kind: error.kind, fields: error.issues.map((i) => i.field), message: error.message };
    throw error;
  }
  throw new Error('mapped without error');
};

/** The finished bundle's Encounter with its Patient contained instead. */
function loneEncounter() {
  const bundle = load('bundle-visit-finished-en');
  const encounter = bundle.entry[0].resource;
  const patient = { ...bundle.entry[1].resource, id: 'p1' };
  return { ...encounter, contained: [patient], subject: { reference: '#p1' } };
}

describe('Pegasos FHIR → VisitEvent', () => {
  it('keeps a local encounter number with its system: two organisations’ 714162 are two visits', () => {
    const of = (system: string) => ({ ...loneEncounter(), identifier: [{ use: 'usual', system, value: '714162' }] });
    const [a] = map(of('urn:oid:1.2.246.10.1111111.10.0'));
    const [b] = map(of('urn:oid:1.2.246.10.2222222.10.0'));
    expect(a?.visitId).toBe('urn:oid:1.2.246.10.1111111.10.0|714162');
    expect(b?.visitId).toBe('urn:oid:1.2.246.10.2222222.10.0|714162');
    // a value that is itself a global id stays as it is, and so does one without a system
    expect(map({ ...loneEncounter(), identifier: [{ use: 'usual', system: 'urn:x', value: 'urn:uuid:1' }] })[0]?.visitId).toBe(
      'urn:uuid:1',
    );
    expect(map({ ...loneEncounter(), identifier: [{ use: 'usual', value: '714162' }] })[0]?.visitId).toBe('714162');
  });

  it('leaves out an event id that holds a hetu, judged before it is cut (a cut hetu is still readable)', () => {
    const bundle = load('bundle-visit-finished-en');
    bundle.id = 'b'.repeat(64);
    bundle.entry[0].resource.id = `${'e'.repeat(52)}-210998-9048`;
    const [event] = map(bundle);
    expect(event?.sourceEventId).toBeUndefined();
  });

  it('maps the finished bundle', () => {
    expect(map(load('bundle-visit-finished-en'))).toEqual([
      {
        source: 'pegasos',
        sourceEventId: 'pegasos-evt-7f3c2a/enc-880121',
        kind: 'visit-ended',
        visitId: 'urn:oid:1.2.246.10.1234567.14011.2025.880121',
        endedAt: '2025-11-12T14:15:00.000Z',
        unit: { id: '1.2.246.10.1234567.10.21', name: 'Lohjan terveysasema' },
        service: { class: 'AMB', type: 'EE' },
        patient: {
          personalId: '240799Y926J',
          birthDate: '1999-07-24',
          mobilePhones: ['+358 50 765 4321'],
          languages: { service: 'en' },
          nonDisclosure: false,
          deceased: false,
        },
      },
    ]);
  });

  it('reads TURVAKIELTO as non-disclosure and the SFS language code', () => {
    const [event] = map(load('bundle-visit-finished-non-disclosure'));
    expect(event?.patient).toMatchObject({ nonDisclosure: true, languages: { service: 'fi' }, mobilePhones: ['0442223333'] });
  });

  it('maps entered-in-error and cancelled to visit-cancelled', () => {
    expect(map(load('bundle-visit-entered-in-error'))[0]?.kind).toBe('visit-cancelled');
    const cancelled = load('bundle-visit-finished-en');
    cancelled.entry[0].resource.status = 'cancelled';
    delete cancelled.entry[0].resource.period;
    expect(map(cancelled)[0]?.kind).toBe('visit-cancelled');
  });

  it('takes a lone Encounter with a contained Patient', () => {
    expect(map(loneEncounter())[0]).toMatchObject({ kind: 'visit-ended', patient: { personalId: '240799Y926J' } });
  });

  it('resolves Patient/id references and message bundles', () => {
    const bundle = load('bundle-visit-finished-en');
    bundle.type = 'message';
    bundle.entry.unshift({ resource: { resourceType: 'MessageHeader', id: 'h1' } });
    bundle.entry[1].resource.subject = { reference: 'Patient/pat-55120' };
    delete bundle.entry[2].fullUrl;
    expect(map(bundle)[0]?.patient.personalId).toBe('240799Y926J');
  });

  it('puts the preferred language first and reads deceased', () => {
    const enc = loneEncounter();
    enc.contained[0].communication = [
      { language: { coding: [{ system: 'urn:oid:1.2.246.537.5.40175', code: 'FI' }] } },
      { language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'sv-FI' }] }, preferred: true },
    ];
    enc.contained[0].deceasedDateTime = '2025-11-12';
    expect(map(enc)[0]?.patient).toMatchObject({ languages: { service: 'sv-fi' }, deceased: true });
  });

  it('ignores e-mail, old and ended numbers', () => {
    const enc = loneEncounter();
    enc.contained[0].telecom = [
      { system: 'phone', value: '040 111 1111', use: 'old' },
      { system: 'phone', value: '040 222 2222', period: { end: '2020-01-01' } },
      { system: 'email', value: 'a@example.org' },
      { system: 'sms', value: '040 333 3333' },
    ];
    expect(map(enc)[0]?.patient.mobilePhones).toEqual(['040 333 3333']);
  });

  it('of two mobiles takes the personal one before a work one, then the lowest rank; with no preference passes both', () => {
    const phones = (telecom: unknown[]) => {
      const enc = loneEncounter();
      enc.contained[0].telecom = telecom;
      return map(enc)[0]?.patient.mobilePhones;
    };
    const work = { system: 'phone', value: '040 111 1111', use: 'work' };
    expect(phones([work, { system: 'phone', value: '040 222 2222', use: 'mobile' }])).toEqual(['040 222 2222']);
    expect(
      phones([
        { ...work, use: 'mobile', rank: 2 },
        { system: 'phone', value: '040 222 2222', rank: 1 },
      ]),
    ).toEqual(['040 222 2222']);
    // the rank picks among mobiles only: a landline ranked first does not hide the mobile
    expect(
      phones([
        { system: 'phone', value: '09 123 4567', rank: 1 },
        { system: 'phone', value: '040 222 2222', rank: 2 },
      ]),
    ).toEqual(['09 123 4567', '040 222 2222']);
    expect(
      phones([
        { ...work, use: 'mobile' },
        { system: 'phone', value: '040 222 2222' },
      ]),
    ).toEqual(['040 111 1111', '040 222 2222']);
    expect(phones([work, { ...work, value: '040 222 2222' }])).toEqual(['040 111 1111', '040 222 2222']);
    // a rank is a positive whole number; anything else ranks nothing
    expect(
      phones([
        { ...work, use: 'mobile', rank: 1.5 },
        { system: 'phone', value: '040 222 2222', rank: 0 },
      ]),
    ).toHaveLength(2);
  });

  it('counts a phone whose period ends today (a date covers its whole day), and not one that starts later', () => {
    const enc = loneEncounter();
    const now = new Date('2026-11-27T10:00:00Z');
    enc.contained[0].telecom = [
      { system: 'phone', value: '040 111 1111', period: { end: '2026-11-27' } },
      { system: 'phone', value: '040 222 2222', period: { start: '2027-01-01' } },
      { system: 'phone', value: '040 333 3333', period: { end: '2026-11-26T23:00:00Z' } },
    ];
    const [mapped] = pegasosToVisitEvents(enc, TZ, now);
    expect(mapped && 'event' in mapped ? mapped.event.patient?.mobilePhones : null).toEqual(['040 111 1111']);
  });

  it('reads an end time without an offset as Helsinki time', () => {
    expect(fhirInstant('2025-07-01T15:33:00', TZ)).toBe('2025-07-01T12:33:00.000Z');
    expect(fhirInstant('2025-07-01', TZ)).toBeNull();
  });

  it('says what is wrong, by FHIR path', () => {
    expect(issues({ resourceType: 'Patient' })).toMatchObject({ kind: 'invalid', fields: ['resourceType'] });
    expect(issues([1, 2])).toMatchObject({ fields: ['(body)'] });
    expect(issues({ resourceType: 'Bundle', type: 'searchset', entry: [] })).toMatchObject({ fields: ['Bundle.type'] });
    expect(issues({ resourceType: 'Bundle', type: 'collection', entry: [] })).toMatchObject({ fields: ['Bundle.entry'] });
    const noPatient = load('bundle-visit-finished-en');
    noPatient.entry.pop();
    expect(issues(noPatient)).toMatchObject({ fields: ['Bundle.entry[0].resource.subject'] });
    const noEnd = loneEncounter();
    noEnd.period = { start: '2025-11-12T15:45:00+02:00' };
    expect(issues(noEnd)).toMatchObject({ fields: ['Encounter.period.end'] });
  });

  it('takes the unit OID among the organization’s identifiers, the hetu in use, and no guessed Patient', () => {
    const bundle = load('bundle-visit-finished-en');
    const encounter = bundle.entry[0].resource;
    encounter.serviceProvider = { reference: 'Organization/o1' };
    bundle.entry.push({
      resource: {
        resourceType: 'Organization',
        id: 'o1',
        identifier: [
          { system: 'http://www.vrk.fi/tietojarjestelmat/ytunnus', value: '0245437-2' },
          { system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.246.10.2085212.10.1320' },
        ],
      },
    });
    const patient = bundle.entry[1].resource;
    patient.identifier = [
      { use: 'old', system: 'urn:oid:1.2.246.21', value: '010181-900C' },
      { use: 'official', system: 'urn:oid:1.2.246.21', value: '240799Y926J' },
    ];
    expect(map(bundle)[0]).toMatchObject({ unit: { id: '1.2.246.10.2085212.10.1320' }, patient: { personalId: '240799Y926J' } });
    encounter.subject = { reference: 'Patient/not-here' };
    expect(issues(bundle)).toMatchObject({ kind: 'invalid', fields: ['Bundle.entry[0].resource.subject'] });
  });

  it('refuses two different hetus in use for one patient, and says when no subject picks one of two Patients', () => {
    const bundle = load('bundle-visit-finished-en');
    const patient = bundle.entry[1].resource;
    patient.identifier = [
      { use: 'official', system: 'urn:oid:1.2.246.21', value: '010181-900C' },
      { system: 'urn:oid:1.2.246.21', value: '240799Y926J' },
    ];
    const two = issues(bundle);
    expect(two).toMatchObject({ kind: 'invalid', fields: ['Patient.identifier'] });
    expect(two.message).toContain('two different personal identity codes');
    expect(two.message).not.toContain('010181');
    // one whose period has ended is no longer in use: the other is the patient's
    patient.identifier[1].period = { start: '2001-01-01', end: '2019-12-31' };
    expect(map(bundle)[0]?.patient.personalId).toBe('010181-900C');

    const twoPatients = load('bundle-visit-finished-en');
    delete twoPatients.entry[0].resource.subject;
    twoPatients.entry.push({ resource: { ...twoPatients.entry[1].resource, id: 'other' } });
    expect(issues(twoPatients).message).toContain('there are 2 Patients and no subject names one');
  });

  it('refuses days a month does not have, and names a missing status', () => {
    expect(fhirInstant('2026-02-30T12:00:00+02:00', TZ)).toBeNull();
    expect(fhirInstant('2026-04-31T12:00:00', TZ)).toBeNull();
    expect(fhirInstant('2024-02-29T12:00:00Z', TZ)).toBe('2024-02-29T12:00:00.000Z');
    const enc = loneEncounter();
    delete enc.status;
    expect(issues(enc)).toMatchObject({ kind: 'invalid', fields: ['Encounter.status'] });
  });

  it('of several encounters, returns each one it can’t take with its error and maps the others', () => {
    const bundle = load('bundle-visit-finished-en');
    const open = { ...bundle.entry[0].resource, id: 'e2', status: 'in-progress' };
    bundle.entry.push({ fullUrl: 'urn:uuid:e2', resource: open });
    const mapped = pegasosToVisitEvents(bundle, TZ);
    expect(mapped.map((m) => ('error' in m ? m.error.kind : 'mapped'))).toEqual(['mapped', 'unsupported']);
  });

  it('refuses an encounter that has not ended as unsupported', () => {
    const enc = loneEncounter();
    enc.status = 'in-progress';
    expect(issues(enc)).toMatchObject({ kind: 'unsupported', fields: ['Encounter.status'] });
  });
});
