import { phoneHashOf } from '@kaiku/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIngestConfig } from '../src/config.ts';
import { createIngestPipeline } from '../src/pipeline.ts';
import {
  currentA03,
  hl7Time,
  hl7With,
  type IngestHarness,
  invitationOf,
  keys,
  postHl7,
  silent,
  startIngest,
  testConfig,
  testHetu,
  uniqueId,
} from './helpers.ts';

// What a Lifecare message must not do: text a real patient from a training system, or store a hetu
// glued into a code, or take a birth date nobody can have.
let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest();
});
afterAll(async () => h.close());

const fresh = currentA03;
const errSegments = (ack: string) => ack.split('\r').filter((l) => l.startsWith('ERR|'));

describe('Lifecare MSH-11 (processing id)', () => {
  it('refuses a training or debugging message with AR 202 naming MSH-11, and stores nothing', async () => {
    for (const id of ['T', 'D', 'T^T']) {
      const m = fresh({ 'MSH-11': id });
      const res = await postHl7(h.url, m.bytes);
      expect(res.code, id).toBe('AR');
      expect(res.text).toContain('MSH-11: processing id');
      expect(errSegments(res.ack)).toEqual([expect.stringMatching(/^ERR\|MSH\^1\^11\^202&/)]);
      expect(await invitationOf(h.pool, 'lifecare', m.visitId)).toBeUndefined();
    }
  });

  it('takes production (P, P with a processing mode, or none given)', async () => {
    for (const id of ['P', 'P^T', '']) {
      const m = fresh({ 'MSH-11': id });
      expect((await postHl7(h.url, m.bytes)).code, id).toBe('AA');
      expect(await invitationOf(h.pool, 'lifecare', m.visitId)).toMatchObject({ status: 'scheduled' });
    }
  });

  it('takes T where LIFECARE_PROCESSING_IDS says so (a test Kaiku beside a training Lifecare)', async () => {
    expect(loadIngestConfig({ LIFECARE_PROCESSING_IDS: ' p, t ' }).LIFECARE_PROCESSING_IDS).toEqual(['P', 'T']);
    expect(loadIngestConfig({}).LIFECARE_PROCESSING_IDS).toEqual(['P']);
    expect(() => loadIngestConfig({ LIFECARE_PROCESSING_IDS: 'X' })).toThrow(/LIFECARE_PROCESSING_IDS/);
    const training = createIngestPipeline({ pool: h.pool, kaiku: testConfig(), keys, logger: silent, hl7ProcessingIds: ['T'] });
    const m = fresh({ 'MSH-11': 'T' });
    expect((await training.handleHl7(m.bytes)).code).toBe('AA');
    expect((await training.handleHl7(fresh({ 'MSH-11': 'P' }).bytes)).code).toBe('AR');
  });
});

describe('Lifecare values no one can have', () => {
  it('answers AE naming the field for a hetu glued into a service or unit code, and stores nothing', async () => {
    const hetu = testHetu('1935-12-12');
    for (const [path, field, value] of [
      ['PV1-10', 'PV1-10', `x${hetu}`],
      ['PV1-10', 'PV1-10', `1${hetu}`],
      ['PV1-39', 'PV1-39', `OID${hetu}`],
    ] as const) {
      // (the unit from PV1-39 only when PV1-3.4 holds no OID)
      const m = fresh({ [path]: value, ...(path === 'PV1-39' ? { 'PV1-3.4': '' } : {}) });
      const res = await postHl7(h.url, m.bytes);
      expect(res.code, value).toBe('AE');
      expect(res.text).toContain(`${field}: holds a personal identity code`);
      expect(await invitationOf(h.pool, 'lifecare', m.visitId)).toBeUndefined();
    }
  });

  it('answers AE naming PID-3 for a hetu born after the visit, and PID-7 for a birth date that is no date', async () => {
    const unborn = fresh({ 'PID-3.1': testHetu('2090-09-08'), 'PID-7': '' });
    const res = await postHl7(h.url, unborn.bytes);
    expect(res.code).toBe('AE');
    expect(res.text).toContain('PID-3: gives a birth date after the visit');
    const garbled = await postHl7(h.url, fresh({ 'PID-7': '1999XX' }).bytes);
    expect(garbled.code).toBe('AE');
    expect(garbled.text).toContain('PID-7');
    // a year alone leaves the day to the hetu, as before
    expect((await postHl7(h.url, fresh({ 'PID-3.1': testHetu('1981-01-01'), 'PID-7': '1981' }).bytes)).code).toBe('AA');
  });
});

describe('Lifecare A08 in the order it was recorded', () => {
  const minutesAgo = (n: number) => hl7Time(new Date(Date.now() - n * 60_000));
  const update = (hetu: string, visitId: string, recorded: string, phone: string, language: string, extra: Record<string, string> = {}) =>
    hl7With('a08-patient-update', {
      'MSH-10': uniqueId('LC'),
      'MSH-7': recorded,
      'EVN-2': recorded,
      'PID-3.1': hetu,
      'PV1-19.1': visitId,
      'PID-13.1': phone,
      'PID-15.1': language,
      ...extra,
    });

  it('leaves the newer details when an update recorded earlier comes late, and says so', async () => {
    const hetu = testHetu();
    const visit = fresh({ 'PID-3.1': hetu });
    expect((await postHl7(h.url, visit.bytes)).code).toBe('AA');
    const newer = await postHl7(h.url, update(hetu, visit.visitId, minutesAgo(5), '+358409890002', 'en'));
    expect([newer.code, newer.text]).toEqual(['AA', 'updated 1']);
    const late = await postHl7(h.url, update(hetu, visit.visitId, minutesAgo(20), '+358409890003', 'sv'));
    expect([late.code, late.text]).toEqual(['AA', "updated 0 (1 kept newer details than this message's EVN-2)"]);
    expect(await invitationOf(h.pool, 'lifecare', visit.visitId)).toMatchObject({
      language: 'en',
      phone_hash: phoneHashOf(keys, '+358409890002'),
    });
    // without EVN-2, MSH-7 is the update's time
    const latest = update(hetu, visit.visitId, minutesAgo(1), '+358409890004', 'fi', { 'EVN-2': '' });
    expect((await postHl7(h.url, latest)).text).toBe('updated 1');
    expect(await invitationOf(h.pool, 'lifecare', visit.visitId)).toMatchObject({ phone_hash: phoneHashOf(keys, '+358409890004') });
  });

  it('takes the first update whatever its time: a visit ending a little ahead, or the fixture A08 of 2025 after an A03 made current', async () => {
    const hetu = testHetu();
    const ahead = fresh({ 'PID-3.1': hetu, 'PV1-45': hl7Time(new Date(Date.now() + 2 * 60_000)) });
    expect((await postHl7(h.url, ahead.bytes)).code).toBe('AA');
    expect((await postHl7(h.url, update(hetu, ahead.visitId, minutesAgo(0), '+358409890035', 'fi'))).text).toBe('updated 1');
    expect(await invitationOf(h.pool, 'lifecare', ahead.visitId)).toMatchObject({ phone_hash: phoneHashOf(keys, '+358409890035') });
    const other = testHetu();
    const visit = fresh({ 'PID-3.1': other });
    expect((await postHl7(h.url, visit.bytes)).code).toBe('AA');
    const fixtureUpdate = hl7With('a08-patient-update', { 'MSH-10': uniqueId('LC'), 'PID-3.1': other, 'PV1-19.1': visit.visitId });
    expect((await postHl7(h.url, fixtureUpdate)).text).toBe('updated 1');
  });

  it('takes an update dated in the future as made now, so that later ones still count', async () => {
    const hetu = testHetu();
    const visit = fresh({ 'PID-3.1': hetu });
    await postHl7(h.url, visit.bytes);
    expect((await postHl7(h.url, update(hetu, visit.visitId, '20990101000000', '+358409890022', 'en'))).text).toBe('updated 1');
    expect((await postHl7(h.url, update(hetu, visit.visitId, minutesAgo(0), '+358409890023', 'sv'))).text).toBe('updated 1');
    expect(await invitationOf(h.pool, 'lifecare', visit.visitId)).toMatchObject({
      language: 'sv',
      phone_hash: phoneHashOf(keys, '+358409890023'),
    });
  });

  it('still withdraws the survey for a late update that bars the text (deceased)', async () => {
    const hetu = testHetu();
    const visit = fresh({ 'PID-3.1': hetu });
    await postHl7(h.url, visit.bytes);
    await postHl7(h.url, update(hetu, visit.visitId, minutesAgo(5), '+358409890012', 'fi'));
    const late = await postHl7(h.url, update(hetu, visit.visitId, minutesAgo(30), '+358409890013', 'fi', { 'PID-30': 'Y' }));
    expect(late.code).toBe('AA');
    expect(await invitationOf(h.pool, 'lifecare', visit.visitId)).toMatchObject({ status: 'skipped', skip_reason: 'deceased' });
  });
});

describe('Lifecare messages that hold more than they say', () => {
  it('answers AE 100 to a second PID, PD1 or PV1 glued into one message, and stores neither visit', async () => {
    const other = `PID|1||${testHetu()}^^^1.2.246.21^NNFIN||Toinen^Potilas||19810101|F|||||+358401112233|||fi`;
    for (const [segment, extra] of [
      ['PID', other],
      [
        'PV1',
        `PV1|1|O|^^^1.2.246.10.2085212.10.1314||||||||||||||||${uniqueId('LCV2-')}|||||||||||||||||||||||||${hl7Time(new Date(Date.now() - 3600_000))}`,
      ],
      ['PD1', 'PD1||||||||||||Y'],
    ] as const) {
      const m = fresh();
      const lines = m.bytes.toString('latin1').split('\r').filter(Boolean);
      const at = lines.findIndex((l) => l.startsWith(`${segment}|`));
      lines.splice(at < 0 ? lines.length : at + 1, 0, extra, ...(at < 0 ? [extra] : []));
      const res = await postHl7(h.url, Buffer.from(`${lines.join('\r')}\r`, 'latin1'));
      expect(res.code, segment).toBe('AE');
      expect(res.text, segment).toContain(`2 ${segment} segments`);
      expect(errSegments(res.ack), segment).toEqual([expect.stringMatching(new RegExp(`^ERR\\|${segment}\\^1\\^\\^100&`))]);
      expect(await invitationOf(h.pool, 'lifecare', m.visitId), segment).toBeUndefined();
    }
  });
});

describe('Lifecare ACKs in ISO-8859-15', () => {
  it('echoes MSH-10 byte for byte, also the eight characters 8859-15 has and 8859-1 has not', async () => {
    const controlId = uniqueId('LC€ŠšŽžŒœŸ-');
    const m = fresh({ 'MSH-18': '8859/15' });
    const text = m.bytes.toString('latin1').replace(m.controlId, controlId);
    const latin9 = Buffer.from(Array.from(text, (ch) => LATIN9_BYTES[ch] ?? ch.charCodeAt(0)));
    const res = await fetch(`${h.url}/v1/sources/lifecare/hl7`, {
      method: 'POST',
      headers: { authorization: 'Bearer lc-token', 'content-type': 'x-application/hl7-v2+er7' },
      body: latin9,
    });
    expect(res.headers.get('content-type')).toBe('x-application/hl7-v2+er7; charset=iso-8859-15');
    const ack = new TextDecoder('iso-8859-15').decode(await res.arrayBuffer());
    const msa =
      ack
        .split('\r')
        .find((l) => l.startsWith('MSA|'))
        ?.split('|') ?? [];
    expect(msa.slice(0, 2)).toEqual(['MSA', 'AA']);
    expect(msa[2]).toBe(controlId);
    const { rows } = await h.pool.query('SELECT 1 FROM visits WHERE source_event_id = $1', [controlId]);
    expect(rows).toHaveLength(1);
  });
});

/** ISO-8859-15's bytes for the characters where it differs from ISO-8859-1. */
const LATIN9_BYTES: Record<string, number> = { '€': 0xa4, Š: 0xa6, š: 0xa8, Ž: 0xb4, ž: 0xb8, Œ: 0xbc, œ: 0xbd, Ÿ: 0xbe };
