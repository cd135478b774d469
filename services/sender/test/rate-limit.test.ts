import type { ChildProcess } from 'node:child_process';
import { smsSegments } from '@kaiku/core';
import { createRedis } from '@kaiku/queue';
import { waitFor } from '@kaiku/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmentRateLimiter, segmentBudgetKey } from '../src/index.ts';
import { createHarness, type Harness, testKaiku } from './harness.ts';
import { startSenderProcess } from './sender-process.ts';

const RATE = 10; // segments per second, all senders together
const COUNT = 20; // two-segment invitations

describe('sender: the rate is counted in segments and shared by every sender process', () => {
  let h: Harness;
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    h = await createHarness(testKaiku({ sending: { ratePerSecond: RATE, concurrency: 5 } }));
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await h?.close();
  });

  it('the limiter grants a second of segments at once, then makes the caller wait (nothing taken)', async () => {
    const redis = createRedis(h.env.redisUrl);
    const limiter = createSegmentRateLimiter(redis, { key: `${h.env.prefix}:limiter-probe`, ratePerSecond: RATE });
    const waits = [];
    for (let i = 0; i < 6; i++) waits.push(await limiter.take(2));
    redis.disconnect();
    expect(waits.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(waits[5]).toBeGreaterThan(0);
    expect(waits[5]).toBeLessThanOrEqual(200);
  });

  it('segments given back (taken for a longer text, or for one that did not go) can be taken again, never beyond the bucket', async () => {
    const redis = createRedis(h.env.redisUrl);
    const limiter = createSegmentRateLimiter(redis, { key: `${h.env.prefix}:limiter-give-back`, ratePerSecond: RATE });
    try {
      expect(await limiter.take(RATE)).toBe(0); // the whole bucket
      expect(await limiter.take(2)).toBeGreaterThan(0);
      await limiter.giveBack(2);
      expect(await limiter.take(2)).toBe(0);
      expect(await limiter.take(1)).toBeGreaterThan(0);
      // giving back more than was ever taken leaves just a full bucket
      await limiter.giveBack(10 * RATE);
      expect(await limiter.take(RATE)).toBe(0);
      expect(await limiter.take(1)).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('two sender processes together stay within ratePerSecond segments', { timeout: 90_000 }, async () => {
    // One sender in this process, one in a child process: they share only Redis.
    h.startWorker();
    await startSenderProcess(h, children);
    await h.redis.del(segmentBudgetKey(h.env.prefix));

    const start = Date.now();
    const ids = [];
    for (let i = 0; i < COUNT; i++) ids.push((await h.addInvitation({ enqueue: false })).id);
    await h.queue.addBulk(ids.map((id) => ({ name: 'send', data: { invitationId: id }, opts: { jobId: id } })));
    const sent = await waitFor(
      async () => {
        const all = await h.simMessages();
        return all.length >= COUNT ? all : null;
      },
      60_000,
      'every text',
    );
    expect(sent).toHaveLength(COUNT);
    expect(new Set(sent.map((m) => m.to)).size).toBe(COUNT);
    const segments = sent.map((m) => m.numSegments);
    expect(segments.every((n) => n === 2 && n === smsSegments(sent[0]?.body ?? ''))).toBe(true);

    // GCRA: S segments with a bucket of RATE can't all be granted before (S - RATE) / RATE seconds
    // after the first grant. Per-process budgets (twice the rate) or counting texts instead of
    // segments would finish in half that.
    const total = segments.reduce((a, b) => a + b, 0);
    const times = sent.map((m) => Date.parse(m.dateCreated)).sort((a, b) => a - b);
    const last = times.at(-1) as number;
    const first = times[0] as number;
    expect(last - start).toBeGreaterThanOrEqual(((total - RATE) / RATE) * 1000 - 50);
    console.info(
      `rate: ${total} segments (${COUNT} two-segment texts) from 2 processes; the first sent ${first - start} ms and the last ${last - start} ms after queueing (the limit allows the last no earlier than ${((total - RATE) / RATE) * 1000} ms)`,
    );
  });
});
