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
  await queue.close();
  redis.disconnect();
});

it('gives up after the wait when nothing answers', async () => {
  const redis = createRedis('redis://127.0.0.1:1', { failFast: true }); // nothing listens there
  expect(await redisReady(redis, 300)).toBe(false);
  redis.disconnect();
});
