import type { AddressInfo } from 'node:net';
import { parseKaikuConfig } from '@kaiku/config';
import { buildConsoleApp } from '@kaiku/console';
import { createPool, type Pool } from '@kaiku/db';
import { buildIngestApp, createOutboxRelay } from '@kaiku/ingest';
import { createRedis, createSurveySendQueue } from '@kaiku/queue';
import { buildRepliesApp } from '@kaiku/replies';
import { createSenderWorker, createTwilioClient } from '@kaiku/sender';
import { buildSimApp } from '@kaiku/sms-sim';
import { createTestEnv, type TestEnv, waitFor } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const UNIT = '1.2.246.10.2085212.10.1314';
const ACCOUNT_SID = `AC${'a'.repeat(32)}`;
const AUTH_TOKEN = 'e2e-auth-token';
const keys = { pseudonymKey: Buffer.alloc(32, 1), encryptionKey: Buffer.alloc(32, 2) };
const kaiku = parseKaikuConfig({
  units: [{ id: UNIT, name: { fi: 'Kyyjärven terveysasema', sv: 'Kyyjärvi hälsostation' }, service: 'health-station' }],
  survey: { sendAfter: 'PT0S', quietHours: null, skipPublicHolidays: false },
  reporting: { minN: 1 },
});
const logger = pino({ level: 'silent' });

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

describe('walking skeleton: visit → SMS → reply → NPS', () => {
  let env: TestEnv;
  let pool: Pool;
  const closers: Array<() => Promise<unknown>> = [];
  let urls: { ingest: string; replies: string; console: string; sim: string };

  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl);
    const redis = createRedis(env.redisUrl, { failFast: true });
    const workerRedis = createRedis(env.redisUrl);
    const queue = createSurveySendQueue(redis, env.prefix);
    const relay = createOutboxRelay({ pool, queue, logger, intervalMs: 50 });

    const replies = buildRepliesApp({ pool, kaiku, keys, logger, authToken: AUTH_TOKEN, publicBaseUrl: 'http://placeholder' });
    // Twilio signs over the public URL; here that is the replies app's own address.
    const repliesUrl = await listen(replies);
    await replies.close();
    const repliesApp = buildRepliesApp({ pool, kaiku, keys, logger, authToken: AUTH_TOKEN, publicBaseUrl: repliesUrl });
    await repliesApp.listen({ host: '127.0.0.1', port: Number(new URL(repliesUrl).port) });
    const sim = buildSimApp({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      publicBaseUrl: repliesUrl,
      number: '+358451234567',
      callbackDelayMs: 5,
      logger,
    });
    const simUrl = await listen(sim);
    const ingest = buildIngestApp({
      pool,
      redis,
      kaiku,
      keys,
      tokens: new Map([['lc-token', 'lifecare']]),
      logger,
      onCommitted: () => relay.nudge(),
    });
    const consoleApp = buildConsoleApp({ pool, kaiku, logger, token: 'console-token' });
    const worker = createSenderWorker({
      connection: workerRedis,
      prefix: env.prefix,
      pool,
      kaiku,
      keys,
      logger,
      twilio: createTwilioClient({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: simUrl }),
      sender: { from: '+358451234567' },
      publicBaseUrl: repliesUrl,
    });
    relay.start();
    urls = { ingest: await listen(ingest), replies: repliesUrl, console: await listen(consoleApp), sim: simUrl };
    closers.push(
      () => ingest.close(),
      () => relay.stop(),
      () => worker.close(),
      () => queue.close(),
      () => sim.close(),
      () => repliesApp.close(),
      () => consoleApp.close(),
      async () => redis.disconnect(),
      async () => workerRedis.disconnect(),
      () => pool.end(),
      () => env.cleanup(),
    );
  });

  afterAll(async () => {
    for (const close of closers) await close();
  });

  it('texts an adult once in Finnish and counts the answer in NPS', async () => {
    const endedAt = new Date(Date.now() - 3600_000).toISOString();
    const visit = {
      source: 'lifecare',
      sourceEventId: 'E2E-1',
      kind: 'visit-ended',
      visitId: 'E2E-VISIT-1',
      endedAt,
      unit: { id: UNIT, name: 'Kyyjärven terveysasema' },
      service: { class: 'SOTE9.2', type: 'T11' },
      patient: {
        personalId: '010181-900C',
        mobilePhones: ['040 123 4567'],
        languages: { service: 'fi' },
        nonDisclosure: false,
        deceased: false,
        smsConsent: true,
      },
    };
    const res = await fetch(`${urls.ingest}/v1/visits`, {
      method: 'POST',
      headers: { authorization: 'Bearer lc-token', 'content-type': 'application/json' },
      body: JSON.stringify(visit),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ outcome: 'scheduled', language: 'fi' });

    const sent = await waitFor(
      async () => {
        const { messages } = (await (await fetch(`${urls.sim}/sim/messages?direction=outbound-api`)).json()) as {
          messages: Array<{ to: string; body: string }>;
        };
        return messages.length > 0 ? messages : null;
      },
      15_000,
      'the survey text',
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toBe('+358401234567');
    expect(sent[0]?.body).toContain('Kyyjärven terveysasema');
    expect(sent[0]?.body).toMatch(/0-10/);

    const reply = async (body: string) =>
      (await (
        await fetch(`${urls.sim}/sim/reply`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ from: '+358401234567', body }),
        })
      ).json()) as { status: number; replies: string[] };
    const first = await reply('9');
    expect(first.status).toBe(200);
    expect(first.replies[0]).toMatch(/mikä vaikutti/);
    const second = await reply('Hyvä palvelu');
    expect(second.replies[0]).toMatch(/Kiitos palautteestasi/);

    const report = await fetch(`${urls.console}/v1/reports/nps?from=2000-01-01&to=2100-12-31&groupBy=unit`, {
      headers: { authorization: 'Bearer console-token' },
    });
    expect(report.status).toBe(200);
    const body = (await report.json()) as { rows: Array<Record<string, unknown>> };
    expect(body.rows).toEqual([expect.objectContaining({ key: { unit: UNIT }, n: 1, promoters: 1, nps: 100, suppressed: false })]);

    // Still exactly one survey text after all that.
    const { messages } = (await (await fetch(`${urls.sim}/sim/messages?direction=outbound-api`)).json()) as { messages: unknown[] };
    expect(messages).toHaveLength(1);
  });
});
