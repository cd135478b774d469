import type { AddressInfo } from 'node:net';
import { type KaikuConfig, parseKaikuConfig } from '@kaiku/config';
import { encryptPhone, phoneHashOf } from '@kaiku/core';
import { createPool, type Pool } from '@kaiku/db';
import { createRedis, createSurveySendQueue, enqueueSurvey } from '@kaiku/queue';
import { buildRepliesApp } from '@kaiku/replies';
import { buildSimApp, type FaultRule } from '@kaiku/sms-sim';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createSenderWorker, createTwilioClient } from '../src/index.ts';

export const ACCOUNT_SID = `AC${'b'.repeat(32)}`;
export const AUTH_TOKEN = 'sender-test-auth-token';
export const FROM = '+358451234567';
export const UNIT = '1.2.246.10.2085212.10.1314';
export const SENSITIVE_UNIT = '1.2.246.10.1234567.10.29';
export const keys = { pseudonymKey: Buffer.alloc(32, 3), encryptionKey: Buffer.alloc(32, 4) };
export const logger = pino({ level: 'silent' });

export function testKaiku(overrides: { sending?: Record<string, number>; survey?: Record<string, unknown> } = {}): KaikuConfig {
  return parseKaikuConfig({
    units: [
      { id: UNIT, name: { fi: 'Kyyjärven terveysasema', sv: 'Kyyjärvi hälsostation' }, service: 'health-station' },
      { id: SENSITIVE_UNIT, name: { fi: 'Mielenterveyspalvelut' }, service: 'other', sensitive: true },
    ],
    survey: { sendAfter: 'PT0S', quietHours: null, skipPublicHolidays: false, ...overrides.survey },
    sending: { ratePerSecond: 100, concurrency: 4, ...overrides.sending },
  });
}

export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export interface SimMessageView {
  sid: string;
  to: string;
  body: string;
  status: string;
  numSegments: number;
  validityPeriod: number | null;
  statusCallback: string | null;
  messagingServiceSid: string | null;
  dateCreated: string;
}

/** Postgres, Redis, sms-sim and the replies service (for status callbacks), each test file its own. */
export async function createHarness(kaiku: KaikuConfig = testKaiku()) {
  const env: TestEnv = await createTestEnv();
  const pool: Pool = createPool(env.databaseUrl);
  const redis = createRedis(env.redisUrl);
  const queue = createSurveySendQueue(redis, env.prefix);
  const closers: Array<() => Promise<unknown>> = [];

  // Twilio signs callbacks over the public URL: the replies app's own address, known once it listens.
  const probe = buildRepliesApp({ pool, kaiku, keys, logger, authToken: AUTH_TOKEN, publicBaseUrl: 'http://placeholder' });
  const repliesUrl = await listen(probe);
  await probe.close();
  const replies = buildRepliesApp({ pool, kaiku, keys, logger, authToken: AUTH_TOKEN, publicBaseUrl: repliesUrl });
  await replies.listen({ host: '127.0.0.1', port: Number(new URL(repliesUrl).port) });
  const sim = buildSimApp({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    publicBaseUrl: repliesUrl,
    number: FROM,
    callbackDelayMs: 5,
    logger,
  });
  const simUrl = await listen(sim);
  let visitNo = 0;

  const h = {
    env,
    pool,
    redis,
    queue,
    kaiku,
    repliesUrl,
    simUrl,
    twilio: (apiBaseUrl = simUrl, timeoutMs?: number) =>
      createTwilioClient({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl, ...(timeoutMs ? { timeoutMs } : {}) }),

    /** A worker with its own Redis connection, as a separate sender process would have. */
    startWorker(
      opts: {
        kaiku?: KaikuConfig;
        apiBaseUrl?: string;
        timeoutMs?: number;
        sender?: { from?: string; messagingServiceSid?: string };
        now?: () => Date;
        /** Another pool (one to a database that is down) or logger than the harness's own. */
        pool?: Pool;
        logger?: pino.Logger;
        /** Other keys than those ingest's invitations were sealed with. */
        keys?: typeof keys;
      } = {},
    ): Worker {
      const connection = createRedis(env.redisUrl);
      const worker = createSenderWorker({
        connection,
        prefix: env.prefix,
        pool: opts.pool ?? pool,
        kaiku: opts.kaiku ?? kaiku,
        keys: opts.keys ?? keys,
        logger: opts.logger ?? logger,
        twilio: h.twilio(opts.apiBaseUrl, opts.timeoutMs),
        sender: opts.sender ?? { from: FROM },
        publicBaseUrl: repliesUrl,
        ...(opts.now ? { now: opts.now } : {}),
      });
      closers.unshift(async () => {
        await worker.close();
        connection.disconnect();
      });
      return worker;
    },

    /** A visit and its scheduled invitation, as ingest stores them; returns the invitation id. */
    async addInvitation(
      o: { phone?: string; language?: string; unitId?: string; sendAt?: Date; enqueue?: boolean; attempts?: number } = {},
    ) {
      const phone = o.phone ?? `+35840${String(1_000_000 + visitNo).padStart(7, '0')}`;
      visitNo += 1;
      const { rows: v } = await pool.query<{ id: string }>(
        `INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language, age_band)
         VALUES ('lifecare', $1, $2, 'health-station', now() - interval '1 hour', current_date, $3, '30-39') RETURNING id`,
        [`V-${visitNo}-${Math.random()}`, o.unitId ?? UNIT, o.language ?? 'fi'],
      );
      const { rows } = await pool.query<{ id: string }>(
        `INSERT INTO invitations (visit_id, status, phone_enc, phone_hash, language, send_at)
         VALUES ($1, 'scheduled', $2, $3, $4, $5) RETURNING id`,
        [v[0]?.id, encryptPhone(keys, phone), phoneHashOf(keys, phone), o.language ?? 'fi', o.sendAt ?? new Date()],
      );
      const id = rows[0]?.id as string;
      if (o.enqueue !== false) {
        if (o.attempts) {
          await queue.add('send', { invitationId: id }, { jobId: id, attempts: o.attempts, backoff: { type: 'fixed', delay: 50 } });
        } else {
          await enqueueSurvey(queue, id, new Date()); // due now; tests with a fixed clock give the worker `now`
        }
      }
      return { id, phone };
    },

    async invitation(id: string) {
      const { rows } = await pool.query<{
        status: string;
        attempt: number;
        message_sid: string | null;
        error_code: number | null;
        delivery_status: string | null;
        send_at: Date | null;
        skip_reason: string | null;
        phone_enc: Buffer | null;
        phone_hash: string | null;
        language: string;
      }>(
        'SELECT status, attempt, message_sid, error_code, delivery_status, send_at, skip_reason, phone_enc, phone_hash, language FROM invitations WHERE id = $1',
        [id],
      );
      return rows[0];
    },

    async simMessages(to?: string): Promise<SimMessageView[]> {
      const q = new URLSearchParams({ direction: 'outbound-api', ...(to ? { to } : {}) });
      const body = (await (await fetch(`${simUrl}/sim/messages?${q}`)).json()) as { messages: SimMessageView[] };
      return body.messages;
    },

    async fault(rule: FaultRule | FaultRule[]) {
      const res = await fetch(`${simUrl}/sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(rule),
      });
      if (res.status !== 201) throw new Error(`fault not accepted: ${res.status} ${await res.text()}`);
    },

    async rollup() {
      const { rows } = await pool.query<{ sent: number; delivered: number }>(
        'SELECT COALESCE(sum(sent),0)::int AS sent, COALESCE(sum(delivered),0)::int AS delivered FROM nps_daily',
      );
      return rows[0] as { sent: number; delivered: number };
    },

    onClose(fn: () => Promise<unknown>) {
      closers.unshift(fn);
    },

    async close() {
      for (const close of closers) await close().catch(() => {});
      await sim.close();
      await replies.close();
      await queue.close();
      redis.disconnect();
      await pool.end();
      await env.cleanup();
    },
  };
  return h;
}
export type Harness = Awaited<ReturnType<typeof createHarness>>;
