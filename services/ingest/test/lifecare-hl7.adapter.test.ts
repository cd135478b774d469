import { readFileSync } from 'node:fs';
import { visitEventSchema } from '@kaiku/core';
import { describe, expect, it } from 'vitest';
import { SourceMessageError } from '../src/adapters/adapter-error.ts';
import { parseEr7 } from '../src/adapters/hl7/er7.ts';
import { hl7Instant, lifecareToVisitEvent } from '../src/adapters/lifecare-hl7.adapter.ts';
import { FIXTURES, fixture, hl7With } from './helpers.ts';

const map = (bytes: Buffer) => visitEventSchema.parse(lifecareToVisitEvent(parseEr7(bytes), 'Europe/Helsinki'));
const issuesOf = (bytes: Buffer) => {
  try {
    lifecareToVisitEvent(parseEr7(bytes), 'Europe/Helsinki');
  } catch (error) {
    if (error instanceof SourceMessageError) return { kind: error.kind, fields: error.issues.map((i) => i.field), message: error.message };
    throw error;
  }
  throw new Error('mapped without error');
};

describe('Lifecare ADT → VisitEvent', () => {
  it('maps the A03 fixture to the canonical event of the fixtures', () => {
    const canonical = JSON.parse(readFileSync(new URL('canonical/visit-ended.json', FIXTURES), 'utf8'));
    const event = map(fixture('lifecare/a03-adult-fi.hl7'));
    expect(event).toMatchObject({
      source: canonical.source,
      sourceEventId: canonical.sourceEventId,
      kind: canonical.kind,
      visitId: canonical.visitId,
      unit: { id: canonical.unit.id },
      service: { type: 'T11' },
      patient: {
        personalId: canonical.patient.personalId,
        birthDate: canonical.patient.birthDate,
        mobilePhones: canonical.patient.mobilePhones,
        languages: { service: 'fi' },
        nonDisclosure: false,
        deceased: false,
      },
    });
    expect(new Date(event.endedAt as string).getTime()).toBe(new Date(canonical.endedAt).getTime());
  });

  it('maps the other fixtures', () => {
    expect(map(fixture('lifecare/a03-adult-sv.hl7'))).toMatchObject({
      unit: { id: '1.2.246.10.2085212.10.1320' },
      patient: { mobilePhones: ['0401234567'], languages: { service: 'sv' } },
    });
    expect(map(fixture('lifecare/a03-non-disclosure.hl7')).patient.nonDisclosure).toBe(true);
    expect(map(fixture('lifecare/a03-landline-only.hl7')).patient.mobilePhones).toEqual(['0912345678']);
    expect(map(fixture('lifecare/a08-patient-update.hl7'))).toMatchObject({
      kind: 'patient-updated',
      visitId: '2025111200123',
      patient: { mobilePhones: ['+358451234567'], languages: { service: 'sv' } },
    });
    expect(map(fixture('lifecare/a13-cancel-end-of-visit.hl7'))).toMatchObject({ kind: 'visit-cancelled', visitId: '2025111200123' });
  });

  it.each([
    ['A03', 'visit-ended'],
    ['A11', 'visit-cancelled'],
    ['A13', 'visit-cancelled'],
    ['A08', 'patient-updated'],
    ['A31', 'patient-updated'],
  ])('maps ADT^%s to %s', (trigger, kind) => {
    expect(map(hl7With('a03-adult-fi', { 'MSH-9': `ADT^${trigger}` })).kind).toBe(kind);
  });

  it('maps an A31 without a PV1 segment to a patient update by identity code only', () => {
    const a31 = fixture('lifecare/a08-patient-update.hl7')
      .toString('latin1')
      .replace('ADT^A08', 'ADT^A31')
      .split('\r')
      .filter((l) => !l.startsWith('PV1'))
      .join('\r');
    const event = map(Buffer.from(a31, 'latin1'));
    expect(event).toMatchObject({ kind: 'patient-updated', patient: { personalId: '010181-900C', mobilePhones: ['+358451234567'] } });
    expect(event.visitId).toBeUndefined();
  });

  it('takes the trigger from EVN-1 when MSH-9 has none', () => {
    expect(map(hl7With('a13-cancel-end-of-visit', { 'MSH-9': 'ADT' })).kind).toBe('visit-cancelled');
  });

  it('refuses any other message type as unsupported, naming it', () => {
    const result = issuesOf(hl7With('a03-adult-fi', { 'MSH-9': 'ADT^A01' }));
    expect(result).toMatchObject({ kind: 'unsupported', fields: ['MSH-9'] });
    expect(result.message).toContain('ADT^A01');
    expect(issuesOf(hl7With('a03-adult-fi', { 'MSH-9': 'ORU^R01' })).message).toContain('ORU^R01');
  });

  it('names every bad field of the malformed fixture', () => {
    expect(issuesOf(fixture('lifecare/a03-malformed.hl7'))).toMatchObject({
      kind: 'invalid',
      fields: ['PV1-19', 'PV1-45', 'PV1-39', 'PID-3'],
    });
  });

  it('names a bad end time', () => {
    expect(issuesOf(hl7With('a03-adult-fi', { 'PV1-45': '2025-11-12 15:33' }))).toMatchObject({ fields: ['PV1-45'] });
    expect(issuesOf(hl7With('a03-adult-fi', { 'PV1-45': '20251312153300' }))).toMatchObject({ fields: ['PV1-45'] });
  });

  it('takes the hetu only from the repetition with the population register OID', () => {
    const event = map(hl7With('a03-adult-fi', { 'PID-3': '12345^^^1.2.246.10.2085212.10.0^PI~010181-900C^^^1.2.246.21^NNFIN' }));
    expect(event.patient.personalId).toBe('010181-900C');
    expect(map(hl7With('a03-adult-fi', { 'PID-3': '12345^^^1.2.246.10.2085212.10.0^PI' })).patient.personalId).toBeUndefined();
  });

  it('refuses two different hetus for one patient, naming PID-3; the same one twice is one', () => {
    const two = issuesOf(hl7With('a03-adult-fi', { 'PID-3': '010181-900C^^^1.2.246.21^NNFIN~240799Y926J^^^1.2.246.21^NNFIN' }));
    expect(two).toMatchObject({ kind: 'invalid', fields: ['PID-3'] });
    expect(two.message).toContain('two different personal identity codes');
    expect(two.message).not.toContain('010181');
    const same = map(hl7With('a03-adult-fi', { 'PID-3': '010181-900C^^^1.2.246.21^NNFIN~010181-900c^^^&1.2.246.21&ISO' }));
    expect(same.patient.personalId).toBe('010181-900C');
    // unlabelled ones too; a labelled one still goes before any unlabelled one
    expect(issuesOf(hl7With('a03-adult-fi', { 'PID-3': '010181-900C~240799Y926J' }))).toMatchObject({ fields: ['PID-3'] });
    // a hetu-shaped value that is no valid code beside one that is: the valid one; alone, refused as invalid
    expect(map(hl7With('a03-adult-fi', { 'PID-3': '010181-900D~240799Y926J' })).patient.personalId).toBe('240799Y926J');
    expect(issuesOf(hl7With('a03-adult-fi', { 'PID-3': '010181-900D' })).message).toContain('not a valid personal identity code');
    const labelledFirst = map(hl7With('a03-adult-fi', { 'PID-3': '240799Y926J~010181-900C^^^1.2.246.21^NNFIN' }));
    expect(labelledFirst.patient.personalId).toBe('010181-900C');
  });

  it('finds the hetu OID as HD universal id (^^^&1.2.246.21&ISO), and skips a repetition without a value', () => {
    expect(map(hl7With('a03-adult-fi', { 'PID-3': '010181-900C^^^&1.2.246.21&ISO' })).patient.personalId).toBe('010181-900C');
    expect(map(hl7With('a03-adult-fi', { 'PID-3': '^^^1.2.246.21~010181-900C^^^HETU^NNFIN' })).patient.personalId).toBe('010181-900C');
  });

  it('reads every PID-13 repetition except fax and e-mail, and numbers given in parts', () => {
    const event = map(
      hl7With('a03-adult-fi', {
        'PID-13': '0912345678^PRN^PH~^NET^Internet^maija@example.org~0912345679^PRN^FX~^PRN^CP^^358^40^7654321~0401234567^ORN^CP',
      }),
    );
    expect(event.patient.mobilePhones).toEqual(['0912345678', '+358407654321', '0401234567']);
    // Parts without a country code: the area code as written, or with its trunk 0 added.
    const parts = map(hl7With('a03-adult-fi', { 'PID-13': '^PRN^CP^^^040^7654321~^PRN^CP^^^45^1234567~^PRN^CP^^358^040^1112223' }));
    expect(parts.patient.mobilePhones).toEqual(['0407654321', '0451234567', '+358401112223']);
    // Not the patient's own: an emergency contact's (EMR), an answering service (ASN), a beeper (BPN).
    const own = map(hl7With('a03-adult-fi', { 'PID-13': '0401111111^EMR^CP~0402222222^ASN^CP~0403333333^BPN^CP~0404444444^PRN^CP' }));
    expect(own.patient.mobilePhones).toEqual(['0404444444']);
    const many = Array.from({ length: 12 }, (_, i) => `04000000${String(i).padStart(2, '0')}^PRN^CP`).join('~');
    expect(map(hl7With('a03-adult-fi', { 'PID-13': many })).patient.mobilePhones).toHaveLength(10);
    // "" is HL7's explicit null: no number any more (an update withdraws the survey); empty leaves it as it was.
    expect(map(hl7With('a08-patient-update', { 'PID-13': '""' })).patient).toMatchObject({ mobilePhones: [], mobilePhonesRemoved: true });
    expect(map(hl7With('a08-patient-update', { 'PID-13': '' })).patient).not.toHaveProperty('mobilePhonesRemoved');
  });

  it('reads the numbers v2.5 on and v2.7 on write elsewhere: XTN.12 (unformatted) and PID-40 (an interface-engine probe: each was skipped as no-mobile)', () => {
    const v28 = (fields: Record<string, string>) => map(hl7With('a03-adult-fi', { 'MSH-12': '2.8', 'PID-13': '', ...fields }));
    expect(v28({ 'PID-40': '^PRN^CP^^358^40^1234567' }).patient.mobilePhones).toEqual(['+358401234567']);
    expect(v28({ 'PID-40': '^PRN^CP^^^^^^^^^+358401234567' }).patient.mobilePhones).toEqual(['+358401234567']);
    expect(v28({ 'PID-13': '^PRN^CP^^^^^^^^^0401234567' }).patient.mobilePhones).toEqual(['0401234567']);
    // both fields, and their parts: every number the patient has, not fax or another's
    expect(
      v28({ 'PID-13': '0401111111^PRN^CP', 'PID-40': '^PRN^FX^^^^^^^^^0912345678~^EMR^CP^^^^^^^^^0402222222~^PRN^CP^^^^^^^^^0401111111' })
        .patient.mobilePhones,
    ).toEqual(['0401111111', '0401111111']);
    expect(v28({ 'PID-40': '""' }).patient).toMatchObject({ mobilePhones: [], mobilePhonesRemoved: true });
  });

  it('reads non-disclosure from PD1-12 and deceased from PID-30 or a death date', () => {
    expect(map(hl7With('a03-non-disclosure', { 'PD1-12': 'N' })).patient.nonDisclosure).toBe(false);
    expect(map(hl7With('a03-adult-fi', { 'PID-30': 'Y' })).patient.deceased).toBe(true);
    expect(map(hl7With('a03-adult-fi', { 'PID-29': '20251112' })).patient.deceased).toBe(true);
    expect(map(hl7With('a03-adult-fi', { 'PID-29': '""' })).patient.deceased).toBe(false);
  });

  it('reads the language from PID-15.2 when only its name is sent', () => {
    expect(map(hl7With('a03-adult-fi', { 'PID-15': '^ruotsi' })).patient.languages).toEqual({ service: 'sv' });
    expect(map(hl7With('a03-adult-fi', { 'PID-15': '^English' })).patient.languages).toEqual({ service: 'en' });
  });

  it('falls back to PV1-3.4 for the unit, also as HD universal id', () => {
    expect(map(hl7With('a03-adult-fi', { 'PV1-39': '' })).unit.id).toBe('1.2.246.10.2085212.10.1314');
    expect(map(hl7With('a03-adult-fi', { 'PV1-39': '""', 'PV1-3': 'VAST1^^^&1.2.246.10.2085212.10.1320&ISO' })).unit.id).toBe(
      '1.2.246.10.2085212.10.1320',
    );
  });
});

describe('hl7Instant', () => {
  it('reads local Helsinki time, with or without seconds, and explicit offsets', () => {
    expect(hl7Instant('20251112153300', 'Europe/Helsinki')).toBe('2025-11-12T13:33:00.000Z');
    expect(hl7Instant('202507011533', 'Europe/Helsinki')).toBe('2025-07-01T12:33:00.000Z');
    expect(hl7Instant('20251112153300.1234+0000', 'Europe/Helsinki')).toBe('2025-11-12T15:33:00.000Z');
    expect(hl7Instant('20251112153300-0500', 'Europe/Helsinki')).toBe('2025-11-12T20:33:00.000Z');
    // hour precision is a TS too
    expect(hl7Instant('2025111215', 'Europe/Helsinki')).toBe('2025-11-12T13:00:00.000Z');
  });
  it('refuses dates without a time and nonsense', () => {
    expect(hl7Instant('20251112', 'Europe/Helsinki')).toBeNull();
    expect(hl7Instant('20251112256000', 'Europe/Helsinki')).toBeNull();
    expect(hl7Instant('yesterday', 'Europe/Helsinki')).toBeNull();
  });
  it('refuses an offset no place has, and never echoes the value it refuses', () => {
    expect(hl7Instant('202511121533+2500', 'Europe/Helsinki')).toBeNull();
    expect(hl7Instant('202511121533+1400', 'Europe/Helsinki')).toBe('2025-11-12T01:33:00.000Z');
    expect(issuesOf(hl7With('a03-adult-fi', { 'PV1-45': '010181-900C' })).message).not.toContain('010181');
  });

  it('refuses days a month does not have and years before 1900, instead of rolling them over', () => {
    expect(hl7Instant('202602301200', 'Europe/Helsinki')).toBeNull();
    expect(hl7Instant('202502291200', 'Europe/Helsinki')).toBeNull();
    expect(hl7Instant('202402291200', 'Europe/Helsinki')).toBe('2024-02-29T10:00:00.000Z');
    expect(hl7Instant('000001011200', 'Europe/Helsinki')).toBeNull();
  });
});
