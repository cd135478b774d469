// Redis that comes up after the services (a reboot where it starts last): ingest, sender and
// console started while it was down must work once it is up, without a restart. A BullMQ queue or
// worker made while Redis was down used to stay broken ("Connection is closed") for good.
import { createPool, type Pool } from '@kaiku/db';
import { buildSimApp } from '@kaiku/sms-sim';
import { createTestEnv, startThrowawayRedis, type TestEnv, type ThrowawayRedis, waitFor } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS_ENV, type ServiceProcess, senderTwilioEnv, startService, visit, writeTestConfig } from './ops-helpers.ts';

const ACCOUNT_SID = `AC${'c'.repeat(32)}`;
const AUTH_TOKEN = 'late-redis-auth-token';
const TOKEN = 'late-redis-lifecare-token';
const CONSOLE_TOKEN = 'late-redis-console-token';

describe('Redis that starts after the services', () => {
  let env: TestEnv;
  let pool: Pool;
  let sim: FastifyInstance;
  let redis: ThrowawayRedis | undefined;
  const running: ServiceProcess[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl);
    sim = buildSimApp({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      publicBaseUrl: 'http://127.0.0.1:9',
      number: '+358451234567',
      callbackDelayMs: 10,
      logger: pino({ level: 'silent' }),
    });
    await sim.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    for (const service of running) await service.stop('SIGKILL');
    await redis?.kill();
    await sim.close();
    await pool.end();
    await env.cleanup();
  });

  it('sends every acknowledged visit and shows the queue once Redis is up, without a restart', { timeout: 120_000 }, async () => {
    redis = await startThrowawayRedis({ started: false });
    const simUrl = `http://127.0.0.1:${(sim.server.address() as { port: number }).port}`;
    const common = {
      ...KEYS_ENV,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: redis.url,
      KAIKU_QUEUE_PREFIX: env.prefix,
      KAIKU_CONFIG: writeTestConfig(),
    };
    const ingest = await startService('ingest', {
      ...common,
      INGEST_TOKENS: `lifecare:${TOKEN}`,
      INGEST_PORT: '0',
      MLLP_PORT: '0',
      OUTBOX_POLL_MS: '100',
    });
    const sender = await startService('sender', {
      ...common,
      SENDER_PORT: '0',
      ...senderTwilioEnv(simUrl, ACCOUNT_SID, AUTH_TOKEN),
    });
    const console = await startService('console', { ...common, CONSOLE_PORT: '0', CONSOLE_TOKEN });
    running.push(ingest, sender, console);

    // While Redis is down: visits are acknowledged (kept in the outbox), nothing is sent.
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${ingest.url}/v1/visits`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(visit(i, 'LATE-REDIS')),
      });
      expect(res.status).toBe(201);
    }
    expect((await fetch(`${sender.url}/readyz`)).status).toBe(503);
    // The board says so at once (it used to wait for good), as a problem to scripts, as a page to people.
    const board = await fetch(`${console.url}/ops/queues/api/queues`, { headers: { authorization: `Bearer ${CONSOLE_TOKEN}` } });
    expect([board.status, board.headers.get('content-type')]).toEqual([503, expect.stringMatching(/problem\+json/)]);
    const page = await fetch(`${console.url}/ops/queues/`, { headers: { authorization: `Bearer ${CONSOLE_TOKEN}`, accept: 'text/html' } });
    expect([page.status, await page.text()]).toEqual([503, expect.stringContaining('Redis is unavailable')]);
    // …and its log says it once a minute, not at every reconnect attempt (one a second or more).
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(console.lines.filter((line) => line.includes('Redis unavailable')).length).toBeLessThanOrEqual(1);

    await redis.restart();
    const sent = async () =>
      ((await (await fetch(`${simUrl}/sim/messages?direction=outbound-api`)).json()) as { messages: unknown[] }).messages.length;
    await waitFor(async () => (await sent()) === 3, 60_000, 'the three texts').catch((error) => {
      throw new Error(`${error.message}\n${[...ingest.lines.slice(-10), ...sender.lines.slice(-10)].join('\n')}`);
    });
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
    expect(rows[0]?.n).toBe(0);
    expect((await fetch(`${sender.url}/readyz`)).status).toBe(200);
    await waitFor(
      async () =>
        (await fetch(`${console.url}/ops/queues/api/queues`, { headers: { authorization: `Bearer ${CONSOLE_TOKEN}` } })).status === 200,
      20_000,
      'the queue board',
    );
  });
});
