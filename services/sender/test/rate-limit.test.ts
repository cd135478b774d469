import type { ChildProcess } from 'node:child_process';
import { smsSegments } from '@kaiku/core';
import { createRedis } from '@kaiku/queue';
import { waitFor } from '@kaiku/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

  it('at a high rate one Redis call serves several texts, and the processes together still stay within the bucket', async () => {
    const HIGH = 1000; // segments per second: a lease is 10 ms worth, 10 segments
    const redis = createRedis(h.env.redisUrl);
    const evals = vi.spyOn(redis, 'eval');
    const key = `${h.env.prefix}:limiter-lease`;
    // two "processes": each has its own lease, both share the budget in Redis
    const a = createSegmentRateLimiter(redis, { key, ratePerSecond: HIGH });
    const b = createSegmentRateLimiter(redis, { key, ratePerSecond: HIGH });
    try {
      const started = Date.now();
      // 100 concurrent texts of 2 segments in one process: one lease at a time, 5 texts per lease
      expect(await Promise.all(Array.from({ length: 100 }, () => a.take(2)))).toEqual(new Array(100).fill(0));
      expect(evals.mock.calls.length).toBe(20);
      // then both take until refused: what they got never exceeds the bucket, plus what the rate
      // refilled meanwhile, plus one lease each
      let granted = 200;
      for (const limiter of [a, b, a, b]) while ((await limiter.take(2)) === 0) granted += 2;
      const refilled = ((Date.now() - started + 1) * HIGH) / 1000;
      expect(granted).toBeGreaterThan(HIGH - 2 * 10);
      expect(granted).toBeLessThanOrEqual(HIGH + refilled + 2 * 10);
    } finally {
      redis.disconnect();
    }
  });

  it('a lease serves what is given back, and lapses unused after a second', async () => {
    const redis = createRedis(h.env.redisUrl);
    const evals = vi.spyOn(redis, 'eval');
    let clock = 1_000_000;
    const limiter = createSegmentRateLimiter(redis, { key: `${h.env.prefix}:limiter-lapse`, ratePerSecond: 1000, now: () => clock });
    try {
      expect(await limiter.take(2)).toBe(0); // leases 10, 8 left
      expect(await limiter.take(2)).toBe(0);
      await limiter.giveBack(2);
      for (let i = 0; i < 4; i++) expect(await limiter.take(2)).toBe(0);
      expect(evals.mock.calls.length).toBe(1);
      expect(await limiter.take(2)).toBe(0); // the lease is spent: a new one
      expect(evals.mock.calls.length).toBe(2);
      clock += 1001; // 8 segments of it never used: dropped, not spent late
      expect(await limiter.take(2)).toBe(0);
      expect(evals.mock.calls.length).toBe(3);
    } finally {
      redis.disconnect();
    }
  });

  it('at the configured low rates every take asks Redis for exactly its segments', async () => {
    const redis = createRedis(h.env.redisUrl);
    const evals = vi.spyOn(redis, 'eval');
    const limiter = createSegmentRateLimiter(redis, { key: `${h.env.prefix}:limiter-exact`, ratePerSecond: 100 });
    try {
      for (let i = 0; i < 5; i++) expect(await limiter.take(2)).toBe(0);
      expect(evals.mock.calls.map((call) => call.at(-1))).toEqual(['2', '2', '2', '2', '2']);
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
