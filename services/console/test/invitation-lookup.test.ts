import { parseKaikuConfig } from '@kaiku/config';
import { createPool, type Pool } from '@kaiku/db';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsoleApp } from '../src/app.ts';

// A support-desk probe could answer "I answered but got no thanks", "Twilio says this text failed"
// or "did visit X get a text?" only by reading the database by hand.
const UNIT = '1.2.246.10.99.10.1';
const kaiku = parseKaikuConfig({ units: [{ id: UNIT, name: { fi: 'Yksikkö' }, service: 'health-station' }] });
const TOKEN = 'lookup-test-token';

describe('the invitation look-up (support desk)', () => {
  let env: TestEnv;
  let pool: Pool;
  let app: FastifyInstance;
  let answered: string;
  let failed: string;
  const get = async (url: string, token = TOKEN) => {
    const res = await app.inject({ url, headers: { authorization: `Bearer ${token}` } });
    return { status: res.statusCode, type: String(res.headers['content-type']), json: () => res.json() };
  };

  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl);
    app = buildConsoleApp({ pool, kaiku, logger: pino({ level: 'silent' }), token: TOKEN });
    const visit = async (id: string) =>
      (
        await pool.query<{ id: string }>(
          `INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language, age_band)
           VALUES ('lifecare', $1, $2, 'health-station', '2026-03-02T10:00:00Z', '2026-03-02', 'fi', '30-39') RETURNING id`,
          [id, UNIT],
        )
      ).rows[0]?.id;
    const invitation = async (visitId: string | undefined, columns: string, values: unknown[]) =>
      (
        await pool.query<{ id: string }>(
          `INSERT INTO invitations (visit_id, language, ${columns}) VALUES ($1, 'fi', ${values.map((_, i) => `$${i + 2}`).join(', ')}) RETURNING id`,
          [visitId, ...values],
        )
      ).rows[0]?.id as string;
    answered = await invitation(await visit('V-ANSWERED'), 'status, step, message_sid, attempt, sent_at, delivery_status', [
      'completed',
      'completed',
      'SMtext1',
      1,
      '2026-03-02T12:00:00Z',
      'delivered',
    ]);
    await pool.query(`INSERT INTO inbound_messages (message_sid, invitation_id) VALUES ('SMreply1', $1), ('SMreply2', $1)`, [answered]);
    await pool.query(
      `INSERT INTO responses (invitation_id, score, comment, language, unit_id, service, visit_day, visit_month, age_band, source)
       VALUES ($1, 3, 'hoitaja Virtanen oli töykeä', 'fi', $2, 'health-station', '2026-03-02', '2026-03', '30-39', 'lifecare')`,
      [answered, UNIT],
    );
    failed = await invitation(await visit('V-FAILED'), 'status, message_sid, attempt, error_code', ['failed', 'SMtext2', 1, 30007]);
    await invitation(await visit('V-SKIPPED'), 'status, skip_reason', ['skipped', 'same-day-visit']);
    const pegasos = await pool.query<{ id: string }>(
      `INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language)
       VALUES ('pegasos', 'urn:oid:1.2.246.10.1.10.0|E-1', $1, 'health-station', now(), current_date, 'fi') RETURNING id`,
      [UNIT],
    );
    await invitation(pegasos.rows[0]?.id, 'status', ['scheduled']);
    await pool.query(`INSERT INTO visit_cancellations (source, source_visit_id) VALUES ('lifecare', 'V-CANCELLED-FIRST')`);
  });
  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await env?.cleanup();
  });

  it('tells what became of a survey by its id: sent, delivered, answered, how many replies; never the score, comment or phone', async () => {
    const res = await get(`/v1/ops/invitations/${answered}`);
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      invitationId: answered,
      visit: { source: 'lifecare', visitId: 'V-ANSWERED', unit: UNIT, service: 'health-station', day: '2026-03-02' },
      status: 'completed',
      step: 'completed',
      messageSid: 'SMtext1',
      deliveryStatus: 'delivered',
      answered: true,
      replies: 2,
      phoneErased: true,
    });
    expect(JSON.stringify(body)).not.toMatch(/Virtanen|"score"|phone_enc|phone_hash/);
  });

  it("finds it by the MessageSid of its text or of a patient's reply, and by the visit number the record system sent", async () => {
    expect((await get('/v1/ops/invitations?messageSid=SMtext2')).json().invitations).toEqual([
      expect.objectContaining({ invitationId: failed, status: 'failed', errorCode: 30007, answered: false, replies: 0 }),
    ]);
    expect((await get('/v1/ops/invitations?messageSid=SMreply2')).json().invitations).toEqual([
      expect.objectContaining({ invitationId: answered }),
    ]);
    expect((await get('/v1/ops/invitations?source=Lifecare&visitId=V-SKIPPED')).json().invitations).toEqual([
      // never texted: no conversation step (a regression probe: "awaiting-score" read as waiting for an answer)
      expect.objectContaining({ status: 'skipped', skipReason: 'same-day-visit', messageSid: null, step: null }),
    ]);
    // a Pegasos id as the record system shows it (bare OID) finds the one ingest stored with urn:oid:
    for (const visitId of ['urn:oid:1.2.246.10.1.10.0|E-1', '1.2.246.10.1.10.0|E-1', 'URN:OID:1.2.246.10.1.10.0|E-1']) {
      expect((await get(`/v1/ops/invitations?source=pegasos&visitId=${encodeURIComponent(visitId)}`)).json().invitations, visitId).toEqual([
        expect.objectContaining({ visit: expect.objectContaining({ source: 'pegasos', visitId: 'urn:oid:1.2.246.10.1.10.0|E-1' }) }),
      ]);
    }
    // a cancel kept for a visit that has not come (yet) is told apart from a visit number never seen
    expect((await get('/v1/ops/invitations?source=lifecare&visitId=V-CANCELLED-FIRST')).json()).toEqual({
      invitations: [],
      cancelledAt: expect.any(String),
    });
    expect((await get('/v1/ops/invitations?source=lifecare&visitId=V-NEVER')).json()).toEqual({ invitations: [], cancelledAt: null });
    expect((await get('/v1/ops/invitations?messageSid=SMnone')).json()).toEqual({ invitations: [] });
  });

  it('answers a bad look-up with problem+json, an unknown id 404, and no token 401', async () => {
    for (const url of [
      '/v1/ops/invitations',
      '/v1/ops/invitations?visitId=V-1',
      '/v1/ops/invitations?messageSid=SM1&extra=1',
      '/v1/ops/invitations/not-a-uuid',
      // a NUL, which Postgres refuses (a regression probe: 500)
      '/v1/ops/invitations?messageSid=%00',
      '/v1/ops/invitations?source=lifecare&visitId=V%00',
      '/v1/ops/invitations?source=life%00care&visitId=x',
    ]) {
      const res = await get(url);
      expect([url, res.status, res.type]).toEqual([url, 400, expect.stringMatching(/^application\/problem\+json/)]);
    }
    expect((await get('/v1/ops/invitations/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await get(`/v1/ops/invitations/${answered}`, 'wrong-token')).status).toBe(401);
  });
});
