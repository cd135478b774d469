import { createPool, type Pool } from '@kaiku/db';
import { createRedis, createSurveySendQueue } from '@kaiku/queue';
import { createSenderWorker, createTwilioClient } from '@kaiku/sender';
import { buildSimApp } from '@kaiku/sms-sim';
import { createTestEnv, startThrowawayRedis, type TestEnv, type ThrowawayRedis, waitFor } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngestApp } from '../src/app.ts';
import { createOutboxReconciler, type OutboxReconciler } from '../src/outbox-reconciler.ts';
import { createOutboxRelay, type OutboxRelay } from '../src/outbox-relay.ts';
import { keys, silent, TOKENS, testConfig, testHetu, UNITS, uniqueId } from './helpers.ts';

const ACCOUNT_SID = `AC${'b'.repeat(32)}`;
const kaiku = testConfig({ sendAfter: 'PT0S', quietHours: null, skipPublicHolidays: false });

describe('Redis lost during ingest', () => {
  let env: TestEnv;
  let pool: Pool;
  let own: ThrowawayRedis;
  let redis: Redis;
  let queue: ReturnType<typeof createSurveySendQueue>;
  let relay: OutboxRelay;
  let reconciler: OutboxReconciler;
  let ingest: FastifyInstance;
  let ingestUrl: string;

  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl, { max: 5 });
    own = await startThrowawayRedis();
    redis = createRedis(own.url, { failFast: true });
    await redis.connect();
    queue = createSurveySendQueue(redis, env.prefix);
    queue.on('error', () => {}); // Redis going away is the point of this test
    relay = createOutboxRelay({ pool, queue, logger: silent, intervalMs: 50 });
    reconciler = createOutboxReconciler({ pool, queue, redis, logger: silent, intervalMs: 50, fullPassMs: 3600_000 });
    ingest = buildIngestApp({ pool, redis, kaiku, keys, tokens: TOKENS, logger: silent, onCommitted: () => relay.nudge() });
    await ingest.listen({ host: '127.0.0.1', port: 0 });
    ingestUrl = `http://127.0.0.1:${(ingest.server.address() as { port: number }).port}`;
    relay.start();
    reconciler.start();
  });

  afterAll(async () => {
    await ingest.close();
    await reconciler.stop();
    await relay.stop();
    await queue.close().catch(() => {});
    redis.disconnect();
    await own.kill();
    await pool.end();
    await env.cleanup();
  });

  const post = async (n: number) => {
    const visit = {
      source: 'lifecare',
      kind: 'visit-ended',
      visitId: uniqueId('RV'),
      endedAt: new Date(Date.now() - 600_000).toISOString(),
      unit: { id: UNITS.kyyjarvi },
      patient: { personalId: testHetu(), mobilePhones: [`040 100 00${String(n).padStart(2, '0')}`], languages: { service: 'fi' } },
    };
    const res = await fetch(`${ingestUrl}/v1/visits`, {
      method: 'POST',
      headers: { authorization: 'Bearer lc-token', 'content-type': 'application/json' },
      body: JSON.stringify(visit),
    });
    return { status: res.status, body: (await res.json()) as { outcome: string; invitationId: string } };
  };
  const outboxSize = async () => (await pool.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n as number;
  const jobsInRedis = async () => {
    const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  };

  it('accepts events while Redis is down, texts everyone once Redis is back, and nobody twice', { timeout: 60_000 }, async () => {
    // Three visits while Redis is up: their jobs reach Redis and the outbox empties.
    const before = await Promise.all([1, 2, 3].map(post));
    expect(before.map((r) => r.status)).toEqual([201, 201, 201]);
    await waitFor(async () => (await outboxSize()) === 0 && (await jobsInRedis()) === 3, 10_000, 'the first jobs in Redis');

    // Redis dies and loses everything; three more visits arrive meanwhile.
    await own.kill();
    const during = await Promise.all([4, 5, 6].map(post));
    expect(during.map((r) => [r.status, r.body.outcome])).toEqual([
      [201, 'scheduled'],
      [201, 'scheduled'],
      [201, 'scheduled'],
    ]);
    expect(await outboxSize()).toBe(3);
    // /readyz names Redis; with ?ignore=redis (a load balancer's) ingest is ready, as it takes visits (an alerts probe).
    const ready = await fetch(`${ingestUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ failing: ['redis'] });
    const forTraffic = await fetch(`${ingestUrl}/readyz?ignore=redis`);
    expect(forTraffic.status).toBe(200);
    expect((await fetch(`${ingestUrl}/readyz?ignore=%20Redis`)).status).toBe(200);
    expect(await forTraffic.json()).toMatchObject({
      status: 'ok',
      checks: { postgres: 'ok', redis: expect.stringMatching(/^unavailable/) },
    });

    // Redis comes back empty: the relay moves the waiting rows, the reconciler restores the lost jobs.
    await own.restart();
    await waitFor(
      async () => (await outboxSize()) === 0 && (await jobsInRedis().catch(() => 0)) === 6,
      15_000,
      'all six jobs back in Redis',
    );

    // Now the sender runs: six texts, one per patient.
    const sim = buildSimApp({
      accountSid: ACCOUNT_SID,
      authToken: 'outage-token',
      publicBaseUrl: 'http://127.0.0.1:9',
      number: '+358451234567',
      callbackDelayMs: 5,
      logger: silent,
    });
    await sim.listen({ host: '127.0.0.1', port: 0 });
    const simUrl = `http://127.0.0.1:${(sim.server.address() as { port: number }).port}`;
    const workerRedis = createRedis(own.url);
    const worker = createSenderWorker({
      connection: workerRedis,
      prefix: env.prefix,
      pool,
      kaiku,
      keys,
      logger: silent,
      twilio: createTwilioClient({ accountSid: ACCOUNT_SID, authToken: 'outage-token', apiBaseUrl: simUrl }),
      sender: { from: '+358451234567' },
      publicBaseUrl: 'http://127.0.0.1:9',
    });
    worker.on('error', () => {});
    try {
      const ids = [...before, ...during].map((r) => r.body.invitationId);
      await waitFor(
        async () => {
          const { rows } = await pool.query("SELECT count(*)::int AS n FROM invitations WHERE id = ANY($1) AND status = 'sent'", [ids]);
          return rows[0].n === 6;
        },
        20_000,
        'six invitations sent',
      );

      // Redis loses its data once more after the sends: nothing is re-added, nothing re-sent.
      await own.restart();
      await waitFor(() => redis.status === 'ready', 10_000, 'the ingest connection back');
      expect(await reconciler.check()).toBe(0);
      expect(await reconciler.reconcileAll()).toBe(0);
      expect(await relay.drain()).toBe(0);

      const messages = (await (await fetch(`${simUrl}/sim/messages?direction=outbound-api`)).json()) as { messages: Array<{ to: string }> };
      const recipients = messages.messages.map((m) => m.to).sort();
      expect(recipients).toEqual(['+358401000001', '+358401000002', '+358401000003', '+358401000004', '+358401000005', '+358401000006']);
    } finally {
      await worker.close();
      workerRedis.disconnect();
      await sim.close();
    }
  });
});
