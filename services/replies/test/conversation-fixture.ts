import { parseKaikuConfig } from '@kaiku/config';
import { encryptPhone, phoneHashOf } from '@kaiku/core';
import { createPool, type Pool } from '@kaiku/db';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import twilio from 'twilio';
import { buildRepliesApp } from '../src/app.ts';

export const AUTH_TOKEN = 'conversation-test-token';
export const PUBLIC = 'https://kaiku.example.fi';
export const UNIT = '1.2.246.10.2085212.10.1314';
export const SENSITIVE_UNIT = '1.2.246.10.2085212.10.9999';
export const kaiku = parseKaikuConfig({
  units: [
    {
      id: UNIT,
      name: { fi: 'Kyyjärven terveysasema', sv: 'Kyyjärvi hälsostation', en: 'Kyyjärvi health station' },
      service: 'health-station',
    },
    { id: SENSITIVE_UNIT, name: { fi: 'Päihdepoliklinikka' }, service: 'other', sensitive: true },
  ],
});
export const keys = { pseudonymKey: Buffer.alloc(32, 7), encryptionKey: Buffer.alloc(32, 8) };

export interface Fixture {
  env: TestEnv;
  pool: Pool;
  app: FastifyInstance;
  /** Sends a signed inbound SMS; answers the HTTP status, the TwiML and its <Message> texts. */
  sms: (
    from: string,
    body: string,
    extra?: Record<string, string>,
  ) => Promise<{ status: number; twiml: string; replies: string[]; sid: string }>;
  invitation: (opts: InvitationOpts) => Promise<string>;
  /** The service's log lines (JSON), at info. */
  logLines: string[];
  close: () => Promise<void>;
}

export interface InvitationOpts {
  phone: string;
  language?: 'fi' | 'sv' | 'en';
  status?: string;
  endedAt?: Date;
  expiresAt?: Date;
  unit?: string;
  step?: string;
  /** The message sid; null for a send whose answer never came (`unknown`, `sending`). */
  messageSid?: string | null;
}

let seq = 0;
export const nextSid = () => `SM${String(++seq).padStart(32, '0')}${Math.random().toString(16).slice(2, 6)}`;

export async function createFixture(now?: () => Date): Promise<Fixture> {
  const env = await createTestEnv();
  const pool = createPool(env.databaseUrl);
  const logLines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(line) });
  const app = buildRepliesApp({ pool, kaiku, keys, logger, authToken: AUTH_TOKEN, publicBaseUrl: PUBLIC, now });
  await app.ready();
  let visitNo = 0;

  return {
    env,
    pool,
    app,
    logLines,
    async sms(from, body, extra = {}) {
      const sid = extra.MessageSid ?? nextSid();
      const params = {
        MessageSid: sid,
        SmsSid: sid,
        AccountSid: `AC${'1'.repeat(32)}`,
        From: from,
        To: '+358451234567',
        Body: body,
        ...extra,
      };
      const url = '/v1/twilio/inbound';
      const res = await app.inject({
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC}${url}`, params),
        },
        payload: new URLSearchParams(params).toString(),
      });
      const replies = [...res.body.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) =>
        (m[1] as string)
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&apos;/g, "'")
          .replace(/&amp;/g, '&'),
      );
      return { status: res.statusCode, twiml: res.body, replies, sid };
    },
    async invitation(opts) {
      visitNo += 1;
      const endedAt = opts.endedAt ?? new Date(Date.now() - 86_400_000);
      const language = opts.language ?? 'fi';
      const { rows: v } = await pool.query<{ id: string }>(
        `INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language, age_band)
         VALUES ('lifecare', $1, $2, 'health-station', $3, ($3::timestamptz AT TIME ZONE 'Europe/Helsinki')::date, $4, '30-39') RETURNING id`,
        [`V-${visitNo}-${Math.random()}`, opts.unit ?? UNIT, endedAt, language],
      );
      const { rows } = await pool.query<{ id: string }>(
        `INSERT INTO invitations (visit_id, status, phone_enc, phone_hash, language, sent_at, expires_at, step, message_sid, attempt,
                                  delivery_status)
         VALUES ($1, $2, $3, $4, $5, now(), $6, $7, $8, 1,
                 CASE WHEN $2 IN ('sent', 'delivered', 'undelivered') THEN $2 END) RETURNING id`,
        [
          v[0]?.id,
          opts.status ?? 'delivered',
          encryptPhone(keys, opts.phone),
          phoneHashOf(keys, opts.phone),
          language,
          opts.expiresAt ?? new Date(Date.now() + 7 * 86_400_000),
          opts.step ?? 'awaiting-score',
          opts.messageSid === undefined ? nextSid() : opts.messageSid,
        ],
      );
      return rows[0]?.id as string;
    },
    async close() {
      await app.close();
      await pool.end();
      await env.cleanup();
    },
  };
}

/** The stored state of one invitation and its response. */
export async function stateOf(pool: Pool, id: string) {
  const { rows } = await pool.query(
    `SELECT i.status, i.step, i.reasked, i.language, i.pending_comment, i.phone_hash IS NOT NULL AS has_phone_hash,
            i.phone_enc IS NOT NULL AS has_phone, r.score, r.comment, r.language AS response_language
     FROM invitations i LEFT JOIN responses r ON r.invitation_id = i.id WHERE i.id = $1`,
    [id],
  );
  return rows[0];
}

export async function rollup(pool: Pool) {
  const { rows } = await pool.query<{
    promoters: number;
    passives: number;
    detractors: number;
    comments: number;
    delivered: number;
    sent: number;
  }>(
    `SELECT sum(promoters)::int AS promoters, sum(passives)::int AS passives, sum(detractors)::int AS detractors,
            sum(comments)::int AS comments, sum(delivered)::int AS delivered, sum(sent)::int AS sent FROM nps_daily`,
  );
  return rows[0];
}
