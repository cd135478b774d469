import { visitEventSchema } from '@kaiku/core';
import { describe, expect, it } from 'vitest';
import { SourceMessageError } from '../src/adapters/adapter-error.ts';
import { pegasosToVisitEvents } from '../src/adapters/pegasos-fhir.adapter.ts';
import { fixture } from './helpers.ts';

// Who the visit was for, and what may be said to them: read from the bundle as FHIR reads it.
const TZ = 'Europe/Helsinki';
const NOW = new Date('2025-11-13T10:00:00Z');
const load = () => JSON.parse(fixture('pegasos/bundle-visit-finished-en.json').toString('utf8'));
const map = (body: unknown) =>
  pegasosToVisitEvents(body, TZ, NOW).map((m) => {
    if ('error' in m) throw m.error;
    return visitEventSchema.parse(m.event);
  });
const refused = (body: unknown) => {
  try {
    pegasosToVisitEvents(body, TZ, NOW);
  } catch (error) {
    if (error instanceof SourceMessageError) return error.issues;
    throw error;
  }
  throw new Error('mapped without error');
};
const HETU_OID = 'urn:oid:1.2.246.21';
const patientOf = (bundle: ReturnType<typeof load>) => bundle.entry[1].resource;
const withHetu = (patient: Record<string, unknown>, hetu: string) => ({ ...patient, identifier: [{ system: HETU_OID, value: hetu }] });
const speaking = (patient: Record<string, unknown>, code: string) => ({
  ...patient,
  communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code }] } }],
});

/** Two servers' Patient/123 in one bundle, the encounter from server a; `order` puts b's first or last. */
function twoServers(order: 'b-first' | 'a-first', encounterUrl = 'https://a.example/fhir/Encounter/e1') {
  const bundle = load();
  const encounter = { ...bundle.entry[0].resource, subject: { reference: 'Patient/123' } };
  const a = { fullUrl: 'https://a.example/fhir/Patient/123', resource: speaking({ ...patientOf(bundle), id: '123' }, 'en') };
  const b = { fullUrl: 'https://b.example/fhir/Patient/123', resource: speaking({ ...patientOf(bundle), id: '123' }, 'sv') };
  const patients = order === 'b-first' ? [b, a] : [a, b];
  return { ...bundle, entry: [{ fullUrl: encounterUrl, resource: encounter }, ...patients] };
}

describe('Pegasos FHIR: references', () => {
  it('reads a relative reference against the encounter’s own server, whatever the entries’ order', () => {
    expect(map(twoServers('b-first'))[0]?.patient.languages.service).toBe('en');
    expect(map(twoServers('a-first'))[0]?.patient.languages.service).toBe('en');
  });

  it('refuses a reference that two entries could answer, rather than taking the first', () => {
    const issues = refused(twoServers('b-first', 'urn:uuid:6f1d0c55-3c1e-4a55-9a0e-1b7c2f0e9a01'));
    expect(issues).toEqual([{ field: 'Bundle.entry[0].resource.subject', message: expect.stringContaining('any of 2 Patients') }]);
  });

  it('refuses two entries under one fullUrl (a reference to it would be a guess)', () => {
    const bundle = load();
    const other = { fullUrl: bundle.entry[1].fullUrl, resource: speaking(patientOf(bundle), 'sv') };
    bundle.entry.push(other);
    expect(refused(bundle)).toEqual([{ field: 'Bundle.entry[2].fullUrl', message: expect.stringContaining('Bundle.entry[1]') }]);
  });

  it('takes a versioned reference (Patient/123/_history/2) as the resource it versions', () => {
    const bundle = load();
    bundle.entry[0].resource.subject = { reference: 'Patient/pat-55120/_history/2' };
    expect(map(bundle)[0]?.patient.personalId).toBe('240799Y926J');
  });

  it('refuses an encounter whose subject identifier names another hetu than its Patient’s', () => {
    const bundle = load();
    bundle.entry[0].resource.subject = { ...bundle.entry[0].resource.subject, identifier: { system: HETU_OID, value: '010181-900C' } };
    expect(refused(bundle)).toEqual([
      { field: 'Bundle.entry[0].resource.subject.identifier', message: expect.stringContaining('another personal identity code') },
    ]);
    bundle.entry[0].resource.subject.identifier.value = '240799y926j';
    expect(map(bundle)[0]?.patient.personalId).toBe('240799Y926J');
  });

  it('names the Organization a serviceProvider reference misses, and a status that is not a code', () => {
    const bundle = load();
    bundle.entry[0].resource.serviceProvider = { reference: 'Organization/nope' };
    expect(refused(bundle)).toEqual([
      { field: 'Bundle.entry[0].resource.serviceProvider', message: expect.stringContaining('names no Organization') },
    ]);
    const numbered = load();
    numbered.entry[0].resource.status = 5;
    expect(refused(numbered)).toEqual([{ field: 'Bundle.entry[0].resource.status', message: 'must be a code (a string), got number' }]);
  });
});

describe('Pegasos FHIR: what may be said to the patient', () => {
  it('keeps a non-disclosure label on the Bundle for every encounter in it', () => {
    const bundle = { ...load(), meta: { security: [{ system: 'http://example.org/turvakielto', code: 'TURVAKIELTO' }] } };
    expect(map(bundle)[0]?.patient.nonDisclosure).toBe(true);
    expect(map(load())[0]?.patient.nonDisclosure).toBe(false);
  });

  it('reads the standard language code beside a local one', () => {
    const bundle = load();
    bundle.entry[1].resource.communication = [
      {
        language: {
          coding: [
            { system: 'urn:oid:1.2.246.537.5.40', code: 'RUOTSI' },
            { system: 'urn:ietf:bcp:47', code: 'sv' },
          ],
        },
      },
    ];
    expect(map(bundle)[0]?.patient.languages.service).toBe('sv');
    bundle.entry[1].resource.communication = [{ language: { coding: [{ code: 'RUOTSI' }, { code: 'sv-FI' }] } }];
    expect(map(bundle)[0]?.patient.languages.service).toBe('sv-fi');
  });

  it('reads a birth year or month without a hetu as its last day: never older than the patient can be', () => {
    const of = (birthDate: string) => {
      const bundle = load();
      bundle.entry[1].resource = { ...patientOf(bundle), identifier: [], birthDate };
      return map(bundle)[0]?.patient.birthDate;
    };
    expect(of('1981')).toBe('1981-12-31');
    expect(of('1981-02')).toBe('1981-02-28');
    expect(of('2008-02')).toBe('2008-02-29');
    expect(of('1999-07-24')).toBe('1999-07-24');
  });

  it('with a hetu, takes a birth year that agrees with it and refuses one that does not', () => {
    const of = (birthDate: string) => {
      const bundle = load();
      bundle.entry[1].resource = { ...withHetu(patientOf(bundle), '240799Y926J'), birthDate };
      return bundle;
    };
    expect(map(of('1999'))[0]?.patient.birthDate).toBeUndefined();
    expect(map(of('1999-07'))[0]?.patient.personalId).toBe('240799Y926J');
    expect(refused(of('1998'))).toEqual([{ field: 'Patient.birthDate', message: 'does not match the personal identity code' }]);
    expect(refused(of('1999-08'))).toEqual([{ field: 'Patient.birthDate', message: 'does not match the personal identity code' }]);
  });
});

describe('Pegasos FHIR: the encounter number', () => {
  it('reads an OID system sent bare, or with its prefix in capitals, as urn:oid: (a cancel written either way finds its visit)', () => {
    const withSystem = (system: string) => {
      const bundle = load();
      bundle.entry[0].resource.identifier = [{ use: 'official', system, value: 'V-B1' }];
      return map(bundle)[0]?.visitId;
    };
    expect(withSystem('urn:oid:1.2.246.10.1234567.10.0')).toBe('urn:oid:1.2.246.10.1234567.10.0|V-B1');
    expect(withSystem('1.2.246.10.1234567.10.0')).toBe('urn:oid:1.2.246.10.1234567.10.0|V-B1');
    expect(withSystem('URN:OID:1.2.246.10.1234567.10.0')).toBe('urn:oid:1.2.246.10.1234567.10.0|V-B1');
    expect(withSystem('https://pegasos.example/encounters')).toBe('https://pegasos.example/encounters|V-B1');
  });
});

describe('Pegasos FHIR: the period', () => {
  it('refuses an end before the start (one of them is wrong, and the end decides the send time)', () => {
    const bundle = load();
    bundle.entry[0].resource.period = { start: '2025-11-12T16:15:00+02:00', end: '2025-11-12T15:45:00+02:00' };
    expect(refused(bundle)).toEqual([{ field: 'Bundle.entry[0].resource.period.end', message: 'is before period.start' }]);
    bundle.entry[0].resource.period = { start: '2025-11-12', end: '2025-11-12T15:45:00+02:00' }; // a day alone: not compared
    expect(map(bundle)[0]?.endedAt).toBe('2025-11-12T13:45:00.000Z');
  });
});

describe('Pegasos FHIR: the regression probe of the same session', () => {
  it('refuses a Bundle security label list that is not a list (TURVAKIELTO there would go unread)', () => {
    const bundle = { ...load(), meta: { security: { code: 'TURVAKIELTO' } } };
    expect(refused(bundle)).toEqual([{ field: 'Bundle.meta.security', message: 'must be an array of Coding' }]);
  });

  it('reads a hetu system written in capitals (URN:OID:1.2.246.21) on the Patient and on the subject', () => {
    const bundle = load();
    bundle.entry[1].resource.identifier = [{ system: 'URN:OID:1.2.246.21', value: '240799Y926J' }];
    expect(map(bundle)[0]?.patient.personalId).toBe('240799Y926J');
    bundle.entry[0].resource.subject = {
      ...bundle.entry[0].resource.subject,
      identifier: { system: 'URN:OID:1.2.246.21', value: '010181-900C' },
    };
    expect(refused(bundle)).toEqual([
      { field: 'Bundle.entry[0].resource.subject.identifier', message: expect.stringContaining('another personal identity code') },
    ]);
  });

  it('refuses a birth date that is no date, rather than taking the patient for under age', () => {
    const bundle = load();
    bundle.entry[1].resource = { ...patientOf(bundle), identifier: [], birthDate: '2008-13' };
    expect(refused(bundle)).toEqual([{ field: 'Patient.birthDate', message: 'not a date (YYYY, YYYY-MM or YYYY-MM-DD)' }]);
  });
});
