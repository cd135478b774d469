import type { Redis } from 'ioredis';

/**
 * Twilio's rate is in message segments, BullMQ's limiter counts jobs. This is a segment-weighted
 * limiter (GCRA: a token bucket kept as one "theoretical arrival time" in Redis), shared by every
 * sender process that uses the same Redis and queue prefix. Redis's own clock is used, so the
 * processes' clocks don't matter. Up to one second's worth of segments may go out at once; after
 * that, segments leave at `ratePerSecond`.
 */
const GCRA = `
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local newTat = tat + n * interval
local allowAt = newTat - burst
if allowAt > now then return math.ceil((allowAt - now) / 1000) end
redis.call('SET', KEYS[1], string.format('%.0f', newTat), 'PX', math.ceil((newTat - now) / 1000) + 1000)
return 0
`;

/** Gives back `n` segments that were taken but not sent; never more than the bucket holds. */
const GIVE_BACK = `
local interval = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat <= now then return 0 end
local newTat = math.max(now, tat - n * interval)
redis.call('SET', KEYS[1], string.format('%.0f', newTat), 'PX', math.ceil((newTat - now) / 1000) + 1000)
return 0
`;

export interface SegmentRateLimiter {
  /** Takes `segments` from the shared budget: 0 when granted, else milliseconds to wait (nothing taken). */
  take(segments: number): Promise<number>;
  /** Returns `segments` taken for a text that did not go out (or was shorter than taken for). */
  giveBack(segments: number): Promise<void>;
}

export function createSegmentRateLimiter(redis: Redis, opts: { key: string; ratePerSecond: number }): SegmentRateLimiter {
  const intervalUs = 1_000_000 / opts.ratePerSecond;
  const capacity = Math.max(1, Math.floor(opts.ratePerSecond));
  return {
    async take(segments) {
      const n = Math.max(1, Math.ceil(segments));
      // A message longer than the whole bucket may still go, alone, when the bucket is full.
      const burstUs = Math.max(capacity, n) * intervalUs;
      const wait = await redis.eval(GCRA, 1, opts.key, String(intervalUs), String(burstUs), String(n));
      return Math.max(0, Number(wait));
    },
    async giveBack(segments) {
      if (segments <= 0) return;
      await redis.eval(GIVE_BACK, 1, opts.key, String(intervalUs), String(Math.ceil(segments)));
    },
  };
}
