// Redis killed and restarted with its data gone, twice, while visits pour into a real ingest process
// and a real sender process is texting: every acknowledged visit is texted, and nobody twice.
import type { AddressInfo } from 'node:net';
import { createPool, type Pool } from '@kaiku/db';
import { buildSimApp } from '@kaiku/sms-sim';
import { createTestEnv, type TestEnv, waitFor } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hetu, KEYS_ENV, phone, type ServiceProcess, senderTwilioEnv, startService, visit, writeTestConfig } from '../ops-helpers.ts';
import { startThrowawayRedis, type ThrowawayRedis } from './helpers.ts';
import { scanForPersonalData } from './privacy-scan.ts';

const ACCOUNT_SID = `AC${'c'.repeat(32)}`;
const AUTH_TOKEN = 'redis-loss-auth-token';
const TOKEN = 'redis-loss-lifecare-token';
const VISITS = 240;

describe('Redis lost with its data during ingest and sending', () => {
  let env: TestEnv;
  let pool: Pool;
  let redis: ThrowawayRedis;
  let sim: FastifyInstance;
  const running: ServiceProcess[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl);
    redis = await startThrowawayRedis();
    sim = buildSimApp({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      publicBaseUrl: 'http://127.0.0.1:9',
      number: '+358451234567',
      callbackDelayMs: 10, // status callbacks go nowhere: the sender's own answer settles each send
      logger: pino({ level: 'silent' }),
    });
    await sim.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    for (const service of running) await service.stop('SIGKILL');
    await sim?.close();
    await redis?.kill();
    await pool?.end();
    await env?.cleanup();
  });

  it('texts every acknowledged visit exactly once', { timeout: 180_000 }, async () => {
    const simUrl = `http://127.0.0.1:${(sim.server.address() as AddressInfo).port}`;
    const common = {
      ...KEYS_ENV,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: redis.url,
      KAIKU_QUEUE_PREFIX: env.prefix,
      KAIKU_CONFIG: writeTestConfig({ ratePerSecond: 25, concurrency: 4 }),
      LOG_LEVEL: 'info',
    };
    const ingest = await startService('ingest', {
      ...common,
      INGEST_TOKENS: `lifecare:${TOKEN}`,
      INGEST_PORT: '0',
      MLLP_PORT: '0',
      OUTBOX_POLL_MS: '100',
      OUTBOX_RECONCILE_MS: '300',
    });
    running.push(ingest);
    const sender = await startService('sender', {
      ...common,
      SENDER_PORT: '0',
      ...senderTwilioEnv(simUrl, ACCOUNT_SID, AUTH_TOKEN),
    });
    running.push(sender);
    const texts = async () =>
      ((await (await fetch(`${simUrl}/sim/messages?direction=outbound-api`)).json()) as { messages: Array<{ to: string }> }).messages;

    const statuses: Record<string, number> = {};
    const acknowledged = new Set<number>();
    let duringOutage = 0;
    let redisDown = false;
    let next = 0;
    const clients = Array.from({ length: 4 }, async () => {
      for (;;) {
        const i = next++;
        if (i >= VISITS) return;
        for (let attempt = 0; attempt < 100 && !acknowledged.has(i); attempt++) {
          const res = await fetch(`${ingest.url}/v1/visits`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify(visit(i, 'RLOSS')),
          }).catch(() => null);
          statuses[res?.status ?? 'refused'] = (statuses[res?.status ?? 'refused'] ?? 0) + 1;
          if (res?.ok) {
            acknowledged.add(i);
            if (redisDown) duringOutage++;
          } else await new Promise((r) => setTimeout(r, 100));
        }
        await new Promise((r) => setTimeout(r, 15)); // a steady stream, so the outages fall mid-stream
      }
    });
    const outages = (async () => {
      for (const at of [60, 150]) {
        await waitFor(async () => acknowledged.size >= at && (await texts()).length >= 10, 60_000, `${at} visits in and texts going out`);
        redisDown = true;
        await redis.kill();
        await new Promise((r) => setTimeout(r, 1500));
        await redis.restart();
        redisDown = false;
      }
    })();
    await Promise.all([...clients, outages]);
    expect(acknowledged.size).toBe(VISITS);
    expect(duringOutage, 'ingest kept accepting visits while Redis was down').toBeGreaterThan(0);
    expect(
      Object.keys(statuses).every((s) => s === '201'),
      JSON.stringify(statuses),
    ).toBe(true);

    await waitFor(
      async () => {
        const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM invitations WHERE status = 'sent'");
        return rows[0]?.n === VISITS;
      },
      90_000,
      'every invitation sent',
    ).catch(async (error) => {
      const { rows } = await pool.query('SELECT status, count(*)::int AS n FROM invitations GROUP BY status');
      throw new Error(`${error.message}: ${JSON.stringify(rows)}\n${sender.lines.slice(-10).join('\n')}`);
    });
    await new Promise((r) => setTimeout(r, 1000)); // a late duplicate would show up here
    const messages = await texts();
    const perNumber = new Map<string, number>();
    for (const m of messages) perNumber.set(m.to, (perNumber.get(m.to) ?? 0) + 1);
    expect([...perNumber].filter(([, n]) => n > 1)).toEqual([]);
    expect(new Set(perNumber.keys())).toEqual(new Set([...acknowledged].map((i) => phone(i).e164)));
    expect(ingest.child.exitCode).toBeNull();
    expect(sender.child.exitCode).toBeNull();

    // Privacy after the run: no hetu in Postgres, no phone number in clear in Postgres, Redis or the logs.
    const scan = await scanForPersonalData({
      pool,
      redisUrl: redis.url,
      prefix: env.prefix,
      logLines: [...ingest.lines, ...sender.lines],
      hetus: [...acknowledged].map((i) => hetu(i)),
      phones: [...acknowledged].map((i) => phone(i).e164),
    });
    expect(scan.findings).toEqual([]);
    expect(scan.scanned.redisKeys).toBeGreaterThan(0);
    expect(scan.scanned.logLines).toBeGreaterThan(VISITS);
    console.info(`[reliability] privacy scan: ${JSON.stringify(scan.scanned)}, findings 0`);
    console.info(
      `[reliability] redis loss: ${VISITS} visits (${duringOutage} accepted while Redis was down), 2 Redis losses, ` +
        `${messages.length} texts, lost 0, doubled 0`,
    );
  });
});
