// SIGTERM under load, on real service processes: every acknowledged visit is kept and reaches the
// queue exactly once; every survey text is sent exactly once across a sender's restart; exit 0.
import { Agent, request as httpRequest } from 'node:http';
import type { ServiceName } from '@kaiku/config';
import { createPool, type Pool } from '@kaiku/db';
import { createRedis, createSurveySendQueue } from '@kaiku/queue';
import { buildSimApp } from '@kaiku/sms-sim';
import { createTestEnv, type TestEnv, waitFor } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS_ENV, type ServiceProcess, senderTwilioEnv, startService, visit, writeTestConfig } from './ops-helpers.ts';

const ACCOUNT_SID = `AC${'b'.repeat(32)}`;
const AUTH_TOKEN = 'shutdown-auth-token';
const TOKEN = 'shutdown-lifecare-token';

describe('graceful shutdown under load', () => {
  let env: TestEnv;
  let pool: Pool;
  let baseEnv: Record<string, string>;
  const running: ServiceProcess[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl);
    baseEnv = {
      ...KEYS_ENV,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      KAIKU_QUEUE_PREFIX: env.prefix,
      KAIKU_CONFIG: writeTestConfig({ ratePerSecond: 40, concurrency: 4 }),
      INGEST_TOKENS: `lifecare:${TOKEN}`,
      INGEST_PORT: '0',
      MLLP_PORT: '0',
      SENDER_PORT: '0',
      OUTBOX_POLL_MS: '100',
    };
  });

  afterAll(async () => {
    for (const service of running) await service.stop('SIGKILL');
    await pool.end();
    await env.cleanup();
  });

  async function start(name: ServiceName, extra: Record<string, string> = {}) {
    const service = await startService(name, { ...baseEnv, ...extra });
    running.push(service);
    return service;
  }

  async function postVisit(url: string, i: number, tag: string): Promise<'acknowledged' | 'refused'> {
    try {
      const res = await fetch(`${url}/v1/visits`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(visit(i, tag)),
      });
      const body = (await res.json()) as { outcome?: string };
      if (res.ok && body.outcome !== 'scheduled') throw new Error(`visit ${i}: ${JSON.stringify(body)}`);
      return res.ok ? 'acknowledged' : 'refused';
    } catch (error) {
      if ((error as Error).message.startsWith('visit ')) throw error;
      return 'refused'; // connection refused or reset: the client would retry later
    }
  }

  const jobIds = async () => {
    const redis = createRedis(env.redisUrl);
    const queue = createSurveySendQueue(redis, env.prefix);
    try {
      const jobs = await queue.getJobs(['wait', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
      return jobs.map((j) => j.id as string);
    } finally {
      await queue.close();
      redis.disconnect();
    }
  };

  it('ingest: SIGTERM while visits pour in loses no acknowledged visit and queues each invitation once', { timeout: 120_000 }, async () => {
    const ingest = await start('ingest');
    const acknowledged: number[] = [];
    let next = 0;
    let stopSent = false;
    const loops = Array.from({ length: 6 }, async () => {
      for (;;) {
        const i = next++;
        const result = await postVisit(ingest.url, i, 'SIGTERM-INGEST');
        if (result === 'acknowledged') acknowledged.push(i);
        if (!stopSent && acknowledged.length >= 60) {
          stopSent = true;
          ingest.child.kill('SIGTERM');
        }
        if (result === 'refused' && stopSent) return;
      }
    });
    await Promise.all(loops);
    const exit = await ingest.exited;
    expect(exit, ingest.lines.filter((l) => /"level":[4-6]0/.test(l)).join('\n')).toEqual({ code: 0, signal: null });
    expect(ingest.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);

    const { rows } = await pool.query<{ source_visit_id: string; invitation_id: string | null }>(
      `SELECT v.source_visit_id, i.id AS invitation_id FROM visits v LEFT JOIN invitations i ON i.visit_id = v.id`,
    );
    const stored = new Set(rows.map((r) => r.source_visit_id));
    for (const i of acknowledged) expect(stored.has(`SIGTERM-INGEST-V-${i}`), `visit ${i}`).toBe(true);
    expect(rows.every((r) => r.invitation_id)).toBe(true);
    expect(rows.length).toBeGreaterThanOrEqual(acknowledged.length);
    expect(rows.length).toBeLessThanOrEqual(next);

    // A restarted ingest moves whatever the outbox still holds; then every invitation has exactly one job.
    const again = await start('ingest');
    await waitFor(async () => (await pool.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n === 0, 15_000, 'an empty outbox');
    expect((await again.stop()).code).toBe(0);
    const ids = await jobIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(rows.map((r) => r.invitation_id)));
  });

  it('sender: SIGTERM (twice, as pnpm start sends it) mid-batch finishes the sends in flight; a restart sends the rest; each patient gets one text', {
    timeout: 120_000,
  }, async () => {
    const sim: FastifyInstance = buildSimApp({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      publicBaseUrl: 'http://127.0.0.1:9',
      number: '+358451234567',
      callbackDelayMs: 10, // status callbacks go nowhere (no replies service here)
      logger: pino({ level: 'silent' }),
    });
    // A slow Twilio: every send is in flight for a while, so SIGTERM always finds some.
    sim.addHook('onRequest', async () => new Promise((r) => setTimeout(r, 150)));
    await sim.listen({ host: '127.0.0.1', port: 0 });
    const simUrl = `http://127.0.0.1:${(sim.server.address() as { port: number }).port}`;
    const senderEnv = senderTwilioEnv(simUrl, ACCOUNT_SID, AUTH_TOKEN);
    const sentCount = async () =>
      ((await (await fetch(`${simUrl}/sim/messages?direction=outbound-api`)).json()) as { messages: Array<{ to: string }> }).messages;
    try {
      const { rows: before } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM invitations WHERE status = 'scheduled'");
      const total = before[0]?.n ?? 0;
      expect(total).toBeGreaterThanOrEqual(60);
      const sender = await start('sender', senderEnv);
      await waitFor(async () => (await sentCount()).length >= 10, 20_000, 'the first texts').catch((error) => {
        throw new Error(`${error.message}\n${sender.lines.slice(-20).join('\n')}`);
      });
      // Twice, as Ctrl-C under `pnpm start` does (the process group's signal, then the script's own).
      sender.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 20));
      sender.child.kill('SIGINT');
      expect(await sender.exited, sender.lines.filter((l) => /"level":[4-6]0/.test(l)).join('\n')).toEqual({ code: 0, signal: null });
      // Nothing was left half-sent: every send that started also finished.
      const { rows: sending } = await pool.query("SELECT id FROM invitations WHERE status IN ('sending', 'unknown')");
      expect(sending).toEqual([]);
      const afterFirst = (await sentCount()).length;
      expect(afterFirst).toBeLessThan(total);
      const again = await start('sender', senderEnv);
      await waitFor(async () => (await sentCount()).length >= total, 30_000, 'every text');
      expect((await again.stop()).code).toBe(0);
      const messages = await sentCount();
      expect(messages).toHaveLength(total);
      expect(new Set(messages.map((m) => m.to)).size).toBe(total);
      const { rows: sent } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM invitations WHERE status = 'sent'");
      expect(sent[0]?.n).toBe(total);
    } finally {
      await sim.close();
    }
  });
  it('replies: SIGTERM drains first: a webhook on an open connection is still answered, then that connection ends; /readyz says stopping; exit 0', {
    timeout: 60_000,
  }, async () => {
    const replies = await start('replies', {
      REPLIES_PORT: '0',
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      PUBLIC_BASE_URL: 'http://127.0.0.1:3003',
      SHUTDOWN_DRAIN_MS: '1500',
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) =>
      new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        const req = httpRequest(`${replies.url}${path}`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
        });
        req.on('error', reject);
        req.end();
      });
    expect(await get('/healthz')).toMatchObject({ status: 200, connection: 'keep-alive' });
    replies.child.kill('SIGTERM');
    await waitFor(() => replies.lines.some((l) => l.includes('shutting down')), 5000, 'the stop to begin');
    // The kept-alive connection was idle when the stop began: its next request is answered, and ends it.
    expect(await get('/healthz')).toMatchObject({ status: 200, connection: 'close' });
    const ready = await fetch(`${replies.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'stopping' });
    expect(await replies.exited).toEqual({ code: 0, signal: null });
    agent.destroy();
  });
});
