import { expect, inject, it } from 'vitest';
import { createRedis, redisReady } from '../src/redis.ts';
import { createSurveySendQueue } from '../src/survey-send.queue.ts';

const { redisUrl } = inject('kaikuTestServers');

it('waits until a fail-fast connection answers, also when a queue on it started connecting first', async () => {
  const redis = createRedis(redisUrl, { failFast: true });
  const queue = createSurveySendQueue(redis, `kaiku-test-ready-${process.pid}`);
  expect(await redisReady(redis, 5000)).toBe(true);
  // ready means usable: a fail-fast connection would refuse this while still connecting
  expect(await redis.ping()).toBe('PONG');
  await queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
});

it('closes a connection whose database index Redis refuses, instead of going on in db 0 (a config probe: keys landed in db 0)', async () => {
  const url = new URL(redisUrl);
  url.pathname = '/9999'; // past any Redis's `databases`
  const refused: Error[] = [];
  const redis = createRedis(url.toString(), { onWrongDatabase: (error) => refused.push(error) });
  const key = `kaiku-test-wrong-db-${process.pid}`;
  const write = redis.set(key, '1').then(
    () => 'written',
    () => 'refused',
  );
  redis.connect().catch(() => {});
  expect(await write).toBe('refused');
  expect(refused.map((e) => e.message)).toEqual([expect.stringMatching(/^REDIS_URL: Redis refused its database index \(ERR DB index/)]);
  expect(redis.status).toBe('end');
  url.pathname = '/0';
  const db0 = createRedis(url.toString());
  const landed = await db0.exists(key);
  await db0.del(key);
  db0.disconnect();
  expect(landed).toBe(0);
});

it('gives up after the wait when nothing answers', async () => {
  const redis = createRedis('redis://127.0.0.1:1', { failFast: true }); // nothing listens there
  expect(await redisReady(redis, 300)).toBe(false);
  redis.disconnect();
});
