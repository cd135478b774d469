import { parseKaikuConfig } from '@kaiku/config';
import { createPool, type Pool } from '@kaiku/db';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRepliesApp } from '../src/app.ts';

const AUTH_TOKEN = 'status-test-token';
const PUBLIC = 'https://kaiku.example.fi';
const UNIT = '1.2.246.10.2085212.10.1314';
const kaiku = parseKaikuConfig({ units: [{ id: UNIT, name: { fi: 'Kyyjärven terveysasema' }, service: 'health-station' }] });
const keys = { pseudonymKey: Buffer.alloc(32, 5), encryptionKey: Buffer.alloc(32, 6) };

describe('status callbacks: signed, idempotent, monotonic, and counted once', () => {
  let env: TestEnv;
  let pool: Pool;
  let app: FastifyInstance;
  let n = 0;
  const logLines: string[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl);
    const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(line) });
    app = buildRepliesApp({ pool, kaiku, keys, logger, authToken: AUTH_TOKEN, publicBaseUrl: PUBLIC });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await env?.cleanup();
  });

  /** An invitation in `status`; each on its own visit day so its rollup row is its own. */
  async function invitation(status: string, sid: string | null) {
    n += 1;
    const day = `2025-01-${String(n).padStart(2, '0')}`;
    const { rows: v } = await pool.query<{ id: string }>(
      `INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language, age_band)
       VALUES ('lifecare', $1, $2, 'health-station', $3::date, $3::date, 'fi', '30-39') RETURNING id`,
      [`S-${n}`, UNIT, day],
    );
    const { rows } = await pool.query<{ id: string }>(
      // a text with a sid was marked sent: sent_at set, and counted below
      `INSERT INTO invitations (visit_id, status, language, message_sid, attempt, sent_at)
       VALUES ($1, $2, 'fi', $3, 1, CASE WHEN $3::text IS NOT NULL THEN now() END) RETURNING id`,
      [v[0]?.id, status, sid],
    );
    if (sid)
      await pool.query(
        `INSERT INTO nps_daily (day, unit_id, service, language, age_band, source, sent) VALUES ($1,$2,'health-station','fi','30-39','lifecare',1)`,
        [day, UNIT],
      );
    return { id: rows[0]?.id as string, day };
  }

  async function callback(id: string, params: Record<string, string>, signature?: string) {
    const url = `/v1/twilio/status/${id}`;
    return app.inject({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature ?? twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC}${url}`, params),
      },
      payload: new URLSearchParams(params).toString(),
    });
  }
  const status = (sid: string, s: string, extra: Record<string, string> = {}) => ({
    MessageSid: sid,
    MessageStatus: s,
    AccountSid: `AC${'1'.repeat(32)}`,
    ...extra,
  });

  async function row(id: string) {
    const { rows } = await pool.query(
      'SELECT status, delivery_status, message_sid, error_code, expires_at FROM invitations WHERE id = $1',
      [id],
    );
    return rows[0];
  }
  async function counts(day: string) {
    const { rows } = await pool.query<{ sent: number; delivered: number }>('SELECT sent, delivered FROM nps_daily WHERE day = $1', [day]);
    return rows[0] ?? { sent: 0, delivered: 0 };
  }

  it('refuses a callback without a valid signature, and changes nothing', async () => {
    const inv = await invitation('sent', 'SM1');
    expect((await callback(inv.id, status('SM1', 'delivered'), 'forged')).statusCode).toBe(403);
    const unsigned = await app.inject({
      method: 'POST',
      url: `/v1/twilio/status/${inv.id}`,
      payload: 'MessageSid=SM1&MessageStatus=delivered',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(unsigned.statusCode).toBe(403);
    expect(unsigned.headers['content-type']).toMatch(/problem\+json/);
    expect(await row(inv.id)).toMatchObject({ status: 'sent', delivery_status: null });
  });

  it('delivered moves sent → delivered and counts one delivery, however often it arrives', async () => {
    const inv = await invitation('sent', 'SM2');
    for (let i = 0; i < 3; i++) expect((await callback(inv.id, status('SM2', 'delivered'))).statusCode).toBe(204);
    await Promise.all(Array.from({ length: 8 }, () => callback(inv.id, status('SM2', 'delivered'))));
    expect(await row(inv.id)).toMatchObject({ status: 'delivered', delivery_status: 'delivered' });
    expect(await counts(inv.day)).toEqual({ sent: 1, delivered: 1 });
  });

  it('a late sent (or queued) never overwrites delivered', async () => {
    const inv = await invitation('sent', 'SM3');
    await callback(inv.id, status('SM3', 'delivered'));
    await callback(inv.id, status('SM3', 'sent'));
    await callback(inv.id, status('SM3', 'queued'));
    expect(await row(inv.id)).toMatchObject({ status: 'delivered', delivery_status: 'delivered' });
    expect(await counts(inv.day)).toEqual({ sent: 1, delivered: 1 });
  });

  it('undelivered keeps its ErrorCode, and a late sent does not undo it', async () => {
    const inv = await invitation('sent', 'SM4');
    await callback(inv.id, status('SM4', 'undelivered', { ErrorCode: '30005' }));
    await callback(inv.id, status('SM4', 'sent'));
    expect(await row(inv.id)).toMatchObject({ status: 'undelivered', delivery_status: 'undelivered', error_code: 30005 });
    expect(await counts(inv.day)).toEqual({ sent: 1, delivered: 0 });
  });

  it('counts a carrier error by its code on /metrics (kaiku_delivery_statuses_total error_code)', async () => {
    const inv = await invitation('sent', 'SM4c');
    await callback(inv.id, status('SM4c', 'undelivered', { ErrorCode: '30007' }));
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/kaiku_delivery_statuses_total\{status="undelivered",error_code="30007"\} [1-9]/);
    expect(metrics).toMatch(/kaiku_delivery_statuses_total\{status="delivered",error_code="none"\} [1-9]/);
    // ...and logs it with the invitation and Twilio's sid: a support desk finds the failed text by them (a probe).
    const line = JSON.parse(logLines.find((l) => l.includes(inv.id) && l.includes('"status callback"')) as string);
    expect(line).toMatchObject({ invitationId: inv.id, messageSid: 'SM4c', status: 'undelivered', errorCode: 30007 });
  });

  it('failed keeps its ErrorCode', async () => {
    const inv = await invitation('sent', 'SM5');
    await callback(inv.id, status('SM5', 'failed', { ErrorCode: '30008' }));
    expect(await row(inv.id)).toMatchObject({ status: 'failed', error_code: 30008 });
  });

  it('settles an unknown send: sent once, its sid stored, the answer window opened, then delivered once', async () => {
    const inv = await invitation('unknown', null);
    await callback(inv.id, status('SM6', 'accepted'));
    await callback(inv.id, status('SM6', 'queued'));
    await callback(inv.id, status('SM6', 'sent'));
    expect(await row(inv.id)).toMatchObject({ status: 'sent', message_sid: 'SM6' });
    expect((await row(inv.id))?.expires_at).toBeInstanceOf(Date);
    await callback(inv.id, status('SM6', 'delivered'));
    await callback(inv.id, status('SM6', 'delivered'));
    expect(await row(inv.id)).toMatchObject({ status: 'delivered' });
    expect(await counts(inv.day)).toEqual({ sent: 1, delivered: 1 });
  });

  it('a callback that settles a send erases the encrypted phone (only for sending) and keeps the hash (for replies)', async () => {
    const inv = await invitation('unknown', null);
    await pool.query("UPDATE invitations SET phone_enc = '\\x0102'::bytea, phone_hash = 'h-settle' WHERE id = $1", [inv.id]);
    await callback(inv.id, status('SM11', 'sent'));
    const { rows } = await pool.query('SELECT phone_enc, phone_hash FROM invitations WHERE id = $1', [inv.id]);
    expect(rows[0]).toEqual({ phone_enc: null, phone_hash: 'h-settle' });
  });

  it('a callback for an invitation put back to scheduled (a 5xx that had created the message) settles it: no second text', async () => {
    const inv = await invitation('scheduled', null);
    await pool.query('UPDATE invitations SET error_code = 20500 WHERE id = $1', [inv.id]); // the 5xx of that attempt
    await callback(inv.id, status('SM10', 'sent'));
    expect(await row(inv.id)).toMatchObject({ status: 'sent', message_sid: 'SM10', error_code: null });
    expect(await counts(inv.day)).toEqual({ sent: 1, delivered: 0 });
  });

  it('ignores a callback for another message than the one stored', async () => {
    const inv = await invitation('sent', 'SM7');
    await callback(inv.id, status('SMother', 'delivered'));
    expect(await row(inv.id)).toMatchObject({ status: 'sent', message_sid: 'SM7', delivery_status: null });
  });

  it('a delivery reported after the patient already answered is counted, and the answer stays', async () => {
    const inv = await invitation('answered', 'SM8');
    await callback(inv.id, status('SM8', 'delivered'));
    expect(await row(inv.id)).toMatchObject({ status: 'answered', delivery_status: 'delivered' });
    expect(await counts(inv.day)).toEqual({ sent: 1, delivered: 1 });
  });

  it('a text answered before anything counted it sent (its sender died) is counted sent and delivered by its callback, once', async () => {
    const inv = await invitation('answered', null);
    await callback(inv.id, status('SM12', 'sent'));
    expect(await row(inv.id)).toMatchObject({ status: 'answered', message_sid: 'SM12', delivery_status: 'delivered' });
    expect(await counts(inv.day)).toEqual({ sent: 1, delivered: 1 });
    // the carrier's own report counts nothing more
    await callback(inv.id, status('SM12', 'delivered'));
    expect(await counts(inv.day)).toEqual({ sent: 1, delivered: 1 });
    // a carrier that reports the answered text undelivered does not undo the proof of the answer
    const other = await invitation('completed', null);
    await callback(other.id, status('SM13', 'undelivered', { ErrorCode: '30003' }));
    expect(await row(other.id)).toMatchObject({ status: 'completed', delivery_status: 'delivered' });
    expect(await counts(other.day)).toEqual({ sent: 1, delivered: 1 });
  });

  it('logs a status word Twilio never sends as `other`, not as the text it was given', async () => {
    const inv = await invitation('sent', 'SM12');
    await callback(inv.id, status('SM12', 'weird 010181-900C'));
    const line = logLines.find((l) => l.includes(inv.id) && l.includes('"status callback"'));
    expect(line).toContain('"status":"other"');
    expect(logLines.join('\n')).not.toContain('010181-900C');
  });

  it('answers 404 for an id that is no invitation id, 204 for an unknown one, 400 without MessageStatus', async () => {
    expect((await callback('not-a-uuid', status('SM9', 'sent'))).statusCode).toBe(404);
    expect((await callback('00000000-0000-4000-8000-000000000000', status('SM9', 'sent'))).statusCode).toBe(204);
    const inv = await invitation('sent', 'SM9');
    const res = await callback(inv.id, { MessageSid: 'SM9' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, detail: expect.stringContaining('MessageStatus') });
    // The log says which field, as the answer does.
    const refused = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request refused');
    expect(refused.at(-1)).toMatchObject({ status: 400, title: 'Bad request', field: 'MessageStatus' });
  });
});
