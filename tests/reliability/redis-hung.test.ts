// A Redis that hangs (paused: connections open, nothing answers). The console's queue board must
// say it is unavailable instead of holding the browser's request for ever.
import { parseKaikuConfig } from '@kaiku/config';
import { buildConsoleApp } from '@kaiku/console';
import { createPool } from '@kaiku/db';
import { createRedis, createSurveySendQueue, redisReady } from '@kaiku/queue';
import { createTestEnv } from '@kaiku/testing';
import pino from 'pino';
import { expect, it } from 'vitest';
import { startThrowawayRedis } from './helpers.ts';

const kaiku = parseKaikuConfig({ units: [{ id: '1.2.246.10.1', name: { fi: 'Testin terveysasema' }, service: 'health-station' }] });
const TOKEN = 'console-token-for-tests';
const OPS_TOKEN = 'ops-token-for-tests';

it('the queue board answers 503 while Redis hangs, and works again once it answers', { timeout: 30_000 }, async () => {
  const env = await createTestEnv();
  const redisServer = await startThrowawayRedis();
  const pool = createPool(env.databaseUrl);
  const redis = createRedis(redisServer.url, { failFast: true });
  const queue = createSurveySendQueue(redis, env.prefix);
  const app = buildConsoleApp({ pool, kaiku, logger: pino({ level: 'silent' }), token: TOKEN, opsToken: OPS_TOKEN, queues: [queue] });
  const board = () => app.inject({ url: '/ops/queues/api/queues', headers: { authorization: `Bearer ${TOKEN}` } });
  const page = () => app.inject({ url: '/ops/queues/', headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/html' } });
  try {
    expect(await redisReady(redis, 5000)).toBe(true);
    expect((await board()).statusCode).toBe(200);
    redisServer.pause();
    const hung = await board();
    expect(hung.statusCode).toBe(503);
    expect(hung.headers['retry-after']).toBe('5');
    // The page a browser opens says so too (it said "No queues to display", a console probe).
    const hungPage = await page();
    expect(hungPage.statusCode).toBe(503);
    expect(hungPage.body).toContain('Redis is unavailable');
    // An action sent to a hung Redis may still run when it answers: ops are told so, not "failed".
    const pause = await app.inject({
      method: 'PUT',
      url: '/ops/queues/api/queues/survey-send/pause',
      headers: { authorization: `Bearer ${OPS_TOKEN}` },
    });
    expect(pause.statusCode).toBe(503);
    expect(pause.json().detail).toMatch(/may still take effect/);
    redisServer.resume();
    expect((await board()).statusCode).toBe(200);
    const after = await page();
    expect([after.statusCode, after.body.slice(0, 300)]).toEqual([200, expect.anything()]);
  } finally {
    redisServer.resume();
    await app.close();
    await queue.close().catch(() => {});
    redis.disconnect();
    await pool.end();
    await redisServer.kill();
    await env.cleanup();
  }
});
