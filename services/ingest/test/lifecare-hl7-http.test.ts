import { phoneHashOf } from '@kaiku/core';
import { createPool } from '@kaiku/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngestApp } from '../src/app.ts';
import {
  fixture,
  hl7Time,
  hl7With,
  type IngestHarness,
  invitationOf,
  keys,
  postHl7,
  silent,
  startIngest,
  TOKENS,
  testConfig,
  testHetu,
  uniqueId,
  yesterdayAt,
} from './helpers.ts';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest();
});
afterAll(async () => h.close());

const hourAgo = () => hl7Time(new Date(Date.now() - 3600_000));

/** A fixture made current: its own visit number, control id, patient and an end time an hour ago. */
function fresh(name: string, fields: Record<string, string> = {}) {
  const visitId = uniqueId('LCV');
  const controlId = uniqueId('LC');
  const bytes = hl7With(name, { 'MSH-10': controlId, 'PV1-19.1': visitId, 'PV1-45': hourAgo(), ...fields });
  return { bytes, visitId, controlId };
}

describe('POST /v1/sources/lifecare/hl7', () => {
  it('answers AA with MSA-2 = MSH-10 after the visit is stored, in the sender’s charset', async () => {
    const m = fresh('a03-adult-fi', { 'PID-3.1': testHetu() });
    const res = await postHl7(h.url, m.bytes);
    expect(res.status).toBe(200);
    expect(res.type).toBe('x-application/hl7-v2+er7; charset=iso-8859-1');
    expect(res.code).toBe('AA');
    expect(res.controlId).toBe(m.controlId);
    expect(res.text).toMatch(/^scheduled /);
    expect(res.ack).toMatch(/^MSH\|\^~\\&\|KAIKU\|HVA\|LIFECARE\|1\.2\.246\.10\.2085212\.10\.0\|\d{14}\+0000\|\|ACK\^A03\|/);
    expect(await invitationOf(h.pool, 'lifecare', m.visitId)).toMatchObject({
      status: 'scheduled',
      language: 'fi',
      phone_hash: phoneHashOf(keys, '+358412345678'),
    });
  });

  it('schedules the Swedish fixture in Swedish', async () => {
    const m = fresh('a03-adult-sv', { 'PID-3.1': testHetu('1954-03-12') });
    expect((await postHl7(h.url, m.bytes)).code).toBe('AA');
    expect(await invitationOf(h.pool, 'lifecare', m.visitId)).toMatchObject({ status: 'scheduled', language: 'sv' });
  });

  it.each([
    ['a03-landline-only', 'no-mobile'],
    ['a03-minor', 'under-age'],
    ['a03-non-disclosure', 'non-disclosure'],
  ])('acknowledges %s with AA and stores the skip %s', async (name, reason) => {
    const m = fresh(name);
    const res = await postHl7(h.url, m.bytes);
    expect(res.code).toBe('AA');
    expect(res.text).toBe(`skipped: ${reason}`);
    expect(await invitationOf(h.pool, 'lifecare', m.visitId)).toMatchObject({ status: 'skipped', skip_reason: reason });
  });

  it('texts nobody for the 2025 fixtures as recorded: stale-visit', async () => {
    const res = await postHl7(h.url, fixture('lifecare/a03-adult-fi.hl7'));
    expect(res.code).toBe('AA');
    expect(res.text).toBe('skipped: stale-visit');
  });

  it('skips two different mobiles as ambiguous and picks the one mobile among landlines', async () => {
    const two = fresh('a03-adult-fi', { 'PID-3.1': testHetu(), 'PID-13': '+358412345678^PRN^CP~0501234567^ORN^CP' });
    expect((await postHl7(h.url, two.bytes)).text).toBe('skipped: ambiguous-phone');
    const one = fresh('a03-adult-fi', { 'PID-3.1': testHetu(), 'PID-13': '091234567^PRN^PH~0501234567^ORN^CP' });
    expect((await postHl7(h.url, one.bytes)).text).toMatch(/^scheduled/);
    expect(await invitationOf(h.pool, 'lifecare', one.visitId)).toMatchObject({ phone_hash: phoneHashOf(keys, '+358501234567') });
  });

  it('skips a deceased patient (PID-30)', async () => {
    const m = fresh('a03-adult-fi', { 'PID-3.1': testHetu(), 'PID-30': 'Y' });
    expect((await postHl7(h.url, m.bytes)).text).toBe('skipped: deceased');
  });

  it('follows the A03 with the A08 update and the A13 cancellation', async () => {
    const hetu = testHetu();
    const visit = fresh('a03-adult-fi', { 'PID-3.1': hetu });
    expect((await postHl7(h.url, visit.bytes)).code).toBe('AA');
    const update = hl7With('a08-patient-update', { 'MSH-10': uniqueId('LC'), 'PID-3.1': hetu, 'PV1-19.1': visit.visitId });
    const updated = await postHl7(h.url, update);
    expect([updated.code, updated.text]).toEqual(['AA', 'updated 1']);
    expect(await invitationOf(h.pool, 'lifecare', visit.visitId)).toMatchObject({
      language: 'sv',
      phone_hash: phoneHashOf(keys, '+358451234567'),
    });
    const cancel = hl7With('a13-cancel-end-of-visit', { 'MSH-10': uniqueId('LC'), 'PID-3.1': hetu, 'PV1-19.1': visit.visitId });
    const cancelled = await postHl7(h.url, cancel);
    expect([cancelled.code, cancelled.text]).toEqual(['AA', 'cancelled']);
    expect(await invitationOf(h.pool, 'lifecare', visit.visitId)).toMatchObject({ status: 'cancelled' });
  });

  it('says in MSA-3 when a cancelled visit had already been texted (the survey goes on)', async () => {
    const visit = fresh('a03-adult-fi', { 'PID-3.1': testHetu() });
    expect((await postHl7(h.url, visit.bytes)).code).toBe('AA');
    await h.pool.query("UPDATE invitations SET status = 'delivered' WHERE visit_id = (SELECT id FROM visits WHERE source_visit_id = $1)", [
      visit.visitId,
    ]);
    const cancel = hl7With('a13-cancel-end-of-visit', { 'MSH-9': 'ADT^A11', 'MSH-10': uniqueId('LC'), 'PV1-19.1': visit.visitId });
    const res = await postHl7(h.url, cancel);
    expect([res.code, res.text]).toEqual(['AA', 'cancelled (its survey text had already gone out; answers to it still count)']);
    expect(await invitationOf(h.pool, 'lifecare', visit.visitId)).toMatchObject({ status: 'delivered' });
  });

  it('takes an A13 by its visit number alone: no unit, no end time, no phone needed', async () => {
    const visit = fresh('a03-adult-fi', { 'PID-3.1': testHetu() });
    expect((await postHl7(h.url, visit.bytes)).code).toBe('AA');
    const bare = hl7With('a13-cancel-end-of-visit', {
      'MSH-10': uniqueId('LC'),
      'PV1-19.1': visit.visitId,
      'PV1-3': '',
      'PV1-39': '',
      'PV1-45': '',
      'PID-13': '',
    });
    const res = await postHl7(h.url, bare);
    expect([res.code, res.text]).toEqual(['AA', 'cancelled']);
    expect(await invitationOf(h.pool, 'lifecare', visit.visitId)).toMatchObject({ status: 'cancelled' });
    // nor a valid hetu or a PID at all
    const variants: Array<Record<string, string>> = [{ 'PID-3.1': '010181-900D' }, {}];
    for (const fields of variants) {
      const other = fresh('a03-adult-fi', { 'PID-3.1': testHetu() });
      expect((await postHl7(h.url, other.bytes)).code).toBe('AA');
      const lines = hl7With('a13-cancel-end-of-visit', { 'MSH-10': uniqueId('LC'), 'PV1-19.1': other.visitId, ...fields })
        .toString('latin1')
        .split('\r');
      const bytes = Buffer.from((Object.keys(fields).length ? lines : lines.filter((l) => !l.startsWith('PID|'))).join('\r'), 'latin1');
      expect((await postHl7(h.url, bytes)).code).toBe('AA');
      expect(await invitationOf(h.pool, 'lifecare', other.visitId)).toMatchObject({ status: 'cancelled' });
    }
  });

  it('withdraws a scheduled survey when an A08 removes the mobile (PID-13 ""), and leaves it when PID-13 is empty', async () => {
    const hetu = testHetu();
    const visit = fresh('a03-adult-fi', { 'PID-3.1': hetu });
    expect((await postHl7(h.url, visit.bytes)).code).toBe('AA');
    const unchanged = hl7With('a08-patient-update', { 'MSH-10': uniqueId('LC'), 'PID-3.1': hetu, 'PV1-19.1': visit.visitId, 'PID-13': '' });
    expect((await postHl7(h.url, unchanged)).code).toBe('AA');
    expect(await invitationOf(h.pool, 'lifecare', visit.visitId)).toMatchObject({ status: 'scheduled' });
    const removed = hl7With('a08-patient-update', { 'MSH-10': uniqueId('LC'), 'PID-3.1': hetu, 'PV1-19.1': visit.visitId, 'PID-13': '""' });
    expect((await postHl7(h.url, removed)).code).toBe('AA');
    expect(await invitationOf(h.pool, 'lifecare', visit.visitId)).toMatchObject({ status: 'skipped', skip_reason: 'no-mobile' });
  });

  it('never moves one patient’s survey to another’s phone when an A08 names a visit that is not theirs', async () => {
    const visit = fresh('a03-adult-fi', { 'PID-3.1': testHetu() });
    expect((await postHl7(h.url, visit.bytes)).code).toBe('AA');
    const before = await invitationOf(h.pool, 'lifecare', visit.visitId);
    const other = hl7With('a08-patient-update', { 'MSH-10': uniqueId('LC'), 'PID-3.1': testHetu(), 'PV1-19.1': visit.visitId });
    expect((await postHl7(h.url, other)).code).toBe('AA');
    expect(await invitationOf(h.pool, 'lifecare', visit.visitId)).toMatchObject({
      status: 'scheduled',
      phone_hash: before?.phone_hash,
      language: before?.language,
    });
  });

  it('answers AE naming PID-7 for an A08 whose birth date contradicts the hetu, and changes nothing', async () => {
    const hetu = testHetu('1981-01-01');
    const visit = fresh('a03-adult-fi', { 'PID-3.1': hetu });
    expect((await postHl7(h.url, visit.bytes)).code).toBe('AA');
    const before = await invitationOf(h.pool, 'lifecare', visit.visitId);
    const update = hl7With('a08-patient-update', {
      'MSH-10': uniqueId('LC'),
      'PID-3.1': hetu,
      'PID-7': '19810102',
      'PV1-19.1': visit.visitId,
    });
    const res = await postHl7(h.url, update);
    expect(res.code).toBe('AE');
    expect(res.text).toContain('PID-7');
    expect(await invitationOf(h.pool, 'lifecare', visit.visitId)).toMatchObject({
      phone_hash: before?.phone_hash,
      language: before?.language,
    });
  });

  it('takes PV1-19 "" as no visit number (AE), not as a number two visits could share', async () => {
    const res = await postHl7(h.url, fresh('a03-adult-fi', { 'PID-3.1': testHetu(), 'PV1-19.1': '""' }).bytes);
    expect(res.code).toBe('AE');
    expect(res.text).toContain('PV1-19');
  });

  it('answers the malformed fixture with AE naming the fields, and stores nothing', async () => {
    const res = await postHl7(h.url, fixture('lifecare/a03-malformed.hl7'));
    expect(res.status).toBe(200);
    expect(res.code).toBe('AE');
    expect(res.controlId).toBe('LC-BROKEN');
    // (MSA-3 holds 80 characters in v2.3: it names the fields, each has its own ERR)
    for (const field of ['PID-3', 'PV1-19', 'PV1-45']) expect(res.text).toContain(field);
    for (const field of ['PID^1^3^', 'PV1^1^19^', 'PV1^1^45^']) expect(res.ack).toContain(`\rERR|${field}`);
    expect(res.ack).toContain('\rERR|PID^1^3^102&');
    const { rows } = await h.pool.query("SELECT count(*)::int AS n FROM visits WHERE source_event_id = 'LC-BROKEN'");
    expect(rows[0].n).toBe(0);
  });

  it('reads a hetu in PID-3 that names no assigning authority: the patient is still known (one survey a day)', async () => {
    const hetu = testHetu();
    const morning = fresh('a03-adult-fi', { 'PID-3': hetu, 'PV1-45': hl7Time(yesterdayAt(10)) });
    const noon = fresh('a03-adult-fi', { 'PID-3': `${hetu}^^^^NNFIN`, 'PV1-45': hl7Time(yesterdayAt(12)) });
    expect((await postHl7(h.url, morning.bytes)).code).toBe('AA');
    expect((await postHl7(h.url, noon.bytes)).code).toBe('AA');
    expect(await invitationOf(h.pool, 'lifecare', morning.visitId)).toMatchObject({ status: 'skipped', skip_reason: 'same-day-visit' });
    expect(await invitationOf(h.pool, 'lifecare', noon.visitId)).toMatchObject({ status: 'scheduled' });
    // a hetu-shaped id of another authority (a local record number) is not the hetu
    const local = fresh('a03-adult-fi', { 'PID-3': `${testHetu()}^^^1.2.246.10.2085212.99^MR` });
    const res = await postHl7(h.url, local.bytes);
    expect(res.code).toBe('AA');
    const { rows } = await h.pool.query('SELECT patient_pseudonym FROM visits WHERE source_visit_id = $1', [local.visitId]);
    expect(rows[0]?.patient_pseudonym).toBeNull();
  });

  it('answers a v2.5 message in v2.5: MSH-9 with the message structure, ERR-2/3/4 instead of ERR-1', async () => {
    const ok = await postHl7(h.url, fresh('a03-adult-fi', { 'PID-3.1': testHetu(), 'MSH-12': '2.5' }).bytes);
    expect(ok.code).toBe('AA');
    expect(ok.ack.split('\r')[0]?.split('|').slice(8, 12)).toEqual(['ACK^A03^ACK', expect.any(String), 'P', '2.5']);
    const bad = await postHl7(h.url, fresh('a03-adult-fi', { 'PID-3.1': '010181-900D', 'MSH-12': '2.5.1' }).bytes);
    expect(bad.code).toBe('AE');
    expect(bad.ack).toMatch(/\rERR\|\|PID\^1\^3\|102\^[^|^]*wrong check character\^HL70357\|E\r/);
    // v2.3 keeps ERR-1
    const old = await postHl7(h.url, fresh('a03-adult-fi', { 'PID-3.1': '010181-900D' }).bytes);
    expect(old.ack).toContain('\rERR|PID^1^3^102&');
  });

  it('answers AE naming PID-3 for a hetu with a wrong check character', async () => {
    const res = await postHl7(h.url, fresh('a03-adult-fi', { 'PID-3.1': '010181-900D' }).bytes);
    expect(res.code).toBe('AE');
    expect(res.text).toMatch(/^PID-3: .*wrong check character/);
  });

  it('answers AE, not "send again", for a visit number with a NUL (escaped or raw), 30 February and an escape that is not UTF-8', async () => {
    for (const [fields, field] of [
      [{ 'PV1-19.1': 'V\\X00\\1' }, 'PV1-19'],
      [{ 'PV1-19.1': 'V\u00001' }, 'PV1-19'],
      [{ 'PV1-45': '202602301200' }, 'PV1-45'],
      // bytes that are not UTF-8 in a UTF-8 message: the same message would fail every time
      [{ 'MSH-18': 'UNICODE UTF-8', 'PID-11': 'Testikatu 1', 'PV1-7': 'T123456', 'PID-13': '+358401234567\\XFF\\^PRN^CP' }, 'PID-13'],
    ] as const) {
      const m = fresh('a03-adult-fi', fields);
      const res = await postHl7(h.url, m.bytes);
      expect(res.code).toBe('AE');
      expect(res.text).toContain(field);
      const { rows } = await h.pool.query('SELECT count(*)::int AS n FROM visits WHERE source_event_id = $1', [m.controlId]);
      expect(rows[0].n).toBe(0);
    }
    // several such fields: one answer names them all (ERR each), so one fix and one resend do
    const two = fresh('a03-adult-fi', {
      'MSH-18': 'UNICODE UTF-8',
      'PID-11': 'Testikatu 1',
      'PV1-7': 'T123456',
      'PID-13': '+358401234567\\XFF\\^PRN^CP',
      'PV1-19.1': 'V\\XFE\\1',
    });
    const res = await postHl7(h.url, two.bytes);
    expect(res.code).toBe('AE');
    expect(res.text).toMatch(/^PID-13, PV1-19: /);
    expect(res.ack.match(/\rERR\|/g)).toHaveLength(2);
    expect(res.ack).toMatch(/\rERR\|PID\^1\^13\^102&[^\r]+\rERR\|PV1\^1\^19\^102&/);
  });

  it('answers 400 to a batch file (FHS/BHS), saying to send each message on its own', async () => {
    const m = fresh('a03-adult-fi', { 'PID-3.1': testHetu() });
    const batch = Buffer.concat([Buffer.from('FHS|^~\\&|LIFECARE\rBHS|^~\\&|LIFECARE\r'), m.bytes, Buffer.from('BTS|1\rFTS|1\r')]);
    const res = await postHl7(h.url, batch);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.ack).detail).toContain('a batch (FHS/BHS) is not taken: send each message on its own');
    expect(await invitationOf(h.pool, 'lifecare', m.visitId)).toBeUndefined();
  });

  it('answers AR naming MSH-10 for a message without a control id, and stores nothing', async () => {
    const m = fresh('a03-adult-fi', { 'MSH-10': '' });
    const res = await postHl7(h.url, m.bytes);
    expect(res.code).toBe('AR');
    expect(res.text).toContain('MSH-10');
    expect(await invitationOf(h.pool, 'lifecare', m.visitId)).toBeUndefined();
  });

  it('answers AE naming PID-7 when the birth date contradicts the hetu', async () => {
    const res = await postHl7(h.url, fresh('a03-adult-fi', { 'PID-3.1': testHetu('1981-01-01'), 'PID-7': '19810102' }).bytes);
    expect(res.code).toBe('AE');
    expect(res.text).toContain('PID-7');
  });

  it('answers AR naming an unsupported message type', async () => {
    const res = await postHl7(h.url, fresh('a03-adult-fi', { 'MSH-9': 'ADT^A01' }).bytes);
    expect(res.code).toBe('AR');
    expect(res.text).toContain('ADT\\S\\A01'); // ^ escaped as HL7 requires
    // HL7 table 0357 (an interface-engine probe): another ADT event is 201, another message type 200
    expect(res.ack).toContain('^201&');
    expect((await postHl7(h.url, fresh('a03-adult-fi', { 'MSH-9': 'ORU^R01' }).bytes)).ack).toContain('^200&');
  });

  it('names a missing field 101 and a missing segment 100 (HL7 table 0357), a wrong value 102', async () => {
    const missing = await postHl7(h.url, fresh('a03-adult-fi', { 'PV1-19': '', 'PV1-45': '', 'PID-3.1': '010181-900D' }).bytes);
    expect(missing.ack).toContain('\rERR|PV1^1^19^101&');
    expect(missing.ack).toContain('\rERR|PV1^1^45^101&');
    expect(missing.ack).toContain('\rERR|PID^1^3^102&');
    const noPid = fresh('a03-adult-fi', {})
      .bytes.toString('latin1')
      .replace(/\rPID\|[^\r]*/, '');
    expect((await postHl7(h.url, Buffer.from(noPid, 'latin1'))).ack).toContain('\rERR|PID^1^^100&');
    const noPv1 = fresh('a03-adult-fi', {})
      .bytes.toString('latin1')
      .replace(/\rPV1\|[^\r]*/, '');
    const noVisit = (await postHl7(h.url, Buffer.from(noPv1, 'latin1'))).ack;
    expect(noVisit).toContain('\rERR|PV1^1^^100&');
    expect(noVisit).not.toContain('^101&'); // its fields are not named one by one
  });

  it('gives the enhanced-mode accept ACK a sender asks for in MSH-15', async () => {
    const ok = await postHl7(h.url, fresh('a03-adult-fi', { 'PID-3.1': testHetu(), 'MSH-15': 'AL', 'MSH-16': 'NE' }).bytes);
    expect(ok.code).toBe('CA');
    const bad = await postHl7(h.url, fresh('a03-adult-fi', { 'MSH-9': 'ADT^A04', 'MSH-15': 'AL' }).bytes);
    expect(bad.code).toBe('CR');
    // ...also for a message that cannot be read (an interface-engine probe: these got AR, which a sender in enhanced mode does not expect)
    const unreadable = [
      fresh('a03-adult-fi', { 'MSH-15': 'AL', 'MSH-18': 'UNICODE' }).bytes,
      fresh('a03-adult-fi', { 'MSH-15': 'AL', 'MSH-18': 'UNICODE UTF-8' }).bytes, // Latin-1 bytes
    ];
    const twoInOne = fresh('a03-adult-fi', { 'MSH-15': 'AL' }).bytes;
    unreadable.push(Buffer.concat([twoInOne, twoInOne]));
    for (const bytes of unreadable) expect((await postHl7(h.url, bytes)).code).toBe('CR');
  });

  it('decodes UTF-8 when MSH-18 says so, and unescapes fields', async () => {
    const m = fresh('a03-adult-fi', { 'PID-3.1': testHetu(), 'MSH-18': 'UNICODE UTF-8', 'PV1-19.1': 'VÄ\\F\\1' });
    const utf8 = Buffer.from(m.bytes.toString('latin1'), 'utf8');
    const res = await postHl7(h.url, utf8);
    expect(res.code).toBe('AA');
    expect(res.type).toContain('charset=utf-8');
    expect(await invitationOf(h.pool, 'lifecare', 'VÄ|1')).toMatchObject({ status: 'scheduled' });
    const notUtf8 = await postHl7(h.url, fresh('a03-adult-fi', { 'MSH-18': 'UNICODE UTF-8' }).bytes); // Latin-1 bytes
    expect(notUtf8.code).toBe('AR');
    expect(notUtf8.text).toContain('MSH-18');
    // Its ACK, ASCII, names the charset it was asked in (MSH-18 copied); one Kaiku does not read is not echoed.
    expect(notUtf8.ack.split('\r')[0]?.split('|')[17]).toBe('UNICODE UTF-8');
    const ucs2 = await postHl7(h.url, fresh('a03-adult-fi', { 'MSH-18': 'UNICODE' }).bytes);
    expect(ucs2.code).toBe('AR');
    expect(ucs2.ack.split('\r')[0]?.split('|')[17]).toBeUndefined();
  });

  it('takes the message under any media type (curl --data-binary sends a form type)', async () => {
    const m = fresh('a03-adult-fi', { 'PID-3.1': testHetu() });
    expect((await postHl7(h.url, m.bytes, 'lc-token', 'application/x-www-form-urlencoded')).code).toBe('AA');
  });

  it('tolerates LF and CRLF segment endings and text/plain', async () => {
    const lf = fresh('a03-adult-fi', { 'PID-3.1': testHetu() });
    expect(
      (await postHl7(h.url, Buffer.from(lf.bytes.toString('latin1').replaceAll('\r', '\n'), 'latin1'), 'lc-token', 'text/plain')).code,
    ).toBe('AA');
    const crlf = fresh('a03-adult-fi', { 'PID-3.1': testHetu() });
    expect(
      (
        await postHl7(
          h.url,
          Buffer.from(crlf.bytes.toString('latin1').replaceAll('\r', '\r\n'), 'latin1'),
          'lc-token',
          'application/hl7-v2',
        )
      ).code,
    ).toBe('AA');
  });

  it('refuses two messages in one body with AR instead of acknowledging the second unseen', async () => {
    const a = fresh('a03-adult-fi', { 'PID-3.1': testHetu() });
    const b = fresh('a03-adult-fi', { 'PID-3.1': testHetu() });
    const res = await postHl7(h.url, Buffer.concat([a.bytes, b.bytes]));
    expect(res.code).toBe('AR');
    expect(res.controlId).toBe(a.controlId);
    expect(res.ack).toMatch(/\rERR\|[^\r]*2 MSH segments/);
    expect(await invitationOf(h.pool, 'lifecare', a.visitId)).toBeUndefined();
  });

  it('answers a body that is not HL7 with 400 problem+json, whatever its media type', async () => {
    const res = await postHl7(h.url, Buffer.from('hello'));
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    const json = await postHl7(h.url, Buffer.from('{}'), 'lc-token', 'application/json');
    expect(json.status).toBe(400);
  });

  it('needs the Lifecare token: 401 without, 403 with another source’s', async () => {
    const m = fresh('a03-adult-fi');
    expect((await postHl7(h.url, m.bytes, 'nope')).status).toBe(401);
    expect((await postHl7(h.url, m.bytes, 'pg-token')).status).toBe(403);
    expect(await invitationOf(h.pool, 'lifecare', m.visitId)).toBeUndefined();
  });

  it('refuses a body over 1 MB with 413', async () => {
    const big = Buffer.concat([fresh('a03-adult-fi').bytes, Buffer.alloc(1024 * 1024 + 1, 0x41)]);
    const res = await postHl7(h.url, big);
    expect(res.status).toBe(413);
  });

  it('answers 503 with an AR asking to send again when the database is down', async () => {
    const pool = createPool('postgres://postgres@127.0.0.1:1/none', { max: 1 });
    const app = buildIngestApp({ pool, redis: h.redis, kaiku: testConfig(), keys, tokens: TOKENS, logger: silent });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/sources/lifecare/hl7',
      headers: { authorization: 'Bearer lc-token', 'content-type': 'x-application/hl7-v2+er7' },
      payload: fresh('a03-adult-fi', { 'PID-3.1': testHetu() }).bytes,
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toMatch(/\rMSA\|AR\|LC[^|]+\|temporarily unavailable/);
    // in v2.5 terms: no location to point at, the 0357 code 207
    const v25 = await app.inject({
      method: 'POST',
      url: '/v1/sources/lifecare/hl7',
      headers: { authorization: 'Bearer lc-token', 'content-type': 'x-application/hl7-v2+er7' },
      payload: fresh('a03-adult-fi', { 'PID-3.1': testHetu(), 'MSH-12': '2.5' }).bytes,
    });
    expect(v25.body).toMatch(/\rERR\|\|\|207\^temporarily unavailable[^|]*\^HL70357\|E\r/);
    // the canonical and FHIR endpoints say when to try again too
    const canonical = await app.inject({
      method: 'POST',
      url: '/v1/visits',
      headers: { authorization: 'Bearer lc-token' },
      payload: {
        source: 'lifecare',
        kind: 'visit-ended',
        visitId: 'V1',
        endedAt: new Date(Date.now() - 3600_000).toISOString(),
        unit: { id: '1.2.246.10.2085212.10.1314' },
        patient: { personalId: testHetu(), mobilePhones: ['0401234567'] },
      },
    });
    expect([canonical.statusCode, canonical.headers['retry-after'], canonical.headers['content-type']]).toEqual([
      503,
      '5',
      'application/problem+json; charset=utf-8',
    ]);
    await app.close();
    await pool.end();
  });
});
