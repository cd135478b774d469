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

/** A process takes at most this much of a second's rate from Redis at once (see `lease`). */
const LEASE_SECONDS = 0.01;
/** Segments leased but not handed out within this time are dropped, never spent late. */
const LEASE_TTL_MS = 1000;

export interface SegmentRateLimiterOptions {
  key: string;
  ratePerSecond: number;
  /** The clock of the local lease only (Redis keeps the shared budget on its own clock). */
  now?: () => number;
}

/**
 * At rates where 10 ms of budget is more than one text (above ~100–200 segments per second), each
 * process takes its budget from Redis in leases of 10 ms worth and hands it out locally: one Redis
 * call serves several texts, and one process never holds more than a lease ahead of the shared
 * rate. Only one lease is asked for at a time, so concurrent jobs don't reserve budget they won't
 * use. At lower rates every take goes to Redis, exactly as many segments as asked.
 */
export function createSegmentRateLimiter(redis: Redis, opts: SegmentRateLimiterOptions): SegmentRateLimiter {
  const intervalUs = 1_000_000 / opts.ratePerSecond;
  const capacity = Math.max(1, Math.floor(opts.ratePerSecond));
  const lease = Math.floor(opts.ratePerSecond * LEASE_SECONDS);
  const now = opts.now ?? Date.now;
  let held = 0;
  let heldUntil = 0;
  let leasing: Promise<number> | null = null;

  async function takeShared(n: number): Promise<number> {
    // A message longer than the whole bucket may still go, alone, when the bucket is full.
    const burstUs = Math.max(capacity, n) * intervalUs;
    const wait = await redis.eval(GCRA, 1, opts.key, String(intervalUs), String(burstUs), String(n));
    return Math.max(0, Number(wait));
  }
  const holding = () => (now() < heldUntil ? held : 0);

  async function takeLeased(n: number): Promise<number> {
    for (;;) {
      if (holding() >= n) {
        held -= n;
        return 0;
      }
      if (leasing) {
        const wait = await leasing;
        if (wait > 0) return wait;
        continue;
      }
      const ask = Math.max(n, lease);
      leasing = takeShared(ask);
      try {
        const wait = await leasing;
        if (wait > 0) return wait;
        held = holding() + ask;
        heldUntil = now() + LEASE_TTL_MS;
      } finally {
        leasing = null;
      }
    }
  }

  return {
    take(segments) {
      const n = Math.max(1, Math.ceil(segments));
      return n < lease ? takeLeased(n) : takeShared(n);
    },
    async giveBack(segments) {
      if (segments <= 0) return;
      if (lease > 1 && now() < heldUntil) {
        // back into the lease this process holds (it lapses with it)
        held = Math.min(lease, held + Math.ceil(segments));
        return;
      }
      await redis.eval(GIVE_BACK, 1, opts.key, String(intervalUs), String(Math.ceil(segments)));
    },
  };
}
