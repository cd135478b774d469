import { phoneHashOf } from '@kaiku/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, type IngestHarness, invitationOf, keys, postJson, startIngest, testHetu, uniqueId } from './helpers.ts';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest();
});
afterAll(async () => h.close());

const FHIR = 'application/fhir+json';
const post = (body: unknown, token = 'pg-token', type = FHIR) => postJson(`${h.url}/v1/sources/pegasos/fhir`, body, token, type);

/** A fixture bundle made current: its own encounter id, a fresh patient, ended an hour ago. */
function fresh(name: string, hetu = testHetu('1999-07-24')) {
  const bundle = JSON.parse(fixture(`pegasos/${name}.json`).toString('utf8'));
  const encounter = bundle.entry[0].resource;
  const patient = bundle.entry[1].resource;
  const visitId = uniqueId('urn:oid:1.2.246.10.1234567.14011.2026.');
  encounter.identifier[1].value = visitId;
  encounter.period.end = new Date(Date.now() - 3600_000).toISOString();
  patient.identifier[0].value = hetu;
  delete patient.birthDate;
  return { bundle, visitId, encounter, patient };
}

type Edit = [(f: ReturnType<typeof fresh>) => void, string, string];
/** Each edit of the fixture is 400, an OperationOutcome naming `expression` and saying `says`; nothing stored. */
async function expectRefused(cases: Edit[]) {
  for (const [edit, expression, says] of cases) {
    const f = fresh('bundle-visit-finished-en');
    edit(f);
    const res = await post(f.bundle);
    expect(res.status, expression).toBe(400);
    expect(res.json, expression).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ expression: [expression] }] });
    expect(JSON.stringify(res.json), expression).toContain(says);
    expect(await invitationOf(h.pool, 'pegasos', f.visitId)).toBeUndefined();
  }
}

describe('POST /v1/sources/pegasos/fhir', () => {
  it('schedules the finished bundle in English: 201 with the outcome', async () => {
    const f = fresh('bundle-visit-finished-en');
    const res = await post(f.bundle);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ outcome: 'scheduled', visitId: f.visitId, language: 'en' });
    expect(await invitationOf(h.pool, 'pegasos', f.visitId)).toMatchObject({
      status: 'scheduled',
      phone_hash: phoneHashOf(keys, '+358507654321'),
    });
  });

  it('accepts plain application/json too, and any label curl puts on it', async () => {
    expect((await post(fresh('bundle-visit-finished-en').bundle, 'pg-token', 'application/json')).status).toBe(201);
    expect((await post(fresh('bundle-visit-finished-en').bundle, 'pg-token', 'application/x-www-form-urlencoded')).status).toBe(201);
  });

  it('takes the finished encounter of a bundle that also holds one still in progress', async () => {
    const f = fresh('bundle-visit-finished-en');
    const openId = uniqueId('x');
    f.bundle.entry.push({ resource: { ...f.encounter, id: 'still-open', status: 'in-progress', identifier: [{ value: openId }] } });
    const res = await post(f.bundle);
    expect(res.status).toBe(200);
    const results = res.json.results as Array<{ outcome: string; field?: string; visitId?: string }>;
    expect(results.map((r) => r.outcome)).toEqual(['scheduled', 'rejected']);
    expect(results[1]?.field).toContain('status');
    expect(results[1]?.visitId).toBe(openId); // named, as the one taken is
    expect(await invitationOf(h.pool, 'pegasos', f.visitId)).toMatchObject({ status: 'scheduled' });
  });

  it('answers FHIR XML with 415 not-supported, saying to send JSON', async () => {
    const res = await post('<Bundle xmlns="http://hl7.org/fhir"/>', 'pg-token', 'application/fhir+xml');
    expect(res.status).toBe(415);
    expect(res.json).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-supported' }] });
    expect(JSON.stringify(res.json)).toContain('application/fhir+json');
  });

  it('answers broken or empty JSON with 400 in its own words, whatever the label', async () => {
    for (const [body, says] of [
      ['{"resourceType": "Bundle", ', 'the body is not valid JSON'],
      ['', 'the body is empty'],
    ] as const) {
      const res = await post(body);
      expect(res.status).toBe(400);
      const text = JSON.stringify(res.json);
      expect(text).toContain(says);
      expect(text).not.toContain("'application/json'");
    }
  });

  it('skips the non-disclosure fixture', async () => {
    const f = fresh('bundle-visit-finished-non-disclosure', testHetu('2000-06-15'));
    const res = await post(f.bundle);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ outcome: 'skipped', visitId: f.visitId, reason: 'non-disclosure' });
  });

  it('cancels with entered-in-error', async () => {
    const f = fresh('bundle-visit-finished-en');
    await post(f.bundle);
    const cancel = JSON.parse(fixture('pegasos/bundle-visit-entered-in-error.json').toString('utf8'));
    cancel.entry[0].resource.identifier[1].value = f.visitId;
    const res = await post(cancel);
    expect(res.json).toEqual({ outcome: 'cancelled', visitId: f.visitId });
    expect(await invitationOf(h.pool, 'pegasos', f.visitId)).toMatchObject({ status: 'cancelled' });
    // the Encounter's identifier is enough: no Patient, or one with a broken hetu, does not lose it
    for (const edit of [
      (b: { entry: Array<{ resource: Record<string, unknown> }> }) => {
        b.entry.pop();
        delete (b.entry[0] as { resource: Record<string, unknown> }).resource.subject;
      },
      (b: { entry: Array<{ resource: Record<string, unknown> }> }) => {
        ((b.entry[1] as { resource: { identifier: Array<{ value: unknown }> } }).resource.identifier[0] as { value: unknown }).value = 42;
      },
    ]) {
      const g = fresh('bundle-visit-finished-en');
      expect((await post(g.bundle)).status).toBe(201);
      const c = JSON.parse(fixture('pegasos/bundle-visit-entered-in-error.json').toString('utf8'));
      c.entry[0].resource.identifier[1].value = g.visitId;
      edit(c);
      expect((await post(c)).json).toEqual({ outcome: 'cancelled', visitId: g.visitId });
      expect(await invitationOf(h.pool, 'pegasos', g.visitId)).toMatchObject({ status: 'cancelled' });
    }
  });

  it('takes a lone Encounter with a contained Patient', async () => {
    const f = fresh('bundle-visit-finished-en');
    const encounter = { ...f.encounter, contained: [{ ...f.patient, id: 'p' }], subject: { reference: '#p' } };
    expect((await post(encounter)).json).toMatchObject({ outcome: 'scheduled', visitId: f.visitId });
  });

  it('answers several encounters in one bundle in order', async () => {
    const a = fresh('bundle-visit-finished-en');
    const b = fresh('bundle-visit-finished-en');
    b.encounter.subject = { reference: 'urn:uuid:second' };
    const bundle = {
      ...a.bundle,
      type: 'transaction',
      entry: [...a.bundle.entry, { resource: b.encounter }, { fullUrl: 'urn:uuid:second', resource: b.patient }],
    };
    const res = await post(bundle);
    expect(res.status).toBe(200);
    expect((res.json.results as Array<{ outcome: string; visitId: string }>).map((r) => [r.outcome, r.visitId])).toEqual([
      ['scheduled', a.visitId],
      ['scheduled', b.visitId],
    ]);
  });

  it('answers a wrong hetu with 400 and an OperationOutcome naming Patient.identifier', async () => {
    const res = await post(fresh('bundle-visit-finished-en', '240799Y926K').bundle);
    expect(res.status).toBe(400);
    expect(res.type).toContain(FHIR);
    expect(res.json).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'invalid', expression: ['Patient.identifier'] }],
    });
    expect((res.json.issue as Array<{ diagnostics: string }>)[0]?.diagnostics).toBe('Patient.identifier: wrong check character');
    // Kaiku's outcome too, as the canonical endpoint answers a refused visit (an acceptance probe).
    expect(res.json).toMatchObject({
      outcome: 'rejected',
      field: 'Patient.identifier',
      error: 'Patient.identifier: wrong check character',
    });
  });

  it('names a refused Encounter rejected in its OperationOutcome, whether the mapping or the schema refused it', async () => {
    const inProgress = fresh('bundle-visit-finished-en');
    Object.assign(inProgress.encounter, { status: 'in-progress' });
    const unsupported = await post(inProgress.bundle);
    expect(unsupported.status).toBe(422);
    expect(unsupported.json).toMatchObject({
      resourceType: 'OperationOutcome',
      outcome: 'rejected',
      field: expect.stringContaining('status'),
    });
    const noEnd = fresh('bundle-visit-finished-en');
    Object.assign(noEnd.encounter, { period: {} });
    const invalid = await post(noEnd.bundle);
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ resourceType: 'OperationOutcome', outcome: 'rejected', error: expect.any(String) });
  });

  it('refuses a non-disclosure label, deceased flag or hetu in a shape FHIR does not allow, and a modifier extension', async () => {
    const cases: Array<[(f: ReturnType<typeof fresh>) => void, number, string]> = [
      [(f) => Object.assign(f.patient, { meta: { security: { code: 'TURVAKIELTO' } } }), 400, 'Patient.meta.security'],
      [
        (f) => Object.assign(f.encounter, { meta: { security: [{ code: 'TURVAKIELTO' }, 'x'] } }),
        400,
        'Bundle.entry[0].resource.meta.security',
      ],
      [(f) => Object.assign(f.patient, { deceasedBoolean: 'true' }), 400, 'Patient.deceasedBoolean'],
      [(f) => Object.assign(f.patient.identifier[0], { value: 240799926 }), 400, 'Patient.identifier'],
      [
        (f) => Object.assign(f.patient, { modifierExtension: [{ url: 'https://example.org/not-this-patient', valueBoolean: true }] }),
        422,
        'Patient.modifierExtension',
      ],
      [
        (f) =>
          Object.assign(f.patient.identifier[0], { modifierExtension: [{ url: 'https://example.org/not-in-use', valueBoolean: true }] }),
        422,
        'Patient.identifier[0].modifierExtension',
      ],
    ];
    for (const [edit, status, expression] of cases) {
      const f = fresh('bundle-visit-finished-en');
      edit(f);
      const res = await post(f.bundle);
      expect(res.status, expression).toBe(status);
      expect(res.json).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ expression: [expression] }] });
      expect(await invitationOf(h.pool, 'pegasos', f.visitId)).toBeUndefined();
    }
  });

  it('refuses an element FHIR R4 does not define where it decides who is texted (a dead or protected patient would be)', async () => {
    const label = { system: 'https://hl7.fi/fhir/finnish-base-profiles/CodeSystem/fi-base-security-label-cs', code: 'TURVAKIELTO' };
    const cases: Edit[] = [
      [(f) => Object.assign(f.patient, { deceased: true }), 'Patient.deceased', 'deceasedBoolean or deceasedDateTime'],
      [(f) => Object.assign(f.patient, { deceasedboolean: true }), 'Patient.deceasedboolean', 'deceasedBoolean'],
      [(f) => Object.assign(f.patient, { meta: { securty: [label] } }), 'Patient.meta.securty', 'Meta'],
      [(f) => Object.assign(f.patient, { meta: { security: [{ coding: [label] }] } }), 'Patient.meta.security[0].coding', 'Coding'],
      [(f) => Object.assign(f.patient, { meta: { security: [{ code: ['TURVAKIELTO'] }] } }), 'Patient.meta.security[0].code', 'a string'],
      [(f) => Object.assign(f.encounter, { meta: { securty: [label] } }), 'Bundle.entry[0].resource.meta.securty', 'Meta'],
      [(f) => Object.assign(f.patient.telecom[0], { perod: { end: '2020-01-01' } }), 'Patient.telecom[0].perod', 'ContactPoint'],
    ];
    await expectRefused(cases);
    // What FHIR defines is taken, also an extension beside a primitive, and extras of a cancellation are not read.
    const f = fresh('bundle-visit-finished-en');
    Object.assign(f.patient, { _birthDate: { extension: [] }, active: true, address: [{ city: 'Kyyjärvi' }], extension: [] });
    expect((await post(f.bundle)).status).toBe(201);
  });

  it('refuses a bundle entry that could hide a visit: a misspelt Encounter, an entry with no resource or no type', async () => {
    const cases: Edit[] = [
      [
        (f) => f.bundle.entry.push({ resource: { ...f.encounter, resourceType: 'Encouner', id: 'e2' } }),
        'Bundle.entry[2].resource.resourceType',
        'Encounter?',
      ],
      [
        (f) => f.bundle.entry.push({ resource: { ...f.patient, resourceType: 'patient' } }),
        'Bundle.entry[2].resource.resourceType',
        'Patient?',
      ],
      [(f) => f.bundle.entry.push({}), 'Bundle.entry[2].resource', 'no resource'],
      [(f) => f.bundle.entry.push({ resource: { id: 'x' } }), 'Bundle.entry[2].resource.resourceType', 'no resourceType'],
    ];
    await expectRefused(cases);
    // A transaction's request alone, and resources Kaiku does not read, are passed over.
    const f = fresh('bundle-visit-finished-en');
    f.bundle.entry.push(
      { request: { method: 'DELETE', url: 'Observation/1' } },
      { response: { status: '201 Created', location: 'Observation/9/_history/1' } },
      { resource: { resourceType: 'Practitioner', id: 'p1' } },
    );
    expect((await post(f.bundle)).status).toBe(201);
    // An element FHIR does not define in the Bundle's meta: refused for a visit, not for a cancellation (it does not read it).
    const odd = fresh('bundle-visit-finished-en');
    odd.bundle.meta = { lastUpdated: '2026-11-27T10:00:00Z', vendorTraceId: 'abc' };
    expect(await post(odd.bundle)).toMatchObject({ status: 400, json: { issue: [{ expression: ['Bundle.meta.vendorTraceId'] }] } });
    const cancel = fresh('bundle-visit-entered-in-error');
    cancel.bundle.meta = { lastUpdated: '2026-11-27T10:00:00Z', vendorTraceId: 'abc' };
    expect(await post(cancel.bundle)).toMatchObject({ status: 200, json: { outcome: 'cancelled' } });
  });

  it('names Encounter.class.code when the class code is refused, not serviceType', async () => {
    const f = fresh('bundle-visit-finished-en');
    f.encounter.class.code = 'X'.repeat(70);
    const res = await post(f.bundle);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ issue: [{ expression: ['Encounter.class.code'] }] });
  });

  it('reads the hetu by the bare OID, or by type NNFIN without a system: one survey per patient and day', async () => {
    const hetu = testHetu('1999-07-24');
    const first = fresh('bundle-visit-finished-en', hetu);
    first.patient.identifier[0].system = '1.2.246.21';
    const second = fresh('bundle-visit-finished-en', hetu);
    delete second.patient.identifier[0].system;
    second.patient.identifier[0].type = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NNFIN' }] };
    // Two visits of one Helsinki day (an hour and half an hour ago straddle midnight between 00:00 and 01:00).
    const yesterday = new Date(Date.now() - 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Helsinki' });
    first.encounter.period.end = `${yesterday}T10:00:00+02:00`;
    second.encounter.period.end = `${yesterday}T10:30:00+02:00`;
    expect((await post(first.bundle)).json).toMatchObject({ outcome: 'scheduled' });
    expect((await post(second.bundle)).json).toMatchObject({ outcome: 'scheduled' });
    // the later visit of the day is the one surveyed: the patient was recognised both times
    expect(await invitationOf(h.pool, 'pegasos', first.visitId)).toMatchObject({ status: 'skipped', skip_reason: 'same-day-visit' });
  });

  it('answers a NUL in the encounter id and a year-0 end with 400 invalid, not "send again"', async () => {
    const nul = fresh('bundle-visit-finished-en');
    nul.encounter.identifier[1].value = `${nul.visitId}\u0000`;
    const yearZero = fresh('bundle-visit-finished-en');
    yearZero.encounter.period.end = '0000-01-01T00:00:00Z';
    for (const bundle of [nul.bundle, yearZero.bundle]) {
      const res = await post(bundle);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid' }] });
    }
  });

  it('answers structural mistakes with 400, unsupported statuses with 422, each an OperationOutcome', async () => {
    const noPatient = fresh('bundle-visit-finished-en');
    noPatient.bundle.entry.pop();
    const missing = await post(noPatient.bundle);
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ expression: ['Bundle.entry[0].resource.subject'] }] });
    const planned = fresh('bundle-visit-finished-en');
    planned.encounter.status = 'in-progress';
    const unsupported = await post(planned.bundle);
    expect(unsupported.status).toBe(422);
    expect(unsupported.json).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-supported' }] });
    const broken = await post('{"resourceType": "Bundle", ');
    expect(broken.status).toBe(400);
    expect(broken.json).toMatchObject({ resourceType: 'OperationOutcome' });
  });

  it('needs the Pegasos token: 401 and 403 as OperationOutcomes', async () => {
    const f = fresh('bundle-visit-finished-en');
    const unauthorised = await post(f.bundle, 'nope');
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.json).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'login' }] });
    const forbidden = await post(f.bundle, 'lc-token');
    expect(forbidden.status).toBe(403);
    expect(forbidden.json).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'forbidden' }] });
    expect(await invitationOf(h.pool, 'pegasos', f.visitId)).toBeUndefined();
  });

  it('refuses a body over 1 MB with 413 and an OperationOutcome', async () => {
    const f = fresh('bundle-visit-finished-en');
    const res = await post({ ...f.bundle, padding: 'x'.repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'too-long' }] });
  });
});
