import { maskedIdOf, phoneHashOf } from '@kaiku/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  currentA03,
  hl7Time,
  hl7With,
  type IngestHarness,
  invitationOf,
  keys,
  postHl7,
  startIngest,
  testHetu,
  uniqueId,
  yesterdayAt,
} from './helpers.ts';

/** What a Lifecare probe found: a message that could not be answered, a misread unit, an update that moved another's survey. */
let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest();
});
afterAll(async () => h.close());

const fresh = (fields: Record<string, string> = {}) => currentA03({ 'PV1-45': hl7Time(yesterdayAt(14)), ...fields });

async function storedVisits(controlId: string): Promise<number> {
  const { rows } = await h.pool.query('SELECT count(*)::int AS n FROM visits WHERE source_event_id = $1', [controlId]);
  return rows[0].n;
}

describe('Lifecare HL7: reading what the sender meant', () => {
  it('answers AR naming the field for a message type whose escape is not text (it failed with 500 before)', async () => {
    for (const fields of [
      { 'MSH-18': 'UNICODE UTF-8', 'PID-11': 'Testikatu 1', 'PV1-7': 'T123456', 'MSH-9': 'ADT^A03^\\XC3\\' },
      { 'MSH-18': 'UNICODE UTF-8', 'PID-11': 'Testikatu 1', 'PV1-7': 'T123456', 'MSH-9': 'ADT^\\XFF\\' },
    ]) {
      const m = fresh(fields);
      const res = await postHl7(h.url, m.bytes);
      expect(res.status).toBe(200);
      expect(res.code).toBe('AR');
      expect(res.controlId).toBe(m.controlId);
      expect(res.text).toMatch(/^MSH-9: /);
      expect(await storedVisits(m.controlId)).toBe(0);
    }
  });

  it('reads the unit from PV1-39 as an HD (&oid&ISO, also after a name) before PV1-3.4, and with urn:oid:', async () => {
    const hd = fresh({ 'PV1-39': '&1.2.246.10.2085212.10.1320&ISO' });
    expect((await postHl7(h.url, hd.bytes)).code).toBe('AA');
    const urn = fresh({ 'PV1-39': 'urn:oid:1.2.246.10.2085212.10.1320' });
    expect((await postHl7(h.url, urn.bytes)).text).toMatch(/^scheduled /);
    // a facility code in PV1-39 (even a dotted one) does not hide the OID in PV1-3.4
    const code = fresh({ 'PV1-39': '10.1', 'PV1-3': 'VAST1^^^1.2.246.10.2085212.10.1320' });
    expect((await postHl7(h.url, code.bytes)).text).toMatch(/^scheduled /);
    const named = fresh({ 'PV1-39': 'Kyyjarvi&1.2.246.10.2085212.10.1320&ISO' });
    expect((await postHl7(h.url, named.bytes)).text).toMatch(/^scheduled /);
    const { rows } = await h.pool.query('SELECT unit_id FROM visits WHERE source_event_id = ANY($1) ORDER BY unit_id', [
      [hd.controlId, urn.controlId, named.controlId, code.controlId],
    ]);
    expect(rows.map((r) => r.unit_id)).toEqual(Array(4).fill('1.2.246.10.2085212.10.1320'));
  });

  it('stores no hetu sent as the visit number or the control id (masked, and a cancel still finds the visit); refuses one as the unit', async () => {
    const hetu = testHetu();
    const visit = fresh({ 'PV1-19.1': `V-${hetu}`, 'MSH-10': `LC-${hetu}` });
    expect((await postHl7(h.url, visit.bytes)).text).toMatch(/^scheduled /);
    const { rows } = await h.pool.query(
      'SELECT v.source_visit_id, v.source_event_id, i.status FROM visits v JOIN invitations i ON i.visit_id = v.id WHERE v.source_visit_id = $1',
      [maskedIdOf(keys, `V-${hetu}`)],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source_event_id: null, status: 'scheduled' });
    expect(JSON.stringify(rows)).not.toContain(hetu.slice(0, 6));
    const cancel = hl7With('a13-cancel-end-of-visit', { 'MSH-10': uniqueId('LC'), 'PID-3.1': testHetu(), 'PV1-19.1': `V-${hetu}` });
    expect((await postHl7(h.url, cancel)).text).toBe('cancelled');
    const after = await h.pool.query('SELECT i.status FROM visits v JOIN invitations i ON i.visit_id = v.id WHERE v.source_visit_id = $1', [
      rows[0].source_visit_id,
    ]);
    expect(after.rows[0]?.status).toBe('cancelled');
    // a hetu in PV1-39 beside an OID in PV1-3.4: the OID is the unit, the hetu goes nowhere
    const beside = fresh({ 'PV1-39': hetu });
    expect((await postHl7(h.url, beside.bytes)).text).toMatch(/^scheduled /);
    const unit = fresh({ 'PV1-39': hetu, 'PV1-3': 'VAST1' });
    const refused = await postHl7(h.url, unit.bytes);
    expect([refused.code, refused.text]).toEqual(['AE', expect.stringContaining('PV1-39')]);
  });

  it('never moves a survey to another phone on an A08 that names the visit but no hetu', async () => {
    const visit = fresh();
    expect((await postHl7(h.url, visit.bytes)).code).toBe('AA');
    const before = await invitationOf(h.pool, 'lifecare', visit.visitId);
    const noHetu = hl7With('a08-patient-update', {
      'MSH-10': uniqueId('LC'),
      'PID-3': '778899^^^LIFECARE^MR',
      'PID-7': '19990505',
      'PID-13': '0509876543^PRN^CP',
      'PID-15': 'en',
      'PV1-19.1': visit.visitId,
    });
    const res = await postHl7(h.url, noHetu);
    expect([res.code, res.text]).toEqual(['AA', 'updated 0']);
    expect(await invitationOf(h.pool, 'lifecare', visit.visitId)).toMatchObject({
      status: 'scheduled',
      phone_hash: before?.phone_hash,
      language: 'fi',
    });
    expect(before?.phone_hash).not.toBe(phoneHashOf(keys, '+358509876543'));
  });

  it('still withdraws the named visit’s survey on an A08 with no hetu that says the patient has died', async () => {
    const visit = fresh();
    expect((await postHl7(h.url, visit.bytes)).code).toBe('AA');
    const died = hl7With('a08-patient-update', {
      'MSH-10': uniqueId('LC'),
      'PID-3': '12345^^^LIFECARE^PI',
      'PID-7': '19400202',
      'PID-29': '20261127',
      'PID-30': 'Y',
      'PV1-19.1': visit.visitId,
    });
    expect((await postHl7(h.url, died)).text).toBe('updated 1');
    expect(await invitationOf(h.pool, 'lifecare', visit.visitId)).toMatchObject({ status: 'skipped', skip_reason: 'deceased' });
  });
});
