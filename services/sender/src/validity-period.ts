import { isAllowedTime, type SendWindow } from '@kaiku/core';

/** Twilio keeps an undelivered message queued at most this long (its default and our ceiling). */
export const MAX_VALIDITY_SECONDS = 4 * 3600;
/** Less than this before quiet hours: wait for the next allowed time instead. */
export const MIN_VALIDITY_SECONDS = 60;

const STEP = 60_000;

/** The first whole minute in `[from, from + MAX_VALIDITY]` that is not an allowed send time, or null. */
function firstDisallowedMinute(from: number, window: SendWindow): number | null {
  for (let t = from; t - from <= MAX_VALIDITY_SECONDS * 1000; t += STEP) {
    if (!isAllowedTime(new Date(t), window)) return t;
  }
  return null;
}

function secondsUntil(end: number | null, at: Date): number | null {
  if (end === null || end - at.getTime() > MAX_VALIDITY_SECONDS * 1000) return MAX_VALIDITY_SECONDS;
  const seconds = Math.floor((end - at.getTime()) / 1000);
  return seconds < MIN_VALIDITY_SECONDS ? null : seconds;
}

/**
 * How long Twilio may keep the message in its queue: until quiet hours (or a skipped holiday)
 * begin, at most four hours, so a message stuck in the queue is dropped rather than arriving at
 * night. `null` when that is under a minute away.
 */
export function validityPeriodSeconds(at: Date, window: SendWindow): number | null {
  // The first whole minute after `at` that is not allowed ends the window.
  const firstMinute = Math.ceil((at.getTime() + 1) / STEP) * STEP;
  return secondsUntil(firstDisallowedMinute(firstMinute, window), at);
}

/**
 * `validityPeriodSeconds` for one window, remembering the scan of the current minute: every send
 * in the same minute has the same first disallowed minute, so the 240 time-zone look-ups are done
 * once a minute instead of once a text (same results).
 */
export function createValidityPeriod(window: SendWindow): (at: Date) => number | null {
  let cached: { firstMinute: number; end: number | null } | null = null;
  return (at) => {
    const firstMinute = Math.ceil((at.getTime() + 1) / STEP) * STEP;
    if (cached?.firstMinute !== firstMinute) cached = { firstMinute, end: firstDisallowedMinute(firstMinute, window) };
    return secondsUntil(cached.end, at);
  };
}
