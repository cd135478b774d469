// The ops face of the console: the queue board behind CONSOLE_TOKEN / CONSOLE_OPS_TOKEN, and the
// state gauges of /metrics read from the real Postgres and Redis.
import { parseKaikuConfig } from '@kaiku/config';
import { buildConsoleApp, loadConsoleConfig } from '@kaiku/console';
import { createPool, type Pool } from '@kaiku/db';
import { createRedis, createSurveySendQueue } from '@kaiku/queue';
import { createTestEnv, productionEnv, type TestEnv } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS_ENV, startService } from './ops-helpers.ts';

const kaiku = parseKaikuConfig({ units: [{ id: '1.2.246.10.1', name: { fi: 'Testin terveysasema' }, service: 'health-station' }] });
const TOKEN = 'console-token-for-tests';
const OPS_TOKEN = 'ops-token-for-tests-0123';
const basic = (password: string) => `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`;

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('console ops: queue board and state gauges', () => {
  let env: TestEnv;
  let pool: Pool;
  let app: FastifyInstance;
  let queue: ReturnType<typeof createSurveySendQueue>;
  let redis: ReturnType<typeof createRedis>;

  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl);
    redis = createRedis(env.redisUrl);
    queue = createSurveySendQueue(redis, env.prefix);
    app = buildConsoleApp({ pool, kaiku, logger: pino({ level: 'silent' }), token: TOKEN, opsToken: OPS_TOKEN, queues: [queue] });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await queue.close();
    redis.disconnect();
    await pool.end();
    await env.cleanup();
  });

  async function insertInvitation(status: string, source_visit_id: string): Promise<string> {
    const { rows } = await pool.query<{ id: string }>(
      `WITH v AS (INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language)
                  VALUES ('lifecare', $2, '1.2.246.10.1', 'health-station', now(), current_date, 'fi') RETURNING id)
       INSERT INTO invitations (visit_id, status, language) SELECT id, $1, 'fi' FROM v RETURNING id`,
      [status, source_visit_id],
    );
    return rows[0]?.id as string;
  }

  it('refuses the board without a token, and asks the browser to sign in', async () => {
    const res = await app.inject('/ops/queues');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await app.inject({ url: '/ops/queues', headers: { authorization: basic('wrong-token') } })).statusCode).toBe(401);
  });

  it('shows the board and the survey-send queue with CONSOLE_TOKEN, loading nothing from outside', async () => {
    const page = await app.inject({ url: '/ops/queues', headers: { authorization: basic(TOKEN) } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="root">');
    expect(page.body).not.toMatch(/https?:\/\//); // (the board's own page named a Google font: an accessibility probe)
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    const api = await app.inject({ url: '/ops/queues/api/queues', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(api.statusCode).toBe(200);
    expect((api.json() as { queues: Array<{ name: string }> }).queues.map((q) => q.name)).toContain('survey-send');
    // To a viewer the queue is read-only, so the page shows no buttons that would only be refused
    // (a browser probe: "Clean all" was shown, refused with 403, and nothing said so); to ops it is not.
    const modeFor = async (token: string) => {
      const res = await app.inject({ url: '/ops/queues/api/queues', headers: { authorization: basic(token) } });
      const queue = (res.json() as { queues: Array<{ name: string; readOnlyMode: boolean; allowRetries: boolean }> }).queues[0];
      return { readOnlyMode: queue?.readOnlyMode, allowRetries: queue?.allowRetries };
    };
    expect(await modeFor(TOKEN)).toEqual({ readOnlyMode: true, allowRetries: false });
    expect(await modeFor(OPS_TOKEN)).toEqual({ readOnlyMode: false, allowRetries: true });
  });

  it('lets only CONSOLE_OPS_TOKEN retry or clean jobs', async () => {
    await queue.add(
      'send',
      { invitationId: crypto.randomUUID() },
      { jobId: 'delayed-1', delay: 3_600_000, timestamp: Date.now() - 60_000 },
    );
    const retry = (authorization: string) =>
      app.inject({ method: 'PUT', url: '/ops/queues/api/queues/survey-send/retry/failed', headers: { authorization } });
    const clean = (authorization: string) =>
      app.inject({ method: 'PUT', url: '/ops/queues/api/queues/survey-send/clean/delayed', headers: { authorization } });

    const denied = await retry(basic(TOKEN));
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ title: 'Forbidden' });
    expect((await clean(`Bearer ${TOKEN}`)).statusCode).toBe(403);
    expect((await queue.getJobCounts('delayed')).delayed).toBe(1);

    // a completed job is a sent text: the board offers no retry of it, even to ops
    const view = await app.inject({ url: '/ops/queues/api/queues', headers: { authorization: `Bearer ${OPS_TOKEN}` } });
    const board = (view.json() as { queues: Array<{ name: string; allowCompletedRetries: boolean }> }).queues;
    expect(board.find((q) => q.name === 'survey-send')?.allowCompletedRetries).toBe(false);
    expect((await retry(basic(OPS_TOKEN))).statusCode).toBe(200);
    expect((await clean(`Bearer ${OPS_TOKEN}`)).statusCode).toBe(200);
    expect((await queue.getJobCounts('delayed')).delayed).toBe(0);
  });

  it('lets ops pause, resume, retry, clean and promote, but not add jobs, change their data, empty the queue or set its rate (a console probe)', async () => {
    const act = (method: 'PUT' | 'POST' | 'PATCH', path: string, payload?: object) =>
      app.inject({
        method,
        url: `/ops/queues/api/queues${path}`,
        headers: { authorization: `Bearer ${OPS_TOKEN}` },
        ...(payload ? { payload } : {}),
      });
    await queue.add('send', { invitationId: crypto.randomUUID() }, { jobId: 'kept-1', delay: 3_600_000 });
    const refused = [
      await act('POST', '/survey-send/add', { name: 'send', data: { invitationId: crypto.randomUUID(), phone: '+358401234567' } }),
      await act('PATCH', '/survey-send/kept-1/update-data', { jobData: { invitationId: 'x', phone: '+358401234567' } }),
      await act('PATCH', '/survey-send/kept-1/delay', { delay: 0 }),
      await act('PUT', '/survey-send/empty'),
      await act('PUT', '/survey-send/obliterate'),
      await act('PUT', '/survey-send/rate-limit', { max: 1000, duration: 1 }),
      await act('PUT', '/survey-send/concurrency', { concurrency: 100 }),
    ];
    expect(refused.map((r) => r.statusCode)).toEqual(refused.map(() => 403));
    expect(refused[0]?.json().detail).toMatch(/pause and resume the queue and retry, clean or promote/);
    expect((await queue.getJob('kept-1'))?.data).toEqual(expect.not.objectContaining({ phone: expect.anything() }));
    expect((await queue.getJobCounts('delayed', 'waiting')).delayed).toBe(1);
    expect(JSON.stringify(await redis.keys(`${env.prefix}:*`))).not.toContain('+358');
    expect((await act('PUT', '/survey-send/pause')).statusCode).toBe(200);
    expect(await queue.isPaused()).toBe(true);
    expect((await act('PUT', '/survey-send/resume')).statusCode).toBe(200);
    expect((await act('PUT', '/survey-send/kept-1/promote')).statusCode).toBe(204);
    expect((await queue.getJobCounts('delayed')).delayed).toBe(0);
  });

  it('marks the session cookie Secure in production, and logs out into the language it was in (a dashboard probe)', {
    timeout: 60_000,
  }, async () => {
    const token = 'a-production-token-1234';
    const console = await startService('console', {
      NODE_ENV: 'production',
      ...KEYS_ENV,
      KAIKU_CONFIG: new URL('../config/kaiku.example.yaml', import.meta.url).pathname,
      CONSOLE_TOKEN: token,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      KAIKU_QUEUE_PREFIX: env.prefix,
      CONSOLE_PORT: '0',
    });
    try {
      const login = await fetch(`${console.url}/login?lang=en`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${token}`,
        redirect: 'manual',
      });
      const cookie = String(login.headers.get('set-cookie'));
      expect(cookie).toMatch(/; Secure/);
      const out = await fetch(`${console.url}/logout?lang=en`, {
        method: 'POST',
        headers: { cookie: cookie.split(';')[0] as string, 'accept-language': 'fi' },
        redirect: 'manual',
      });
      expect([out.status, out.headers.get('location')]).toEqual([303, '/login?lang=en']);
    } finally {
      await console.stop();
    }
  });

  it('refuses an ops token that is the viewing token too, and takes an empty one as unset (compose passes it empty)', () => {
    const production = productionEnv({ CONSOLE_TOKEN: 'a-token-to-look-1234' });
    expect(loadConsoleConfig({ ...production, CONSOLE_OPS_TOKEN: '' }).CONSOLE_OPS_TOKEN).toBeUndefined();
    // The README's development token is no production secret (a config probe: it opened the reports).
    for (const token of ['dev-console-token', ' dev-console-token ']) {
      expect(() => loadConsoleConfig({ ...production, CONSOLE_TOKEN: token })).toThrow(
        /CONSOLE_TOKEN: is a development token the README publishes/,
      );
    }
    expect(() => loadConsoleConfig({ ...production, CONSOLE_OPS_TOKEN: 'dev-console-token' })).toThrow(
      /CONSOLE_OPS_TOKEN: is a development token the README publishes/,
    );
    expect(loadConsoleConfig({ CONSOLE_OPS_TOKEN: '   ' }).CONSOLE_OPS_TOKEN).toBeUndefined();
    expect(() => loadConsoleConfig({ CONSOLE_TOKEN: 'the-same-token-1234', CONSOLE_OPS_TOKEN: 'the-same-token-1234' })).toThrow(
      /CONSOLE_OPS_TOKEN.*must differ from CONSOLE_TOKEN/,
    );
    expect(loadConsoleConfig({ CONSOLE_TOKEN: 'a-token-to-look-1234', CONSOLE_OPS_TOKEN: 'a-token-to-act-12345' }).CONSOLE_OPS_TOKEN).toBe(
      'a-token-to-act-12345',
    );
  });

  it('exports open invitations, the outbox backlog and the queue depth at scrape time', async () => {
    await queue.obliterate({ force: true });
    for (const [i, status] of ['scheduled', 'scheduled', 'sent', 'delivered', 'completed'].entries()) {
      const id = await insertInvitation(status, `GAUGE-${i}`);
      if (status === 'scheduled') {
        await pool.query(`INSERT INTO outbox (invitation_id, created_at) VALUES ($1, now() - interval '10 minutes')`, [id]);
      }
    }
    // Two jobs ready to run, the oldest waiting for ten minutes, and one delayed to tomorrow.
    await queue.add('send', { invitationId: crypto.randomUUID() }, { jobId: 'a', timestamp: Date.now() - 600_000 });
    await queue.add('send', { invitationId: crypto.randomUUID() }, { jobId: 'b' });
    await queue.add('send', { invitationId: crypto.randomUUID() }, { jobId: 'c', delay: 86_400_000 });

    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    const text = res.body;
    expect(sample(text, 'kaiku_invitations', { status: 'scheduled' })).toBe(2);
    expect(sample(text, 'kaiku_invitations', { status: 'sent' })).toBe(1);
    expect(sample(text, 'kaiku_invitations', { status: 'sending' })).toBe(0);
    expect(sample(text, 'kaiku_invitations', { status: 'completed' })).toBeUndefined();
    expect(sample(text, 'kaiku_outbox_backlog')).toBe(2);
    expect(sample(text, 'kaiku_outbox_oldest_seconds')).toBeGreaterThanOrEqual(600);
    expect(sample(text, 'kaiku_queue_jobs', { queue: 'survey-send', state: 'waiting' })).toBe(2);
    expect(sample(text, 'kaiku_queue_jobs', { queue: 'survey-send', state: 'delayed' })).toBe(1);
    expect(sample(text, 'kaiku_queue_jobs', { queue: 'survey-send', state: 'active' })).toBe(0);
    expect(sample(text, 'kaiku_queue_oldest_waiting_seconds', { queue: 'survey-send' })).toBeGreaterThanOrEqual(600);
    expect(sample(text, 'kaiku_queue_paused', { queue: 'survey-send' })).toBe(0);
    // paused from the board: the gauge says so (the backlog alert then keeps quiet, KaikuQueuePaused speaks after an hour)
    await queue.pause();
    await new Promise((r) => setTimeout(r, 1100)); // one read per scrape second
    expect(sample((await app.inject('/metrics')).body, 'kaiku_queue_paused', { queue: 'survey-send' })).toBe(1);
    await queue.resume();
    await new Promise((r) => setTimeout(r, 1100));
    // The oldest due job waits since its send time, not since it was added (an infra probe: a text due at
    // noon read as waiting since the visit the day before); one still delayed past its time (no sender
    // there to move it) counts as waiting too.
    await queue.obliterate({ force: true });
    const due = await queue.add(
      'send',
      { invitationId: crypto.randomUUID() },
      { jobId: 'd', timestamp: Date.now() - 3_600_000, delay: 3_600_000 - 120_000 },
    );
    const overdue = sample((await app.inject('/metrics')).body, 'kaiku_queue_oldest_waiting_seconds', { queue: 'survey-send' });
    expect(overdue).toBeGreaterThanOrEqual(119);
    expect(overdue).toBeLessThan(200);
    await due.promote();
    await new Promise((r) => setTimeout(r, 1100));
    const promoted = (await app.inject('/metrics')).body;
    expect(sample(promoted, 'kaiku_queue_jobs', { queue: 'survey-send', state: 'waiting' })).toBe(1);
    expect(sample(promoted, 'kaiku_queue_oldest_waiting_seconds', { queue: 'survey-send' })).toBeLessThan(200);
    // A job added again after Redis lost it (a regression probe: the gauge read from the re-add):
    // since its invitation's send time.
    await queue.obliterate({ force: true });
    const lostId = await insertInvitation('scheduled', 'GAUGE-LOST');
    await pool.query(`UPDATE invitations SET send_at = now() - interval '10 minutes' WHERE id = $1`, [lostId]);
    await queue.add('send', { invitationId: lostId }, { jobId: lostId });
    await new Promise((r) => setTimeout(r, 1100));
    const readded = sample((await app.inject('/metrics')).body, 'kaiku_queue_oldest_waiting_seconds', { queue: 'survey-send' });
    expect(readded).toBeGreaterThanOrEqual(599);
    await queue.obliterate({ force: true });
    expect(sample(text, 'kaiku_state_source_up', { source: 'postgres' })).toBe(1);
    expect(sample(text, 'kaiku_state_source_up', { source: 'redis' })).toBe(1);
    // /metrics is for Prometheus: no token needed, and no personal data in it to protect.
    expect(text).not.toMatch(/\+358|\d{6}[-+A]\d{3}[0-9A-Y]/);
  });

  it('still answers /metrics when Postgres and Redis are gone, saying so instead of showing stale values', async () => {
    const deadPool = createPool('postgres://postgres@127.0.0.1:1/nowhere');
    const deadRedis = createRedis('redis://127.0.0.1:1', { failFast: true });
    const deadQueue = createSurveySendQueue(deadRedis, env.prefix);
    deadQueue.on('error', () => {});
    const lonely = buildConsoleApp({ pool: deadPool, kaiku, logger: pino({ level: 'silent' }), token: TOKEN, queues: [deadQueue] });
    try {
      const res = await lonely.inject('/metrics');
      expect(res.statusCode).toBe(200);
      expect(sample(res.body, 'kaiku_state_source_up', { source: 'postgres' })).toBe(0);
      expect(sample(res.body, 'kaiku_state_source_up', { source: 'redis' })).toBe(0);
      expect(sample(res.body, 'kaiku_queue_jobs', { state: 'waiting' })).toBeUndefined();
      expect(sample(res.body, 'kaiku_outbox_backlog')).toBeNaN();
      expect(sample(res.body, 'kaiku_invitations', { status: 'scheduled' })).toBeUndefined();
    } finally {
      await lonely.close();
      await deadQueue.close().catch(() => {});
      deadRedis.disconnect();
      await deadPool.end();
    }
  });
});
