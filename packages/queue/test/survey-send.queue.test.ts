import { afterEach, expect, it, vi } from 'vitest';
import { createRedis } from '../src/redis.ts';
import { createSurveySendQueue } from '../src/survey-send.queue.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

it('keeps Redis connection errors out of stderr (the logs stay JSON lines; /readyz reports Redis)', async () => {
  const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
  const redis = createRedis('redis://127.0.0.1:1'); // nothing listens there
  const queue = createSurveySendQueue(redis, `kaiku-test-${process.pid}`);
  // It waits for Redis (a queue made before Redis is up must work once it is); it never prints.
  queue.add('survey-send', { invitationId: 'x' }).catch(() => {});
  await new Promise((r) => setTimeout(r, 1500));
  expect(printed).not.toHaveBeenCalled();
  redis.disconnect();
  await queue.close().catch(() => {});
});
